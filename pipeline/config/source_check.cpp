#include "pipeline/config/config_checks.h"
#include "pipeline/config/uri_redaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace es::pipeline {
namespace {

constexpr const char* k_schemes = "file, rtsp, http(s), v4l2, test";

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

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

// Sets source.kind (and source.file) from the URI; reports what is wrong with it.
void check_uri(SourceConfig& source, const ObjectReader& reader, const CheckContext& context) {
    const std::string& uri = source.uri;
    const size_t separator = uri.find("://");
    if (separator == std::string::npos) {
        // A plain path is a file.
        source.kind = SourceKind::file;
        source.file = resolve_path(context, uri);
        check_readable(source.file, reader.path("uri"), context);
        return;
    }
    const std::string scheme = lowercase(uri.substr(0, separator));
    const std::string rest = uri.substr(separator + 3);
    const auto host_required = [&](std::string_view example) {
        const std::string host = rest.substr(0, rest.find('/'));
        if (host.empty() || host.front() == ':')
            reader.problem("uri",
                           fmt::format("'{}' has no host; expected {}", redact_uri(uri), example));
    };
    if (scheme == "file") {
        source.kind = SourceKind::file;
        if (rest.empty()) {
            reader.problem("uri", "file:// needs a path, e.g. file:///videos/entrance.mp4");
            return;
        }
        source.file = resolve_path(context, rest);
        check_readable(source.file, reader.path("uri"), context);
    } else if (scheme == "rtsp") {
        source.kind = SourceKind::rtsp;
        host_required("rtsp://HOST[:PORT]/PATH");
    } else if (scheme == "http" || scheme == "https") {
        source.kind = SourceKind::http;
        host_required(scheme + "://HOST[:PORT]/PATH");
    } else if (scheme == "v4l2") {
        source.kind = SourceKind::v4l2;
        if (rest.rfind("/dev/", 0) != 0 || rest.size() == 5)
            reader.problem("uri", fmt::format("'{}' names no device; expected v4l2:///dev/videoN",
                                              redact_uri(uri)));
    } else if (scheme == "test") {
        source.kind = SourceKind::test;
    } else {
        reader.problem("uri", fmt::format("unsupported scheme '{}'; expected {}",
                                          uri.substr(0, separator), k_schemes));
    }
}

}  // namespace

SourceConfig check_source(const nlohmann::json& json, const std::string& path,
                          const CheckContext& context) {
    SourceConfig source;
    const ObjectReader reader(json, path, {"id", "uri", "fps", "loop", "resolution", "realtime"},
                              context.problems);
    if (!reader.is_object()) return source;
    source.id = checked_name(reader, "id", "source id");
    if (const auto uri = reader.string("uri", true)) {
        source.uri = *uri;
        check_uri(source, reader, context);
    }
    source.fps = reader.number("fps", 0.01, 1000.0);
    if (const auto text = reader.string("resolution")) {
        source.resolution = parse_resolution(*text);
        if (!source.resolution)
            reader.problem("resolution",
                           fmt::format("cannot read '{}'; expected WIDTHxHEIGHT, e.g. 1280x720 "
                                       "(1 to 16384 each)",
                                       *text));
    }
    const bool is_file = source.kind == SourceKind::file;
    for (const char* key : {"loop", "realtime"}) {
        const auto value = reader.boolean(key);
        if (!value) continue;
        if (!source.uri.empty() && !is_file) {
            reader.problem(key, fmt::format("applies to file sources only; this source is {}",
                                            to_string(source.kind)));
            continue;
        }
        (std::string_view(key) == "loop" ? source.loop : source.realtime) = *value;
    }
    return source;
}

}  // namespace es::pipeline
