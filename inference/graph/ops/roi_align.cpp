#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace es::graph::ops {
namespace {

enum class AlignedMode { asymmetric, half_pixel_for_nn, half_pixel };

struct RoiAlignAttributes {
    int64_t pooled_h = 0;
    int64_t pooled_w = 0;
    int64_t sampling_ratio = 0;
    float spatial_scale = 1.0f;
    bool max = false;
    AlignedMode aligned_mode = AlignedMode::asymmetric;
};

// Bounds a sampling grid so that a bad attribute or ROI cannot make the kernel run for ever.
constexpr int64_t k_max_samples_per_bin = int64_t{1} << 20;

RoiAlignAttributes read_attributes(const Attributes& attributes, int version) {
    RoiAlignAttributes result;
    result.pooled_h = attributes.get_int("pooled_h");
    result.pooled_w = attributes.get_int("pooled_w");
    if (result.pooled_h <= 0 || result.pooled_w <= 0 || result.pooled_h > (int64_t{1} << 20) ||
        result.pooled_w > (int64_t{1} << 20))
        throw_bad_input(
            "attributes 'pooled_h' and 'pooled_w' are {} and {}, expected positive "
            "sizes",
            result.pooled_h, result.pooled_w);
    result.sampling_ratio = attributes.get_int("sampling_ratio");
    if (result.sampling_ratio < 0 || result.sampling_ratio > 1024)
        throw_bad_input(
            "attribute 'sampling_ratio' is {}, expected 0 (adaptive) or a positive "
            "count up to 1024",
            result.sampling_ratio);
    const double scale = attributes.get_float("spatial_scale");
    if (!(scale > 0.0) || !std::isfinite(scale))
        throw_bad_input("attribute 'spatial_scale' is {}, expected a positive number", scale);
    result.spatial_scale = static_cast<float>(scale);
    const std::string mode = attributes.get_string("mode");
    if (mode != "avg" && mode != "max")
        throw_bad_input("attribute 'mode' is '{}', expected avg or max", mode);
    result.max = mode == "max";
    if (version >= 9) {
        const std::string aligned = attributes.get_string("aligned_mode", "asymmetric");
        if (aligned == "asymmetric")
            result.aligned_mode = AlignedMode::asymmetric;
        else if (aligned == "half_pixel_for_nn")
            result.aligned_mode = AlignedMode::half_pixel_for_nn;
        else if (aligned == "half_pixel")
            result.aligned_mode = AlignedMode::half_pixel;
        else
            throw_bad_input(
                "attribute 'aligned_mode' is '{}', expected asymmetric, "
                "half_pixel_for_nn or half_pixel",
                aligned);
    }
    return result;
}

// Output [num_rois, C, pooled_h, pooled_w].
std::vector<PortType> infer_roi_align(const InferContext& context, int version) {
    const RoiAlignAttributes attributes = read_attributes(context.attributes(), version);
    const PortType& data = context.input(0);
    const PortType& rois = context.input(1);
    if (data.type != ElementType::f32 && data.type != ElementType::f16)
        throw_bad_input("input 0 (data) has element type {}, expected f32 or f16",
                        to_string(data.type));
    if (rois.type != data.type)
        throw_bad_input("input 1 (rois) has element type {}, expected {} like the data",
                        to_string(rois.type), to_string(data.type));
    expect_integer(context, 2, "batch_indices");
    expect_rank(context, 0, 4, "data");
    expect_rank(context, 1, 2, "rois");
    expect_rank(context, 2, 1, "batch_indices");
    int64_t num_rois = k_dynamic;
    if (rois.shape.rank_known()) {
        if (rois.shape[1] >= 0 && rois.shape[1] != 4)
            throw_bad_input("input 1 (rois) has shape {}, expected [num_rois, 4]",
                            to_string(rois.shape));
        num_rois = rois.shape[0];
    }
    const PartialShape& indices = context.input(2).shape;
    if (indices.rank_known() && indices[0] >= 0) {
        if (num_rois >= 0 && indices[0] != num_rois)
            throw_bad_input("input 2 (batch_indices) has {} values, but there are {} ROIs",
                            indices[0], num_rois);
        num_rois = indices[0];
    }
    const int64_t channels = data.shape.rank_known() ? data.shape[1] : k_dynamic;
    return {
        {data.type, PartialShape{num_rois, channels, attributes.pooled_h, attributes.pooled_w}}};
}

std::vector<PortType> infer_roi_align_v3(const InferContext& context) {
    return infer_roi_align(context, 3);
}

std::vector<PortType> infer_roi_align_v9(const InferContext& context) {
    return infer_roi_align(context, 9);
}

// One bilinear sample: four data offsets within a channel plane and their weights.
struct Sample {
    size_t offsets[4] = {};
    float weights[4] = {};
};

// The sample at (y, x) of an H x W plane. Points more than one pixel outside contribute 0; the
// others clamp to the border.
Sample bilinear_sample(float y, float x, int64_t height, int64_t width) {
    Sample sample;
    if (y < -1.0f || y > static_cast<float>(height) || x < -1.0f || x > static_cast<float>(width))
        return sample;
    y = std::max(y, 0.0f);
    x = std::max(x, 0.0f);
    auto y_low = static_cast<int64_t>(y);
    auto x_low = static_cast<int64_t>(x);
    int64_t y_high = y_low + 1;
    int64_t x_high = x_low + 1;
    if (y_low >= height - 1) {
        y_low = y_high = height - 1;
        y = static_cast<float>(y_low);
    }
    if (x_low >= width - 1) {
        x_low = x_high = width - 1;
        x = static_cast<float>(x_low);
    }
    const float ly = y - static_cast<float>(y_low);
    const float lx = x - static_cast<float>(x_low);
    const float hy = 1.0f - ly;
    const float hx = 1.0f - lx;
    const int64_t offsets[4] = {y_low * width + x_low, y_low * width + x_high,
                                y_high * width + x_low, y_high * width + x_high};
    const float weights[4] = {hy * hx, hy * lx, ly * hx, ly * lx};
    for (size_t k = 0; k < 4; ++k) {
        sample.offsets[k] = static_cast<size_t>(offsets[k]);
        sample.weights[k] = weights[k];
    }
    return sample;
}

// Samples count per axis of one bin: sampling_ratio, or ceil(bin size) when adaptive.
int64_t samples_per_axis(int64_t sampling_ratio, float bin_size) {
    if (sampling_ratio > 0) return sampling_ratio;
    const float count = std::ceil(bin_size);
    if (!(count > 0.0f)) return 0;
    if (count > static_cast<float>(k_max_samples_per_bin))
        throw_bad_input("an ROI bin of size {} needs too many samples", bin_size);
    return static_cast<int64_t>(count);
}

void evaluate_roi_align(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs, int version) {
    const RoiAlignAttributes attributes = read_attributes(node.attributes, version);
    const Tensor& data = inputs[0];
    const Shape& shape = data.shape();
    const int64_t batches = shape[0];
    const int64_t channels = shape[1];
    const int64_t height = shape[2];
    const int64_t width = shape[3];
    const float* rois = inputs[1].data<float>();
    const auto batch_indices = inputs[2].to_int64s();
    const auto num_rois = static_cast<int64_t>(batch_indices.size());
    if (inputs[1].shape() != Shape{num_rois, 4})
        throw_bad_input("input 1 (rois) has shape {}, expected [{}, 4]",
                        to_string(inputs[1].shape()), num_rois);
    // half_pixel shifts the unscaled coordinates by +0.5 first; both half-pixel modes shift the
    // scaled ones by -0.5 and keep ROIs smaller than one pixel.
    const bool aligned = attributes.aligned_mode != AlignedMode::asymmetric;
    const float offset_src = attributes.aligned_mode == AlignedMode::half_pixel ? 0.5f : 0.0f;
    const float offset_dst = aligned ? -0.5f : 0.0f;
    const int64_t pooled_h = attributes.pooled_h;
    const int64_t pooled_w = attributes.pooled_w;
    const auto plane = static_cast<size_t>(height * width);
    for (int64_t roi = 0; roi < num_rois; ++roi) {
        const int64_t batch = batch_indices[static_cast<size_t>(roi)];
        if (batch < 0 || batch >= batches)
            throw_bad_input("input 2 (batch_indices) holds {} for ROI {}, expected 0..{}", batch,
                            roi, batches - 1);
    }
    if (outputs[0].size() == 0) return;
    if (height == 0 || width == 0)
        throw_bad_input("input 0 (data) has shape {}: there is nothing to pool from",
                        to_string(shape));
    const float* src = data.data<float>();
    float* dst = outputs[0].data<float>();
    const auto bins = static_cast<size_t>(pooled_h * pooled_w);
    std::vector<Sample> samples;
    for (int64_t roi = 0; roi < num_rois; ++roi) {
        const int64_t batch = batch_indices[static_cast<size_t>(roi)];
        float box[4];
        for (size_t k = 0; k < 4; ++k) {
            const float value = rois[static_cast<size_t>(roi) * 4 + k];
            if (!std::isfinite(value))
                throw_bad_input("input 1 (rois) holds {} for ROI {}", value, roi);
            box[k] = (value + offset_src) * attributes.spatial_scale + offset_dst;
        }
        float roi_w = box[2] - box[0];
        float roi_h = box[3] - box[1];
        if (!aligned) {
            roi_w = std::max(roi_w, 1.0f);
            roi_h = std::max(roi_h, 1.0f);
        }
        const float bin_w = roi_w / static_cast<float>(pooled_w);
        const float bin_h = roi_h / static_cast<float>(pooled_h);
        const int64_t samples_x = samples_per_axis(attributes.sampling_ratio, bin_w);
        const int64_t samples_y = samples_per_axis(attributes.sampling_ratio, bin_h);
        if (samples_x * samples_y > k_max_samples_per_bin)
            throw_bad_input("ROI {} needs {} x {} samples per bin", roi, samples_y, samples_x);
        const float count = static_cast<float>(samples_x * samples_y);
        const float* roi_src = src + static_cast<size_t>(batch * channels) * plane;
        float* roi_dst = dst + static_cast<size_t>(roi * channels) * bins;
        for (int64_t py = 0; py < pooled_h; ++py) {
            for (int64_t px = 0; px < pooled_w; ++px) {
                // The samples of one bin are the same for every channel.
                samples.clear();
                for (int64_t iy = 0; iy < samples_y; ++iy) {
                    const float y =
                        box[1] + static_cast<float>(py) * bin_h +
                        (static_cast<float>(iy) + 0.5f) * bin_h / static_cast<float>(samples_y);
                    for (int64_t ix = 0; ix < samples_x; ++ix) {
                        const float x =
                            box[0] + static_cast<float>(px) * bin_w +
                            (static_cast<float>(ix) + 0.5f) * bin_w / static_cast<float>(samples_x);
                        samples.push_back(bilinear_sample(y, x, height, width));
                    }
                }
                const auto bin = static_cast<size_t>(py * pooled_w + px);
                for (int64_t c = 0; c < channels; ++c) {
                    const float* channel = roi_src + static_cast<size_t>(c) * plane;
                    float sum = 0.0f;
                    float max = -std::numeric_limits<float>::infinity();
                    for (const Sample& sample : samples) {
                        float value = 0.0f;
                        for (size_t k = 0; k < 4; ++k)
                            value += sample.weights[k] * channel[sample.offsets[k]];
                        sum += value;
                        max = std::max(max, value);
                    }
                    float& out = roi_dst[static_cast<size_t>(c) * bins + bin];
                    out = samples.empty() ? 0.0f : attributes.max ? max : sum / count;
                }
            }
        }
    }
}

void evaluate_roi_align_v3(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs) {
    evaluate_roi_align(node, inputs, outputs, 3);
}

void evaluate_roi_align_v9(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs) {
    evaluate_roi_align(node, inputs, outputs, 9);
}

}  // namespace

void add_roi_align_ops(std::vector<OpDef>& ops) {
    ops.push_back({"ROIAlign", 3, 3, 3, infer_roi_align_v3, evaluate_roi_align_v3});
    ops.push_back({"ROIAlign", 9, 3, 3, infer_roi_align_v9, evaluate_roi_align_v9});
}

}  // namespace es::graph::ops
