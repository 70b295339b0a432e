#include "pipeline/source/source_uri.h"

#include "inference/core/error.h"
#include "pipeline/config/uri_redaction.h"

#include <glib.h>

#include <filesystem>
#include <set>
#include <string_view>

namespace es::pipeline {

namespace {

std::map<std::string, std::string> parse_query(const std::string& source_id,
                                               std::string_view query) {
    std::map<std::string, std::string> options;
    while (!query.empty()) {
        const size_t end = query.find('&');
        const std::string_view item = query.substr(0, end);
        query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
        if (item.empty()) continue;
        const size_t equals = item.find('=');
        if (equals == std::string_view::npos)
            throw_bad_input("source '{}': URI option '{}' has no value (expected name=value)",
                            source_id, item);
        options.emplace(item.substr(0, equals), item.substr(equals + 1));
    }
    return options;
}

std::string unescape(const std::string& text) {
    char* unescaped = g_uri_unescape_string(text.c_str(), nullptr);
    if (!unescaped) return text;
    std::string result = unescaped;
    g_free(unescaped);
    return result;
}

void check_options(const std::string& source_id, const std::string& uri,
                   const std::map<std::string, std::string>& options,
                   const std::set<std::string>& known) {
    for (const auto& [name, value] : options) {
        if (known.count(name)) continue;
        std::string expected;
        for (const auto& option : known)
            expected += (expected.empty() ? "" : ", ") + option;
        throw_bad_input("source '{}': unknown option '{}' in '{}' (expected {})", source_id, name,
                        redact_uri(uri), expected);
    }
}

void check_positive(const std::string& source_id, const std::map<std::string, std::string>& options,
                    const std::string& name) {
    const auto found = options.find(name);
    if (found == options.end()) return;
    try {
        size_t used = 0;
        if (std::stod(found->second, &used) > 0 && used == found->second.size()) return;
    } catch (const std::exception&) {
    }
    throw_bad_input("source '{}': option {}={} must be a positive number", source_id, name,
                    found->second);
}

}  // namespace

SourceUri parse_source_uri(const std::string& source_id, const std::string& uri) {
    const size_t scheme_end = uri.find("://");
    if (scheme_end == std::string::npos)
        throw_bad_input(
            "source '{}': URI '{}' has no scheme (expected file://, rtsp://, http://, https://, "
            "v4l2:// or test://)",
            source_id, redact_uri(uri));
    const std::string scheme = uri.substr(0, scheme_end);
    const std::string rest = uri.substr(scheme_end + 3);
    const size_t query_start = rest.find('?');
    const std::string before_query = rest.substr(0, query_start);
    const std::string query = query_start == std::string::npos ? "" : rest.substr(query_start + 1);

    SourceUri result;
    if (scheme == "file") {
        result.kind = SourceKind::File;
        // file:///abs/path, or file://relative/path for a path below the working folder.
        std::filesystem::path path = unescape(rest);
        if (path.empty())
            throw_bad_input("source '{}': URI '{}' names no file", source_id, redact_uri(uri));
        path = std::filesystem::absolute(path);
        gchar* file_uri = g_filename_to_uri(path.c_str(), nullptr, nullptr);
        if (!file_uri)
            throw_bad_input("source '{}': '{}' is not a valid file path", source_id,
                            redact_uri(uri));
        result.location = file_uri;
        g_free(file_uri);
    } else if (scheme == "rtsp" || scheme == "rtsps") {
        result.kind = SourceKind::Rtsp;
        // `transport` is ours; any other query parameter belongs to the camera's URL.
        std::string camera_query;
        for (const auto& [name, value] : parse_query(source_id, query)) {
            if (name == "transport") {
                if (value != "tcp" && value != "udp")
                    throw_bad_input("source '{}': transport={} in '{}' (expected tcp or udp)",
                                    source_id, value, redact_uri(uri));
                result.options[name] = value;
            } else {
                camera_query += (camera_query.empty() ? "?" : "&") + name + "=" + value;
            }
        }
        result.location = scheme + "://" + before_query + camera_query;
    } else if (scheme == "http" || scheme == "https") {
        result.kind = SourceKind::Http;
        result.location = uri;
    } else if (scheme == "v4l2") {
        result.kind = SourceKind::V4l2;
        result.location = before_query.empty() ? "/dev/video0" : before_query;
        result.options = parse_query(source_id, query);
        check_options(source_id, uri, result.options, {});
    } else if (scheme == "test") {
        result.kind = SourceKind::Test;
        result.options = parse_query(source_id, query);
        check_options(source_id, uri, result.options, {"pattern", "width", "height", "fps"});
        for (const char* name : {"width", "height", "fps"})
            check_positive(source_id, result.options, name);
    } else {
        throw_bad_input(
            "source '{}': unsupported URI scheme '{}' in '{}' (expected file, rtsp, http, https, "
            "v4l2 or test)",
            source_id, scheme, redact_uri(uri));
    }
    return result;
}

bool is_live(SourceKind kind) {
    return kind != SourceKind::File;
}

}  // namespace es::pipeline
