#pragma once

#include <map>
#include <string>

namespace es::pipeline {

enum class SourceKind { File, Rtsp, Http, V4l2, Test };

// A source URI taken apart: where GStreamer reads from and the options edgesight adds.
struct SourceUri {
    SourceKind kind = SourceKind::File;
    std::string location;  // file:// URI, rtsp:// or http(s):// URL, or V4L2 device path
    std::map<std::string, std::string> options;  // rtsp: transport; test: pattern, width, ...
};

// Throws es::Error (BadInput) naming `source_id` for an unknown scheme or option.
SourceUri parse_source_uri(const std::string& source_id, const std::string& uri);

// Live sources run at their own pace and drop frames a slow consumer misses.
bool is_live(SourceKind kind);

}  // namespace es::pipeline
