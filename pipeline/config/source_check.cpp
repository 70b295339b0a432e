#include "pipeline/config/config_checks.h"
#include "pipeline/config/source_uri.h"

#include <fmt/format.h>

#include <charconv>

namespace es::pipeline {
namespace {

std::optional<int> parse_dimension(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > 16384)
        return std::nullopt;
    return value;
}

// "1280x720"
std::optional<Resolution> parse_resolution(const std::string& text) {
    const size_t x = text.find('x');
    if (x == std::string::npos) return std::nullopt;
    const auto width = parse_dimension(std::string_view(text).substr(0, x));
    const auto height = parse_dimension(std::string_view(text).substr(x + 1));
    if (!width || !height) return std::nullopt;
    return Resolution{*width, *height};
}

// Sets source.uri from the URI as written; reports what the source would refuse, and a file
// that cannot be read.
void check_uri(SourceConfig& source, const std::string& text, const ObjectReader& reader,
               const CheckContext& context) {
    ParsedSourceUri parsed = parse_source_uri(text, context.base_dir);
    source.uri = std::move(parsed.uri);
    if (!parsed.problem.empty())
        reader.problem("uri", parsed.problem);
    else if (source.uri.kind == SourceKind::file)
        check_readable(source.uri.location, reader.path("uri"), context);
}

}  // namespace

SourceConfig check_source(const nlohmann::json& json, const std::string& path,
                          const CheckContext& context) {
    SourceConfig source;
    const ObjectReader reader(json, path, {"id", "uri", "fps", "loop", "resolution", "realtime"},
                              context.problems);
    if (!reader.is_object()) return source;
    source.id = checked_name(reader, "id", "source id");
    if (const auto uri = reader.string("uri", true)) check_uri(source, *uri, reader, context);
    source.fps = reader.number("fps", 0.01, 1000.0);
    if (const auto text = reader.string("resolution")) {
        source.resolution = parse_resolution(*text);
        if (!source.resolution)
            reader.problem("resolution",
                           fmt::format("cannot read '{}'; expected WIDTHxHEIGHT, e.g. 1280x720 "
                                       "(1 to 16384 each)",
                                       *text));
    }
    const bool is_file = source.uri.kind == SourceKind::file;
    for (const char* key : {"loop", "realtime"}) {
        const auto value = reader.boolean(key);
        if (!value) continue;
        if (!source.uri.text.empty() && !is_file) {
            reader.problem(key, fmt::format("applies to file sources only; this source is {}",
                                            to_string(source.uri.kind)));
            continue;
        }
        (std::string_view(key) == "loop" ? source.loop : source.realtime) = *value;
    }
    return source;
}

}  // namespace es::pipeline
