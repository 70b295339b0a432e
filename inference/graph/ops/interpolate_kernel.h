#pragma once

#include "inference/core/tensor.h"
#include "inference/graph/node.h"

#include <cstdint>
#include <vector>

// The reference resampling kernel behind Interpolate-1, -4 and -11.
namespace es::graph::ops::interpolate {

enum class Mode { nearest, linear, linear_onnx, cubic, area, bilinear_pillow, bicubic_pillow };
enum class Transform {
    half_pixel,
    pytorch_half_pixel,
    asymmetric,
    tf_half_pixel_for_nn,
    align_corners
};
enum class Rounding { round_prefer_floor, round_prefer_ceil, floor, ceil, simple };

// Interpolate-4/11 attributes (Interpolate-1 is expressed in these terms).
struct Config {
    Mode mode = Mode::nearest;
    Transform transform = Transform::half_pixel;
    Rounding rounding = Rounding::round_prefer_floor;  // nearest_mode
    bool antialias = false;
    float cube_coeff = -0.75f;
    bool use_scales = false;  // shape_calculation_mode == scales
    std::vector<int64_t> pads_begin;
    std::vector<int64_t> pads_end;
};

// One resized axis: its index, padded input length, output length, and the scale the
// coordinate transforms divide by.
struct AxisResize {
    size_t axis;
    int64_t in_len;
    int64_t out_len;
    float scale;
};

// Output position o of one axis reads src[index[k]] * weight[k] for k in offsets[o]..offsets[o+1].
struct AxisTaps {
    std::vector<size_t> offsets{0};
    std::vector<int64_t> index;
    std::vector<float> weight;

    void add(int64_t i, float w) {
        index.push_back(i);
        weight.push_back(w);
    }
    void next() { offsets.push_back(index.size()); }
};

// linear_onnx's two taps per output position of one axis (config.transform decides where).
AxisTaps linear_onnx_taps(const Config& config, const AxisResize& r);

// The taps of one axis in `config`'s mode without antialiasing (nearest: one of weight 1 per
// output position): what `resample` sums, one axis after the other.
AxisTaps taps_of(const Config& config, const AxisResize& r);

// The resampling an Interpolate node (-1, -4 or -11) asks for, from its attributes and rank.
Config config_of(const graph::Node& node);

// Resizes `src` (already padded) into `dst`, whose shape differs from src's only on `axes`.
void resample(const Config& config, const std::vector<AxisResize>& axes, const Tensor& src,
              Tensor& dst);

// `src` with pads_begin[d] zeros before and pads_end[d] after each dimension d.
Tensor pad_zeros(const Tensor& src, const std::vector<int64_t>& pads_begin,
                 const std::vector<int64_t>& pads_end);

}  // namespace es::graph::ops::interpolate
