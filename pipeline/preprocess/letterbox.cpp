#include "pipeline/preprocess/letterbox.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {

LetterboxTransform LetterboxTransform::stretch(int source_width, int source_height, int input_width,
                                               int input_height) {
    LetterboxTransform transform{source_width, source_height, input_width, input_height};
    transform.scale_x = static_cast<float>(input_width) / static_cast<float>(source_width);
    transform.scale_y = static_cast<float>(input_height) / static_cast<float>(source_height);
    return transform;
}

LetterboxTransform LetterboxTransform::letterbox(int source_width, int source_height,
                                                 int input_width, int input_height) {
    LetterboxTransform transform{source_width, source_height, input_width, input_height};
    const double scale = std::min(static_cast<double>(input_width) / source_width,
                                  static_cast<double>(input_height) / source_height);
    const int width =
        std::clamp(static_cast<int>(std::lround(source_width * scale)), 1, input_width);
    const int height =
        std::clamp(static_cast<int>(std::lround(source_height * scale)), 1, input_height);
    // The ratios cv::resize uses for this destination size.
    transform.scale_x = static_cast<float>(width) / static_cast<float>(source_width);
    transform.scale_y = static_cast<float>(height) / static_cast<float>(source_height);
    transform.pad_x = static_cast<float>((input_width - width) / 2);
    transform.pad_y = static_cast<float>((input_height - height) / 2);
    return transform;
}

int LetterboxTransform::resized_width() const {
    return static_cast<int>(std::lround(source_width * scale_x));
}

int LetterboxTransform::resized_height() const {
    return static_cast<int>(std::lround(source_height * scale_y));
}

float LetterboxTransform::source_x(float input_x) const {
    return std::clamp((input_x - pad_x) / scale_x / static_cast<float>(source_width), 0.0f, 1.0f);
}

float LetterboxTransform::source_y(float input_y) const {
    return std::clamp((input_y - pad_y) / scale_y / static_cast<float>(source_height), 0.0f, 1.0f);
}

}  // namespace es::pipeline
