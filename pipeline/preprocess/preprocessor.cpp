#include "pipeline/preprocess/preprocessor.h"

#include "inference/core/error.h"

#include <opencv2/imgproc.hpp>

namespace es::pipeline {
namespace {

int opencv_depth(ElementType type, const std::string& input_name) {
    switch (type) {
        case ElementType::f32:
            return CV_32F;
        case ElementType::f16:
            return CV_16F;
        case ElementType::u8:
            return CV_8U;
        default:
            throw_bad_input(
                "model input '{}' has element type {}; preprocessing writes f32, f16 "
                "or u8",
                input_name, to_string(type));
    }
}

bool is_channel_count(int64_t dim) {
    return dim == 1 || dim == 3;
}

TensorLayout choose_layout(const PreprocessConfig& config, const PartialShape& shape,
                           const std::string& input_name) {
    const auto expected = [&](std::string_view what) {
        throw_bad_input(
            "model input '{}' has shape {}; preprocessing expects {} with 1 or 3 "
            "channels (set preprocess.layout if the model's is another)",
            input_name, es::to_string(shape), what);
    };
    if (!shape.rank_known() || shape.rank() != 4) expected("[N,C,H,W] or [N,H,W,C]");
    if (config.layout) {
        const size_t channel_axis = *config.layout == TensorLayout::nchw ? 1 : 3;
        if (!is_channel_count(shape[channel_axis]))
            expected(*config.layout == TensorLayout::nchw ? "[N,C,H,W]" : "[N,H,W,C]");
        return *config.layout;
    }
    if (is_channel_count(shape[1])) return TensorLayout::nchw;
    if (is_channel_count(shape[3])) return TensorLayout::nhwc;
    expected("[N,C,H,W] or [N,H,W,C]");
    return TensorLayout::nchw;
}

}  // namespace

Preprocessor::Preprocessor(const PreprocessConfig& config, const PartialShape& input_shape,
                           ElementType input_type, const std::string& input_name)
    : m_config(config),
      m_type(input_type),
      m_depth(opencv_depth(input_type, input_name)),
      m_layout(choose_layout(config, input_shape, input_name)) {
    const bool nchw = m_layout == TensorLayout::nchw;
    const int64_t channels = input_shape[nchw ? 1 : 3];
    const int64_t height = input_shape[nchw ? 2 : 1];
    const int64_t width = input_shape[nchw ? 3 : 2];
    if (height <= 0 || width <= 0 || height > 16384 || width > 16384)
        throw_bad_input(
            "model input '{}' has shape {}; preprocessing needs a static height and "
            "width (reshape the model)",
            input_name, to_string(input_shape));
    m_channels = static_cast<int>(channels);
    m_height = static_cast<int>(height);
    m_width = static_cast<int>(width);
    if (config.color == ColorOrder::rgb) m_source_channel = {2, 1, 0};
    for (size_t c = 0; c < 3; ++c) {
        m_alpha[c] = config.scale[c];
        m_beta[c] = -static_cast<double>(config.mean[c]) * config.scale[c];
    }
}

const cv::Mat& Preprocessor::resize(const cv::Mat& frame, const LetterboxTransform& transform) {
    const cv::Size input_size(m_width, m_height);
    if (m_config.resize == ResizeMode::stretch) {
        if (frame.size() == input_size) return frame;
        cv::resize(frame, m_resized, input_size, 0, 0, cv::INTER_LINEAR);
        return m_resized;
    }
    const cv::Rect placed(static_cast<int>(transform.pad_x), static_cast<int>(transform.pad_y),
                          transform.resized_width(), transform.resized_height());
    if (placed.size() == input_size && frame.size() == input_size) return frame;
    // The border stays as drawn while frames keep their size: only the image is redrawn.
    if (m_padded_for != frame.size() || m_resized.size() != input_size) {
        m_resized.create(input_size, CV_8UC3);
        m_resized.setTo(cv::Scalar::all(k_letterbox_pad));
        m_padded_for = frame.size();
    }
    cv::Mat inside = m_resized(placed);
    cv::resize(frame, inside, placed.size(), 0, 0, cv::INTER_LINEAR);
    return m_resized;
}

void Preprocessor::write_planar(const cv::Mat& image, std::byte* dst) {
    const size_t plane_bytes = static_cast<size_t>(m_width) * m_height * element_size(m_type);
    std::array<cv::Mat, 3> targets;
    for (size_t c = 0; c < 3; ++c)
        targets[c] = cv::Mat(m_height, m_width, m_depth, dst + c * plane_bytes);
    const bool identity =
        m_alpha == std::array<double, 3>{1, 1, 1} && m_beta == std::array<double, 3>{0, 0, 0};
    if (identity && m_depth == CV_8U) {
        std::array<cv::Mat, 3> ordered;  // frame channel → its tensor plane
        for (size_t c = 0; c < 3; ++c)
            ordered[static_cast<size_t>(m_source_channel[c])] = targets[c];
        cv::split(image, ordered.data());
        return;
    }
    cv::split(image, m_planes.data());
    for (size_t c = 0; c < 3; ++c)
        m_planes[static_cast<size_t>(m_source_channel[c])].convertTo(targets[c], m_depth,
                                                                     m_alpha[c], m_beta[c]);
}

void Preprocessor::write_interleaved(const cv::Mat& image, std::byte* dst) {
    cv::Mat target(m_height, m_width, CV_MAKETYPE(m_depth, 3), dst);
    const bool uniform = m_alpha[0] == m_alpha[1] && m_alpha[1] == m_alpha[2] &&
                         m_beta[0] == m_beta[1] && m_beta[1] == m_beta[2];
    if (uniform) {
        const cv::Mat* ordered = &image;
        if (m_config.color == ColorOrder::rgb) {
            cv::cvtColor(image, m_swapped, cv::COLOR_BGR2RGB);
            ordered = &m_swapped;
        }
        ordered->convertTo(target, m_depth, m_alpha[0], m_beta[0]);
        return;
    }
    // Row t of the matrix makes tensor channel t from the frame's channels and a constant.
    cv::Matx34f matrix = cv::Matx34f::zeros();
    for (int t = 0; t < 3; ++t) {
        matrix(t, m_source_channel[static_cast<size_t>(t)]) = static_cast<float>(m_alpha[t]);
        matrix(t, 3) = static_cast<float>(m_beta[t]);
    }
    image.convertTo(m_float, CV_32F);
    if (m_depth == CV_32F) {
        cv::transform(m_float, target, matrix);
        return;
    }
    cv::transform(m_float, m_normalized, matrix);
    m_normalized.convertTo(target, m_depth);
}

void Preprocessor::write_grey(const cv::Mat& image, std::byte* dst) {
    cv::Mat target(m_height, m_width, m_depth, dst);
    cv::cvtColor(image, m_grey, cv::COLOR_BGR2GRAY);
    m_grey.convertTo(target, m_depth, m_alpha[0], m_beta[0]);
}

LetterboxTransform Preprocessor::run(const cv::Mat& frame, Tensor& input, size_t batch_index) {
    if (frame.empty() || frame.type() != CV_8UC3)
        throw_runtime("preprocess: frame of {}x{} with OpenCV type {}; expected 8-bit BGR",
                      frame.cols, frame.rows, frame.type());
    const bool nchw = m_layout == TensorLayout::nchw;
    const Shape expected =
        nchw ? Shape{0, m_channels, m_height, m_width} : Shape{0, m_height, m_width, m_channels};
    const auto& shape = input.shape();
    if (input.type() != m_type || shape.size() != 4 || shape[1] != expected[1] ||
        shape[2] != expected[2] || shape[3] != expected[3] ||
        batch_index >= static_cast<size_t>(shape[0]))
        throw_runtime("preprocess: input tensor {}{} for image {}; expected {}[N,{},{},{}]",
                      to_string(input.type()), es::to_string(shape), batch_index, to_string(m_type),
                      expected[1], expected[2], expected[3]);

    const LetterboxTransform transform = transform_for(frame.cols, frame.rows);
    const cv::Mat& image = resize(frame, transform);
    const size_t image_bytes =
        static_cast<size_t>(m_width) * m_height * m_channels * element_size(m_type);
    std::byte* dst = input.bytes() + batch_index * image_bytes;
    if (m_channels == 1)
        write_grey(image, dst);
    else if (nchw)
        write_planar(image, dst);
    else
        write_interleaved(image, dst);
    return transform;
}

LetterboxTransform Preprocessor::transform_for(int width, int height) const {
    return m_config.resize == ResizeMode::stretch
               ? LetterboxTransform::stretch(width, height, m_width, m_height)
               : LetterboxTransform::letterbox(width, height, m_width, m_height);
}

}  // namespace es::pipeline
