#pragma once

#include "pipeline/config/source_uri.h"
#include "pipeline/source/resolution.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace es::pipeline {

// One video source of a pipeline, as the config describes it.
struct SourceSpec {
    std::string id;     // names the source in logs, frames and MQTT topics
    SourceUri uri;      // as parse_source_uri() read it
    double fps = 0;     // > 0: drop frames down to this rate; 0: the source's rate
    bool loop = false;  // files: start again at the end
    std::optional<Resolution> resolution;  // scale frames to this size; unset: the source's size
    // Where `resolution` is unset: the size a consumer resizes frames of a stream of the given
    // size to anyway (a model input's). Frames are scaled down to it at decode, before the
    // colour conversion, and keep the stream's size as their width and height.
    std::function<Resolution(Resolution stream)> decode_size;
    bool realtime = false;  // files: deliver at the file's pace instead of at once
};

// When a failed or ended source is tried again.
struct RetryPolicy {
    std::chrono::milliseconds first_delay{1000};  // doubled after each failed attempt ...
    std::chrono::milliseconds max_delay{30000};   // ... up to this
    // A source that delivers no first frame for this long, or a live source that stops
    // delivering for this long, counts as failed.
    std::chrono::milliseconds stall_timeout{10000};
};

}  // namespace es::pipeline
