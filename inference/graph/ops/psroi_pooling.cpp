#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>

namespace es::graph::ops {
namespace {

// PSROIPooling-1 (position-sensitive ROI pooling, R-FCN), as the OpenVINO opset specification
// and its reference implementation define it.
struct PsRoiAttributes {
    int64_t output_dim = 0;
    int64_t group_size = 1;
    float spatial_scale = 1.0f;
    bool bilinear = false;  // "bilinear"; otherwise "average"
    int64_t bins_x = 1;
    int64_t bins_y = 1;
};

constexpr int64_t k_max_size = int64_t{1} << 16;

PsRoiAttributes read_attributes(const Attributes& attributes) {
    PsRoiAttributes result;
    result.output_dim = attributes.get_int("output_dim");
    result.group_size = attributes.get_int("group_size", 1);
    const double scale = attributes.get_float("spatial_scale");
    const std::string mode = attributes.get_string("mode", "average");
    if (mode != "average" && mode != "bilinear")
        throw_bad_input("attribute 'mode' is '{}', expected 'average' or 'bilinear'", mode);
    result.bilinear = mode == "bilinear";
    if (result.output_dim <= 0 || result.output_dim > k_max_size || result.group_size <= 0 ||
        result.group_size > k_max_size)
        throw_bad_input("attributes 'output_dim' and 'group_size' are {} and {}, expected positive",
                        result.output_dim, result.group_size);
    if (!(scale > 0.0) || !std::isfinite(scale))
        throw_bad_input("attribute 'spatial_scale' is {}, expected a positive number", scale);
    result.spatial_scale = static_cast<float>(scale);
    if (result.bilinear) {
        result.bins_x = attributes.get_int("spatial_bins_x", 1);
        result.bins_y = attributes.get_int("spatial_bins_y", 1);
        if (result.bins_x <= 0 || result.bins_y <= 0 || result.bins_x > k_max_size ||
            result.bins_y > k_max_size)
            throw_bad_input(
                "attributes 'spatial_bins_x' and 'spatial_bins_y' are {} and {}, expected "
                "positive in bilinear mode",
                result.bins_x, result.bins_y);
    }
    return result;
}

// The input channels one output channel draws from: a group_size² grid of maps in average
// mode, spatial_bins_x × spatial_bins_y in bilinear mode.
int64_t maps_per_output(const PsRoiAttributes& attributes) {
    return attributes.bilinear ? attributes.bins_x * attributes.bins_y
                               : attributes.group_size * attributes.group_size;
}

// Output [num_rois, output_dim, group_size, group_size].
std::vector<PortType> infer_psroi_pooling(const InferContext& context) {
    const PsRoiAttributes attributes = read_attributes(context.attributes());
    const PortType& data = context.input(0);
    const PortType& rois = context.input(1);
    if (!is_float(data.type))
        throw_bad_input("input 0 (data) has element type {}, expected a floating-point type",
                        to_string(data.type));
    if (!is_float(rois.type))
        throw_bad_input("input 1 (rois) has element type {}, expected a floating-point type",
                        to_string(rois.type));
    expect_rank(context, 0, 4, "data");
    expect_rank(context, 1, 2, "rois");
    if (data.shape.rank_known() && data.shape[1] >= 0 &&
        data.shape[1] != attributes.output_dim * maps_per_output(attributes))
        throw_bad_input("input 0 (data) has {} channels, expected output_dim {} x {}",
                        data.shape[1], attributes.output_dim, maps_per_output(attributes));
    int64_t num_rois = k_dynamic;
    if (rois.shape.rank_known()) {
        if (rois.shape[1] >= 0 && rois.shape[1] != 5)
            throw_bad_input("input 1 (rois) has shape {}, expected [num_rois, 5]",
                            to_string(rois.shape));
        num_rois = rois.shape[0];
    }
    return {{data.type, PartialShape{num_rois, attributes.output_dim, attributes.group_size,
                                     attributes.group_size}}};
}

// Average mode: ROI corners rounded to whole pixels (the far one inclusive), each bin averaged
// over the pixels it touches, from its own input map (c_out, ph, pw).
void pool_average(const float* roi_src, const float* roi, const PsRoiAttributes& attributes,
                  int64_t height, int64_t width, float* dst) {
    const float scale = attributes.spatial_scale;
    const float start_w = std::round(roi[1]) * scale;
    const float start_h = std::round(roi[2]) * scale;
    const float end_w = (std::round(roi[3]) + 1.0f) * scale;
    const float end_h = (std::round(roi[4]) + 1.0f) * scale;
    const int64_t group = attributes.group_size;
    const float bin_w = (end_w - start_w) / static_cast<float>(group);
    const float bin_h = (end_h - start_h) / static_cast<float>(group);
    const auto plane = static_cast<size_t>(height * width);
    const auto first = [](float value, int64_t size) {
        return std::clamp<int64_t>(static_cast<int64_t>(std::floor(value)), 0, size - 1);
    };
    const auto last = [](float value, int64_t size) {
        return std::clamp<int64_t>(static_cast<int64_t>(std::ceil(value)), 0, size);
    };
    size_t map = 0;
    for (int64_t c = 0; c < attributes.output_dim; ++c) {
        for (int64_t ph = 0; ph < group; ++ph) {
            for (int64_t pw = 0; pw < group; ++pw, ++map) {
                const auto fw = static_cast<float>(pw), fh = static_cast<float>(ph);
                const int64_t x0 = first(start_w + fw * bin_w, width);
                const int64_t y0 = first(start_h + fh * bin_h, height);
                const int64_t x1 = last(start_w + (fw + 1.0f) * bin_w, width);
                const int64_t y1 = last(start_h + (fh + 1.0f) * bin_h, height);
                const float* src = roi_src + map * plane;
                float sum = 0.0f;
                for (int64_t y = y0; y < y1; ++y)
                    for (int64_t x = x0; x < x1; ++x)
                        sum += src[y * width + x];
                const int64_t count = std::max<int64_t>(x1 - x0, 0) * std::max<int64_t>(y1 - y0, 0);
                *dst++ = count > 0 ? sum / static_cast<float>(count) : 0.0f;
            }
        }
    }
}

// Bilinear mode: ROIs in [0, 1] image coordinates; each output cell averages one bilinear
// sample from each of the spatial_bins_x × spatial_bins_y maps of its output channel.
void pool_bilinear(const float* roi_src, const float* roi, const PsRoiAttributes& attributes,
                   int64_t height, int64_t width, float* dst) {
    const float scale = attributes.spatial_scale;
    const float start_w = roi[1] * scale;
    const float start_h = roi[2] * scale;
    const float end_w = roi[3] * scale;
    const float end_h = roi[4] * scale;
    const int64_t group = attributes.group_size;
    const float bin_w = (end_w - start_w) / static_cast<float>(attributes.bins_x);
    const float bin_h = (end_h - start_h) / static_cast<float>(attributes.bins_y);
    const auto w_span = static_cast<float>(width - 1);
    const auto h_span = static_cast<float>(height - 1);
    const float width_scale = group > 1 ? bin_w * w_span / static_cast<float>(group - 1) : 0.0f;
    const float height_scale = group > 1 ? bin_h * h_span / static_cast<float>(group - 1) : 0.0f;
    const auto plane = static_cast<size_t>(height * width);
    const int64_t bins = attributes.bins_x * attributes.bins_y;
    for (int64_t c = 0; c < attributes.output_dim; ++c) {
        for (int64_t ph = 0; ph < group; ++ph) {
            for (int64_t pw = 0; pw < group; ++pw) {
                float value = 0.0f;
                int64_t map = 0;
                for (int64_t by = 0; by < attributes.bins_y; ++by) {
                    for (int64_t bx = 0; bx < attributes.bins_x; ++bx, ++map) {
                        const float bin_x0 = start_w + static_cast<float>(bx) * bin_w;
                        const float bin_y0 = start_h + static_cast<float>(by) * bin_h;
                        const float x = group > 1
                                            ? static_cast<float>(pw) * width_scale + bin_x0 * w_span
                                            : (2.0f * bin_x0 + bin_w) * w_span / 2.0f;
                        const float y =
                            group > 1 ? static_cast<float>(ph) * height_scale + bin_y0 * h_span
                                      : (2.0f * bin_y0 + bin_h) * h_span / 2.0f;
                        // Points outside the map contribute 0.
                        if (!(x >= 0.0f && y >= 0.0f && x < static_cast<float>(width) &&
                              y < static_cast<float>(height)))
                            continue;
                        const auto left = static_cast<int64_t>(std::floor(x));
                        const int64_t right =
                            std::min(static_cast<int64_t>(std::ceil(x)), width - 1);
                        const auto top = static_cast<int64_t>(std::floor(y));
                        const int64_t bottom =
                            std::min(static_cast<int64_t>(std::ceil(y)), height - 1);
                        const float* src =
                            roi_src + static_cast<size_t>(map * attributes.output_dim + c) * plane;
                        const float top_value =
                            src[top * width + left] +
                            (src[top * width + right] - src[top * width + left]) *
                                (x - static_cast<float>(left));
                        const float bottom_value =
                            src[bottom * width + left] +
                            (src[bottom * width + right] - src[bottom * width + left]) *
                                (x - static_cast<float>(left));
                        value +=
                            top_value + (bottom_value - top_value) * (y - static_cast<float>(top));
                    }
                }
                *dst++ = value / static_cast<float>(bins);
            }
        }
    }
}

void evaluate_psroi_pooling(const Node& node, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs) {
    const PsRoiAttributes attributes = read_attributes(node.attributes);
    if (inputs[0].type() != ElementType::f32 || inputs[1].type() != ElementType::f32)
        throw_bad_input("element types {} and {} are not supported here, expected f32",
                        to_string(inputs[0].type()), to_string(inputs[1].type()));
    const Shape& shape = inputs[0].shape();
    const int64_t batches = shape[0], channels = shape[1], height = shape[2], width = shape[3];
    if (channels != attributes.output_dim * maps_per_output(attributes))
        throw_bad_input("input 0 (data) has {} channels, expected output_dim {} x {}", channels,
                        attributes.output_dim, maps_per_output(attributes));
    const Shape& rois_shape = inputs[1].shape();
    if (rois_shape.size() != 2 || rois_shape[1] != 5)
        throw_bad_input("input 1 (rois) has shape {}, expected [num_rois, 5]",
                        to_string(rois_shape));
    float* dst = outputs[0].data<float>();
    std::fill(dst, dst + outputs[0].size(), 0.0f);
    if (height == 0 || width == 0) return;
    const auto per_roi =
        static_cast<size_t>(attributes.output_dim * attributes.group_size * attributes.group_size);
    const auto per_item = static_cast<size_t>(channels * height * width);
    const float* rois = inputs[1].data<float>();
    for (int64_t r = 0; r < rois_shape[0]; ++r) {
        const float* roi = rois + r * 5;
        if (!std::isfinite(roi[0]) || roi[0] >= static_cast<float>(batches))
            throw_bad_input("input 1 (rois) holds batch index {} for ROI {}, expected 0..{}",
                            roi[0], r, batches - 1);
        // A negative batch index marks the rows after the last proposal (Proposal ends its list
        // with -1): their output stays 0.
        if (roi[0] < 0.0f) continue;
        const float* roi_src = inputs[0].data<float>() + static_cast<size_t>(roi[0]) * per_item;
        float* roi_dst = dst + static_cast<size_t>(r) * per_roi;
        if (attributes.bilinear)
            pool_bilinear(roi_src, roi, attributes, height, width, roi_dst);
        else
            pool_average(roi_src, roi, attributes, height, width, roi_dst);
    }
}

}  // namespace

void add_psroi_pooling_ops(std::vector<OpDef>& ops) {
    ops.push_back({"PSROIPooling", 1, 2, 2, infer_psroi_pooling, evaluate_psroi_pooling});
}

}  // namespace es::graph::ops
