#pragma once

#include <string>

namespace es::pipeline {

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

}  // namespace es::pipeline
