#include "pipeline/preprocess/image_inputs.h"

#include "inference/core/error.h"
#include "pipeline/preprocess/preprocessor.h"

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

namespace es::pipeline {
namespace {

bool is_channel_count(int64_t dim) {
    return dim == 1 || dim == 3;
}

// `image` (8-bit BGR) written by a Preprocessor into every batch item of a new f32 tensor.
Tensor tensor_of(const cv::Mat& image, const ImageInputShape& shape, const PartialShape& port,
                 const std::string& name) {
    PreprocessConfig config;
    config.layout = shape.layout;
    Preprocessor preprocessor(config, port, ElementType::f32, name);
    const Shape dims = shape.layout == TensorLayout::nchw
                           ? Shape{shape.batch, shape.channels, shape.height, shape.width}
                           : Shape{shape.batch, shape.height, shape.width, shape.channels};
    Tensor tensor(ElementType::f32, dims);
    for (int64_t i = 0; i < shape.batch; ++i)
        preprocessor.run(image, tensor, static_cast<size_t>(i));
    return tensor;
}

std::string describe(const runtime::PortInfo& input, const ImageInputShape& shape) {
    return fmt::format("input '{}' {} {}", input.name, to_string(input.type.shape),
                       shape.layout == TensorLayout::nchw ? "NCHW" : "NHWC");
}

// The integer k >= 2 with `other` k times `target` in height and width; 0 when there is none.
int64_t upscale_factor(const ImageInputShape& target, const ImageInputShape& other) {
    if (other.channels != target.channels || other.height % target.height != 0) return 0;
    const int64_t k = other.height / target.height;
    return k >= 2 && other.width == k * target.width ? k : 0;
}

}  // namespace

std::optional<ImageInputShape> image_input_shape(const PartialShape& shape) {
    if (!shape.rank_known() || shape.rank() != 4) return std::nullopt;
    ImageInputShape result;
    if (is_channel_count(shape[1])) {
        result.layout = TensorLayout::nchw;
    } else if (is_channel_count(shape[3])) {
        result.layout = TensorLayout::nhwc;
    } else {
        return std::nullopt;
    }
    const bool nchw = result.layout == TensorLayout::nchw;
    const int64_t height = shape[nchw ? 2 : 1];
    const int64_t width = shape[nchw ? 3 : 2];
    if (height <= 0 || width <= 0 || height > 16384 || width > 16384 || shape[0] == 0 ||
        shape[0] > 64)
        return std::nullopt;
    result.batch = shape[0] > 0 ? shape[0] : 1;
    result.channels = static_cast<int>(shape[nchw ? 1 : 3]);
    result.height = static_cast<int>(height);
    result.width = static_cast<int>(width);
    return result;
}

std::vector<ImageFeed> image_feeds(const cv::Mat& image,
                                   const std::vector<runtime::PortInfo>& inputs,
                                   std::optional<size_t> target, const std::vector<bool>& given) {
    if (image.empty() || image.type() != CV_8UC3)
        throw_bad_input("--image: expected an 8-bit colour image");
    std::vector<std::optional<ImageInputShape>> shapes;
    for (const auto& input : inputs)
        shapes.push_back(image_input_shape(input.type.shape));
    const auto is_given = [&](size_t i) { return i < given.size() && given[i]; };

    std::optional<size_t> chosen = target;
    if (chosen) {
        if (*chosen >= inputs.size())
            throw_bad_input("--image: the model has only {} inputs", inputs.size());
        if (!shapes[*chosen])
            throw_bad_input(
                "--image: input '{}' has shape {}; expected [N,C,H,W] or [N,H,W,C] with C 1 or 3 "
                "and known H and W (use --shape)",
                inputs[*chosen].name, to_string(inputs[*chosen].type.shape));
    } else {
        for (size_t i = 0; i < inputs.size(); ++i) {
            if (!shapes[i] || is_given(i)) continue;
            const auto pixels = [&](size_t j) {
                return static_cast<int64_t>(shapes[j]->height) * shapes[j]->width;
            };
            if (!chosen || pixels(i) < pixels(*chosen)) chosen = i;
        }
        if (!chosen) {
            std::string listed;
            for (const auto& input : inputs)
                listed += fmt::format("{}'{}' {}", listed.empty() ? "" : ", ", input.name,
                                      to_string(input.type.shape));
            throw_bad_input(
                "--image: no model input takes an image ([N,C,H,W] or [N,H,W,C] with C 1 or 3 "
                "and known H and W; use --shape); inputs: {}",
                listed);
        }
    }

    const ImageInputShape& shape = *shapes[*chosen];
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(shape.width, shape.height), 0, 0, cv::INTER_LINEAR);
    std::vector<ImageFeed> feeds;
    feeds.push_back(
        {*chosen, tensor_of(resized, shape, inputs[*chosen].type.shape, inputs[*chosen].name),
         describe(inputs[*chosen], shape) +
             (shape.channels == 1 ? ": the image, grey 0..255" : ": the image, BGR 0..255")});
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (i == *chosen || is_given(i) || !shapes[i]) continue;
        const int64_t k = upscale_factor(shape, *shapes[i]);
        if (k == 0) continue;
        cv::Mat upscaled;
        cv::resize(resized, upscaled, cv::Size(shapes[i]->width, shapes[i]->height), 0, 0,
                   cv::INTER_CUBIC);
        feeds.push_back({i, tensor_of(upscaled, *shapes[i], inputs[i].type.shape, inputs[i].name),
                         fmt::format("{}: the image upscaled x{} (bicubic)",
                                     describe(inputs[i], *shapes[i]), k)});
    }
    return feeds;
}

void require_all_inputs(const std::vector<runtime::PortInfo>& inputs,
                        const std::vector<bool>& filled) {
    for (size_t i = 0; i < inputs.size(); ++i)
        if (i >= filled.size() || !filled[i])
            throw_bad_input("input '{}' {} has no value: give it with --input {}=FILE.npy",
                            inputs[i].name, to_string(inputs[i].type.shape), inputs[i].name);
}

}  // namespace es::pipeline
