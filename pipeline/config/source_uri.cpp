#include "pipeline/config/source_uri.h"

#include "pipeline/config/uri_redaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <vector>

namespace es::pipeline {
namespace {

constexpr const char* k_schemes = "file, rtsp, http(s), v4l2, test";
constexpr int k_max_dimension = 16384;
constexpr double k_max_fps = 1000.0;

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// `text` with its %XX escapes decoded; nullopt where a '%' starts no escape or one decodes to
// NUL (as glib's g_uri_unescape_string).
std::optional<std::string> percent_decode(std::string_view text) {
    std::string decoded;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            decoded += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int high = hex_digit(text[i + 1]);
        const int low = hex_digit(text[i + 2]);
        if (high < 0 || low < 0 || (high == 0 && low == 0)) return std::nullopt;
        decoded += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return decoded;
}

std::string absolute_path(const std::filesystem::path& base_dir, const std::string& text) {
    const std::filesystem::path path(text);
    return std::filesystem::absolute(path.is_absolute() ? path : base_dir / path)
        .lexically_normal()
        .string();
}

// One NAME=VALUE of a query, as written.
struct QueryItem {
    std::string_view text;
    std::string_view name;
    std::optional<std::string_view> value;  // nullopt: no '='
};

std::vector<QueryItem> split_query(std::string_view query) {
    std::vector<QueryItem> items;
    while (!query.empty()) {
        const size_t end = query.find('&');
        const std::string_view item = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
        if (item.empty()) continue;
        const size_t equals = item.find('=');
        if (equals == std::string_view::npos)
            items.push_back({item, item, std::nullopt});
        else
            items.push_back({item, item.substr(0, equals), item.substr(equals + 1)});
    }
    return items;
}

bool is_dimension(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && value >= 1 &&
           value <= k_max_dimension;
}

bool is_fps(const std::string& text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && value > 0 &&
           value <= k_max_fps;
}

// What is wrong with the test:// option `name`=`value`; empty when nothing is.
std::string test_option_problem(const std::string& name, const std::string& value,
                                const std::string& shown) {
    if (name == "pattern") {
        if (value.empty()) return fmt::format("option pattern= in '{}' is empty", shown);
    } else if (name == "width" || name == "height") {
        if (!is_dimension(value))
            return fmt::format("option {}={} in '{}'; expected an integer from 1 to {}", name,
                               value, shown, k_max_dimension);
    } else if (name == "fps") {
        if (!is_fps(value))
            return fmt::format("option fps={} in '{}'; expected a number above 0, at most {}",
                               value, shown, k_max_fps);
    } else {
        return fmt::format("unknown option '{}' in '{}'; expected pattern, width, height or fps",
                           name, shown);
    }
    return {};
}

}  // namespace

std::string_view to_string(SourceKind kind) {
    switch (kind) {
        case SourceKind::file:
            return "file";
        case SourceKind::rtsp:
            return "rtsp";
        case SourceKind::http:
            return "http";
        case SourceKind::v4l2:
            return "v4l2";
        case SourceKind::test:
            return "test";
    }
    return "?";
}

bool is_live(SourceKind kind) {
    return kind != SourceKind::file;
}

ParsedSourceUri parse_source_uri(const std::string& text, const std::filesystem::path& base_dir) {
    ParsedSourceUri parsed;
    SourceUri& uri = parsed.uri;
    uri.text = text;
    const std::string shown = redact_uri(text);
    const auto refuse = [&](std::string problem) {
        parsed.problem = std::move(problem);
        return parsed;
    };

    const size_t separator = text.find("://");
    if (separator == std::string::npos) {
        // A plain path is a file; a '%' in it is a character, not an escape.
        uri.kind = SourceKind::file;
        if (text.empty()) return refuse("empty; expected a file path or a URI");
        uri.location = absolute_path(base_dir, text);
        return parsed;
    }
    const std::string scheme = lowercase(text.substr(0, separator));
    const std::string rest = text.substr(separator + 3);
    const size_t query_start = rest.find('?');
    const std::string before_query = rest.substr(0, query_start);
    const std::string_view query = query_start == std::string::npos
                                       ? std::string_view{}
                                       : std::string_view(rest).substr(query_start + 1);
    const auto has_host = [&] {
        std::string authority = before_query.substr(0, before_query.find('/'));
        if (const size_t at = authority.rfind('@'); at != std::string::npos)
            authority = authority.substr(at + 1);
        return !authority.empty() && authority.front() != ':';
    };
    const auto no_host = [&] {
        return refuse(
            fmt::format("'{}' has no host; expected {}://HOST[:PORT]/PATH", shown, scheme));
    };

    if (scheme == "file") {
        uri.kind = SourceKind::file;
        if (rest.empty()) return refuse("file:// needs a path, e.g. file:///videos/entrance.mp4");
        // file:///abs/path, or file://relative/path for a path below the config's folder.
        uri.location = absolute_path(base_dir, percent_decode(rest).value_or(rest));
    } else if (scheme == "rtsp" || scheme == "rtsps") {
        uri.kind = SourceKind::rtsp;
        if (!has_host()) return no_host();
        // `transport` is ours; the rest of the query is the camera's, kept as written.
        std::string camera_query;
        for (const QueryItem& item : split_query(query)) {
            if (item.name != "transport") {
                camera_query += (camera_query.empty() ? "?" : "&") + std::string(item.text);
                continue;
            }
            const std::string value(item.value.value_or(""));
            if (value != "tcp" && value != "udp")
                return refuse(
                    fmt::format("transport={} in '{}'; expected tcp or udp", value, shown));
            if (!uri.options.emplace("transport", value).second)
                return refuse(fmt::format("option 'transport' given twice in '{}'", shown));
        }
        uri.location = scheme + "://" + before_query + camera_query;
    } else if (scheme == "http" || scheme == "https") {
        uri.kind = SourceKind::http;
        if (!has_host()) return no_host();
        uri.location = scheme + "://" + rest;
    } else if (scheme == "v4l2") {
        uri.kind = SourceKind::v4l2;
        if (before_query.rfind("/dev/", 0) != 0 || before_query.size() == 5)
            return refuse(fmt::format("'{}' names no device; expected v4l2:///dev/videoN", shown));
        if (const auto items = split_query(query); !items.empty())
            return refuse(fmt::format("unknown option '{}' in '{}'; v4l2:// takes none",
                                      items.front().name, shown));
        uri.location = before_query;
    } else if (scheme == "test") {
        uri.kind = SourceKind::test;
        std::string pattern = before_query;
        while (!pattern.empty() && pattern.back() == '/')
            pattern.pop_back();
        if (!pattern.empty()) uri.options["pattern"] = pattern;
        for (const QueryItem& item : split_query(query)) {
            const std::string name(item.name);
            if (!item.value)
                return refuse(fmt::format("option '{}' in '{}' has no value; expected NAME=VALUE",
                                          name, shown));
            const std::string value(*item.value);
            if (std::string problem = test_option_problem(name, value, shown); !problem.empty())
                return refuse(std::move(problem));
            if (!uri.options.emplace(name, value).second)
                return refuse(fmt::format("option '{}' given twice in '{}'", name, shown));
        }
    } else {
        return refuse(fmt::format("unsupported scheme '{}'; expected {}", text.substr(0, separator),
                                  k_schemes));
    }
    return parsed;
}

}  // namespace es::pipeline
