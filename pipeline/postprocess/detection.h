#pragma once

#include <algorithm>
#include <string>

namespace es::pipeline {

// Box corners as fractions of the image's width and height (x_min < x_max, y_min < y_max).
struct Box {
    float x_min = 0.0f;
    float y_min = 0.0f;
    float x_max = 0.0f;
    float y_max = 0.0f;
};

// Intersection over union; 0 when either box is empty.
inline float iou(const Box& a, const Box& b) {
    const float width = std::min(a.x_max, b.x_max) - std::max(a.x_min, b.x_min);
    const float height = std::min(a.y_max, b.y_max) - std::max(a.y_min, b.y_min);
    if (width <= 0.0f || height <= 0.0f) return 0.0f;
    const float intersection = width * height;
    const float union_area = (a.x_max - a.x_min) * (a.y_max - a.y_min) +
                             (b.x_max - b.x_min) * (b.y_max - b.y_min) - intersection;
    return union_area > 0.0f ? intersection / union_area : 0.0f;
}

// One result: a box normalized to 0..1 in the source image (the whole image for a
// classification), its confidence and its label.
struct Detection {
    float x_min = 0.0f;
    float y_min = 0.0f;
    float x_max = 0.0f;
    float y_max = 0.0f;
    float confidence = 0.0f;
    int label_id = 0;
    std::string label;  // the config's label for label_id; the id as text when it has none
};

inline Box box_of(const Detection& detection) {
    return {detection.x_min, detection.y_min, detection.x_max, detection.y_max};
}

}  // namespace es::pipeline
