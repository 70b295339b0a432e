#pragma once

#include "inference/core/tensor.h"
#include "pipeline/config/config.h"
#include "pipeline/preprocess/letterbox.h"

#include <opencv2/core.hpp>

#include <array>
#include <string>

namespace es::pipeline {

// Puts frames into a model's input tensor: resize (stretch, or letterbox: aspect ratio kept,
// centred, the border filled with k_letterbox_pad in every channel before normalization),
// colour order, value = (pixel - mean) * scale, layout NCHW or NHWC, element type f32, f16 or u8
// (u8 values rounded and saturated). Built once per model input; run() reuses its buffers, so
// frames of an unchanged size allocate nothing.
class Preprocessor {
  public:
    static constexpr int k_letterbox_pad = 114;

    // `input_shape`: [N,C,H,W] or [N,H,W,C] with C 1 (grey) or 3 and static H and W; N may be
    // dynamic. Throws es::Error (BadInput) naming `input_name` when the input does not fit.
    Preprocessor(const PreprocessConfig& config, const PartialShape& input_shape,
                 ElementType input_type, const std::string& input_name = "input");

    // Writes `frame` (8-bit BGR) as image `batch_index` of `input`, a tensor of the model
    // input's type and shape; returns where the frame lies in the network input. Throws
    // es::Error (Runtime) when the frame or the tensor does not fit.
    LetterboxTransform run(const cv::Mat& frame, Tensor& input, size_t batch_index);
    // Where a frame of `width` x `height` lies in the network input.
    LetterboxTransform transform_for(int width, int height) const;

    TensorLayout layout() const { return m_layout; }
    int width() const { return m_width; }
    int height() const { return m_height; }
    int channels() const { return m_channels; }

  private:
    const cv::Mat& resize(const cv::Mat& frame, const LetterboxTransform& transform);
    void write_planar(const cv::Mat& image, std::byte* dst);
    void write_interleaved(const cv::Mat& image, std::byte* dst);
    void write_grey(const cv::Mat& image, std::byte* dst);

    PreprocessConfig m_config;
    ElementType m_type;
    int m_depth;  // OpenCV depth of m_type
    TensorLayout m_layout;
    int m_width = 0;
    int m_height = 0;
    int m_channels = 0;
    std::array<int, 3> m_source_channel{0, 1, 2};  // the frame channel of each tensor channel
    std::array<double, 3> m_alpha{1, 1, 1};        // value = pixel * alpha + beta
    std::array<double, 3> m_beta{0, 0, 0};

    cv::Size m_padded_for;  // the frame size m_resized's letterbox border was drawn for
    cv::Mat m_resized;
    cv::Mat m_swapped;
    cv::Mat m_grey;
    cv::Mat m_float;
    cv::Mat m_normalized;
    std::array<cv::Mat, 3> m_planes;
};

}  // namespace es::pipeline
