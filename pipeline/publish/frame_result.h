#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace es::pipeline {

// Box corners as fractions of the frame's width and height.
struct NormalizedBox {
    float x_min = 0;
    float y_min = 0;
    float x_max = 0;
    float y_max = 0;
};

// One detected object, in the units of the published JSON.
struct ObjectResult {
    int x = 0;  // box in pixels of the source frame
    int y = 0;
    int w = 0;
    int h = 0;
    std::optional<int64_t> id;  // track id, when a tracker assigned one
    NormalizedBox bounding_box;
    float confidence = 0;
    std::string label;
    int label_id = 0;
};

// The results of one frame: one published message.
struct FrameResult {
    int64_t timestamp_ns = 0;  // wall clock (ns since the Unix epoch) of the frame
    std::string pipeline;
    std::string source;
    uint64_t frame = 0;  // the source's frame number
    int width = 0;       // resolution of the source frame
    int height = 0;
    std::vector<ObjectResult> objects;
};

}  // namespace es::pipeline
