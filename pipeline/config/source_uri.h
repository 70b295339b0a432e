#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

// A pipeline source's URI, as both the config check and the source read it: what `edgesight
// check` accepts is exactly what the source opens.
namespace es::pipeline {

enum class SourceKind { file, rtsp, http, v4l2, test };

std::string_view to_string(SourceKind kind);

// Live sources run at their own pace and drop frames a slow consumer misses.
bool is_live(SourceKind kind);

// A source URI taken apart: where GStreamer reads from and the options edgesight adds.
struct SourceUri {
    std::string text;  // as written; what logs show, through redact_uri()
    SourceKind kind = SourceKind::file;
    // file: the video's absolute path; rtsp: the camera's URL without our options; http: the
    // URL; v4l2: the device path; test: empty.
    std::string location;
    // rtsp: transport (tcp or udp); test: pattern, width, height, fps.
    std::map<std::string, std::string> options;

    bool operator==(const SourceUri&) const = default;
};

// A parsed URI, or what is wrong with it (`problem` not empty).
struct ParsedSourceUri {
    SourceUri uri;
    std::string problem;  // "'rtsp:///stream' has no host; expected rtsp://HOST[:PORT]/PATH"
};

// Reads a source URI: a plain path or file://PATH (percent-escapes decoded) is a file, a
// relative one taken from `base_dir`; rtsp:// and rtsps:// with an optional `transport=tcp|udp`
// (the rest of the query is the camera's); http:// and https://; v4l2:///dev/videoN;
// test://[PATTERN][?pattern=P&width=W&height=H&fps=F]. Schemes are case-insensitive. Whether a
// file exists, and whether GStreamer knows a test pattern, are left to the caller.
ParsedSourceUri parse_source_uri(const std::string& text, const std::filesystem::path& base_dir);

}  // namespace es::pipeline
