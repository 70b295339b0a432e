#pragma once

#include "pipeline/postprocess/detection.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace es::pipeline {

// What a second model (pipeline/classify) says about an object: one entry of its "tensors", as
// DL Streamer's gvametaconvert publishes them.
struct ObjectAttribute {
    std::string name;            // the attribute
    std::string model;           // the classifier's model
    std::optional<float> value;  // set for an output of one number; otherwise class scores:
    std::string label;           // the top class
    int label_id = 0;
    float confidence = 0;
};

// One detected object, in the units of the published JSON.
struct ObjectResult {
    int x = 0;  // box in pixels of the source frame
    int y = 0;
    int w = 0;
    int h = 0;
    std::optional<int64_t> id;  // track id, when a tracker assigned one
    bool predicted = false;     // tracked but not detected in this frame: the box is predicted
    Box bounding_box;           // fractions of the frame's width and height
    float confidence = 0;
    std::string label;
    int label_id = 0;
    std::vector<ObjectAttribute> tensors;  // from the classifiers
};

// `object`'s box: `box` and the pixels it covers in a frame of `width` × `height`.
inline void set_box(ObjectResult& object, const Box& box, int width, int height) {
    object.x = static_cast<int>(std::lround(box.x_min * static_cast<float>(width)));
    object.y = static_cast<int>(std::lround(box.y_min * static_cast<float>(height)));
    object.w = static_cast<int>(std::lround(box.x_max * static_cast<float>(width))) - object.x;
    object.h = static_cast<int>(std::lround(box.y_max * static_cast<float>(height))) - object.y;
    object.bounding_box = box;
}

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

// One track event: one published message.
struct EventResult {
    int64_t timestamp_ns = 0;  // wall clock (ns since the Unix epoch) of the frame it happened in
    std::string pipeline = {};
    std::string source = {};
    uint64_t frame = 0;        // the source's frame number
    std::string type = {};     // "new", "end", "enter", "leave"
    std::string zone = {};     // enter and leave: the zone's name
    ObjectResult object = {};  // the track: `id` set; for "end", its last reported box
};

}  // namespace es::pipeline
