#pragma once

// One image for a whole model, as `edgesight infer --image` gives it: which inputs it fills and
// how (the Open Model Zoo convention: resized to the input's H×W, BGR, 0..255 as float).

#include "inference/core/tensor.h"
#include "inference/runtime/infer_request.h"
#include "pipeline/config/config.h"

#include <opencv2/core.hpp>

#include <optional>
#include <string>
#include <vector>

namespace es::pipeline {

// An input an image can fill: rank 4 with static H and W and 1 or 3 channels, NCHW when
// dimension 1 is 1 or 3, otherwise NHWC when dimension 3 is (the Preprocessor's rule).
struct ImageInputShape {
    TensorLayout layout = TensorLayout::nchw;
    int64_t batch = 1;  // 1 where the model's batch is dynamic
    int channels = 0;
    int height = 0;
    int width = 0;
};
std::optional<ImageInputShape> image_input_shape(const PartialShape& shape);

// What one input receives.
struct ImageFeed {
    size_t input = 0;  // index in the model's inputs
    Tensor tensor;     // f32, every batch item the same image
    std::string note;  // for the user: which input, its shape and layout, what it holds
};

// The tensors an image gives a model whose inputs are `inputs`; `given[i]` marks the inputs the
// caller fills otherwise, which are left alone.
//   - The image goes to input `target`, or without one to the image-like input
//     with the fewest pixels that is not given (the first such in model order).
//   - Every other image-like input not given, with the same channels and k times the target's
//     height and width (an integer k >= 2), gets the target's image upscaled bicubically: the
//     second input of super-resolution models, fed as Open Model Zoo's demo feeds it.
// Throws es::Error (BadInput) naming the input when `target` is not image-like, or listing the
// inputs when none is.
std::vector<ImageFeed> image_feeds(const cv::Mat& image,
                                   const std::vector<runtime::PortInfo>& inputs,
                                   std::optional<size_t> target, const std::vector<bool>& given);

// Throws es::Error (BadInput) naming the first input not marked in `filled`, with how to give it.
void require_all_inputs(const std::vector<runtime::PortInfo>& inputs,
                        const std::vector<bool>& filled);

}  // namespace es::pipeline
