#pragma once

namespace es::pipeline {

// Where a source image lies in the network input: input = source * scale + pad, in pixels with
// pixel edges as coordinates (as cv::resize maps them). Stretching has no padding and its own
// scale per axis; letterboxing keeps the aspect ratio and centres the image.
struct LetterboxTransform {
    int source_width = 1;
    int source_height = 1;
    int input_width = 1;
    int input_height = 1;
    float scale_x = 1.0f;
    float scale_y = 1.0f;
    float pad_x = 0.0f;  // input pixels left of the image
    float pad_y = 0.0f;  // input pixels above the image

    static LetterboxTransform stretch(int source_width, int source_height, int input_width,
                                      int input_height);
    static LetterboxTransform letterbox(int source_width, int source_height, int input_width,
                                        int input_height);

    // The size the source is resized to inside the input.
    int resized_width() const;
    int resized_height() const;

    // Input pixels → source coordinates normalized to 0..1, clamped.
    float source_x(float input_x) const;
    float source_y(float input_y) const;
    // Source pixels → input pixels.
    float input_x(float source_x_pixels) const { return source_x_pixels * scale_x + pad_x; }
    float input_y(float source_y_pixels) const { return source_y_pixels * scale_y + pad_y; }
};

}  // namespace es::pipeline
