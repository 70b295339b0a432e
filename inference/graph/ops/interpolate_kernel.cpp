#include "inference/graph/ops/interpolate_kernel.h"

#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>

namespace es::graph::ops::interpolate {
namespace {

// Computed in float, as OpenVINO does, so that ties in nearest rounding fall the same way.
float source_coordinate(Transform transform, int64_t resized, const AxisResize& r) {
    const auto x = static_cast<float>(resized);
    const auto out_len = static_cast<float>(r.out_len);
    const auto in_len = static_cast<float>(r.in_len);
    if (r.scale == 1.0f || r.out_len == r.in_len) return x;
    switch (transform) {
        case Transform::half_pixel:
            return (x + 0.5f) / r.scale - 0.5f;
        case Transform::pytorch_half_pixel:
            return r.out_len > 1 ? (x + 0.5f) / r.scale - 0.5f : 0.0f;
        case Transform::asymmetric:
            return x / r.scale;
        case Transform::tf_half_pixel_for_nn:
            return (x + 0.5f) / r.scale;
        case Transform::align_corners:
            return r.out_len == 1 ? 0.0f : x * (in_len - 1) / (out_len - 1);
    }
    return x;
}

int64_t round_coordinate(Rounding rounding, float x, bool downsample) {
    switch (rounding) {
        case Rounding::round_prefer_floor:
            if (x == static_cast<float>(static_cast<int64_t>(x)) + 0.5f)
                return static_cast<int64_t>(std::floor(x));
            return static_cast<int64_t>(std::round(x));
        case Rounding::round_prefer_ceil:
            return static_cast<int64_t>(std::round(x));
        case Rounding::floor:
            return static_cast<int64_t>(std::floor(x));
        case Rounding::ceil:
            return static_cast<int64_t>(std::ceil(x));
        case Rounding::simple:
            return downsample ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(x);
    }
    return 0;
}

int64_t clamp_index(int64_t i, int64_t len) {
    return std::clamp<int64_t>(i, 0, len - 1);
}

std::vector<int64_t> nearest_source(const Config& config, const AxisResize& r) {
    std::vector<int64_t> indices(static_cast<size_t>(r.out_len));
    for (int64_t o = 0; o < r.out_len; ++o) {
        const float x = source_coordinate(config.transform, o, r);
        indices[o] = clamp_index(round_coordinate(config.rounding, x, r.scale < 1.0f), r.in_len);
    }
    return indices;
}

// Keys' cubic convolution kernel with parameter a (also Pillow's bicubic filter).
double cubic_kernel(double x, double a) {
    x = std::fabs(x);
    if (x <= 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

// Four neighbours floor(x) - 1 … floor(x) + 2, clamped to the axis, weighted by the kernel.
AxisTaps cubic_taps(const Config& config, const AxisResize& r) {
    AxisTaps taps;
    for (int64_t o = 0; o < r.out_len; ++o) {
        const float x = source_coordinate(config.transform, o, r);
        const float base = std::floor(x);
        const float s = x - base;
        for (int64_t k = -1; k <= 2; ++k)
            taps.add(
                clamp_index(static_cast<int64_t>(base) + k, r.in_len),
                static_cast<float>(cubic_kernel(s - static_cast<float>(k), config.cube_coeff)));
        taps.next();
    }
    return taps;
}

// Triangle filter over round(x) ± r, widened by 1 / scale when antialiasing a downscale.
// OpenVINO normalizes by the sum of weight products over in-range points; that sum factors
// into per-axis sums, so each axis is normalized on its own (an all-zero axis stays zero).
AxisTaps linear_taps(const Config& config, const AxisResize& r, bool antialias) {
    AxisTaps taps;
    const float a = antialias ? r.scale : 1.0f;
    const double reach = r.scale > 1.0f ? 2.0 : std::ceil(2.0 / a);
    const auto radius = static_cast<int64_t>(std::min(reach, static_cast<double>(r.in_len) + 2));
    for (int64_t o = 0; o < r.out_len; ++o) {
        const float x = source_coordinate(config.transform, o, r);
        const auto center = static_cast<int64_t>(std::round(x));
        const size_t first = taps.index.size();
        float sum = 0.0f;
        for (int64_t i = std::max<int64_t>(0, center - radius);
             i <= std::min(r.in_len - 1, center + radius); ++i) {
            const float w = a * std::max(0.0f, 1.0f - std::fabs(a * (x - static_cast<float>(i))));
            taps.add(i, w);
            sum += w;
        }
        if (sum != 0.0f)
            for (size_t k = first; k < taps.weight.size(); ++k)
                taps.weight[k] /= sum;
        taps.next();
    }
    return taps;
}

// Box filter: output cell o covers [o, o + 1) * in_len / out_len; each input cell weighs by
// its overlap.
AxisTaps area_taps(const AxisResize& r) {
    AxisTaps taps;
    const double step = static_cast<double>(r.in_len) / static_cast<double>(r.out_len);
    for (int64_t o = 0; o < r.out_len; ++o) {
        const double begin = static_cast<double>(o) * step;
        const double end = std::min(begin + step, static_cast<double>(r.in_len));
        const auto last = std::min(static_cast<int64_t>(std::ceil(end)), r.in_len);
        for (auto i = static_cast<int64_t>(begin); i < last; ++i) {
            const double overlap = std::min(end, i + 1.0) - std::max(begin, static_cast<double>(i));
            if (overlap > 0.0) taps.add(i, static_cast<float>(overlap / step));
        }
        taps.next();
    }
    return taps;
}

// Pillow's resampling (Resample.c): the filter stretched by in/out when downscaling, centred on
// (o + 0.5) * in/out, normalized over the input cells it covers.
AxisTaps pillow_taps(const Config& config, const AxisResize& r) {
    const bool bicubic = config.mode == Mode::bicubic_pillow;
    const double scale = static_cast<double>(r.in_len) / static_cast<double>(r.out_len);
    const double filter_scale = std::max(scale, 1.0);
    const double support = (bicubic ? 2.0 : 1.0) * filter_scale;
    AxisTaps taps;
    for (int64_t o = 0; o < r.out_len; ++o) {
        const double center = (static_cast<double>(o) + 0.5) * scale;
        const int64_t first = std::max<int64_t>(0, static_cast<int64_t>(center - support + 0.5));
        const int64_t last = std::min(r.in_len, static_cast<int64_t>(center + support + 0.5));
        std::vector<double> weights;
        double sum = 0.0;
        for (int64_t i = first; i < last; ++i) {
            const double x = (static_cast<double>(i) - center + 0.5) / filter_scale;
            const double w =
                bicubic ? cubic_kernel(x, config.cube_coeff) : std::max(0.0, 1.0 - std::fabs(x));
            weights.push_back(w);
            sum += w;
        }
        for (int64_t i = first; i < last; ++i)
            taps.add(i, static_cast<float>(sum != 0.0 ? weights[i - first] / sum : 0.0));
        taps.next();
    }
    return taps;
}

AxisTaps filter_taps(const Config& config, const AxisResize& r, bool antialias) {
    switch (config.mode) {
        case Mode::linear:
            return linear_taps(config, r, antialias);
        case Mode::linear_onnx:
            return linear_onnx_taps(config, r);
        case Mode::cubic:
            return cubic_taps(config, r);
        case Mode::area:
            return area_taps(r);
        case Mode::bilinear_pillow:
        case Mode::bicubic_pillow:
            return pillow_taps(config, r);
        case Mode::nearest:
            break;
    }
    throw_runtime("interpolate: mode has no filter taps");
}

// Resamples `axis` of a row-major buffer of `shape`; the innermost loop runs over the
// contiguous dimensions after the axis.
template <typename Acc>
std::vector<Acc> resample_axis(const std::vector<Acc>& src, Shape& shape, size_t axis,
                               const AxisTaps& taps) {
    const auto product = [&](size_t from, size_t to) {
        return std::accumulate(shape.begin() + from, shape.begin() + to, size_t{1},
                               std::multiplies<>());
    };
    const size_t outer = product(0, axis);
    const size_t inner = product(axis + 1, shape.size());
    const auto in_len = static_cast<size_t>(shape[axis]);
    const size_t out_len = taps.offsets.size() - 1;
    std::vector<Acc> dst(outer * out_len * inner, Acc{0});
    for (size_t n = 0; n < outer; ++n) {
        const Acc* src_block = src.data() + n * in_len * inner;
        Acc* dst_block = dst.data() + n * out_len * inner;
        for (size_t o = 0; o < out_len; ++o) {
            Acc* dst_row = dst_block + o * inner;
            for (size_t k = taps.offsets[o]; k < taps.offsets[o + 1]; ++k) {
                const auto w = static_cast<Acc>(taps.weight[k]);
                const Acc* src_row = src_block + static_cast<size_t>(taps.index[k]) * inner;
                for (size_t i = 0; i < inner; ++i)
                    dst_row[i] += w * src_row[i];
            }
        }
    }
    shape[axis] = static_cast<int64_t>(out_len);
    return dst;
}

// Integer outputs round to nearest and saturate.
template <typename T, typename Acc>
T to_element(Acc value) {
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(value);
    } else {
        value = std::round(value);
        if (!(value > static_cast<Acc>(std::numeric_limits<T>::lowest())))
            return std::numeric_limits<T>::lowest();
        if (value >= static_cast<Acc>(std::numeric_limits<T>::max()))
            return std::numeric_limits<T>::max();
        return static_cast<T>(value);
    }
}

template <typename T>
void resample_weighted(const Config& config, std::vector<AxisResize> axes, const Tensor& src,
                       Tensor& dst) {
    using Acc = std::conditional_t<std::is_same_v<T, float>, float, double>;
    const T* src_data = elements<T>(src);
    std::vector<Acc> buffer(src_data, src_data + src.size());
    bool downsample = false;
    for (const auto& r : axes)
        downsample = downsample || r.scale < 1.0f;
    const bool antialias = config.antialias && downsample;
    // Pillow resizes W then H; otherwise shrinking axes go first to keep the buffers small.
    if (config.mode == Mode::bilinear_pillow || config.mode == Mode::bicubic_pillow)
        std::reverse(axes.begin(), axes.end());
    else
        std::stable_sort(axes.begin(), axes.end(), [](const AxisResize& x, const AxisResize& y) {
            return x.out_len * y.in_len < y.out_len * x.in_len;
        });
    Shape shape = src.shape();
    for (const auto& r : axes)
        if (r.in_len != r.out_len)
            buffer = resample_axis(buffer, shape, r.axis, filter_taps(config, r, antialias));
    T* dst_data = elements<T>(dst);
    for (size_t i = 0; i < buffer.size(); ++i)
        dst_data[i] = to_element<T>(buffer[i]);
}

// Copies dst[position] = src[source[0][p0], source[1][p1], …] row by row, for elements of
// `Size` bytes.
template <size_t Size>
void gather(const std::byte* src, std::byte* dst, const Shape& src_shape, const Shape& dst_shape,
            const std::vector<std::vector<int64_t>>& source) {
    const size_t rank = dst_shape.size();
    if (rank == 0) {
        std::memcpy(dst, src, Size);
        return;
    }
    std::vector<int64_t> strides(rank, 1);
    for (size_t d = rank - 1; d > 0; --d)
        strides[d - 1] = strides[d] * src_shape[d];
    const auto row_length = static_cast<size_t>(dst_shape[rank - 1]);
    const size_t rows = row_length == 0 ? 0 : shape_size(dst_shape) / row_length;
    const std::vector<int64_t>& last = source[rank - 1];
    std::vector<int64_t> position(rank - 1, 0);
    for (size_t row = 0; row < rows; ++row) {
        int64_t base = 0;
        for (size_t d = 0; d + 1 < rank; ++d)
            base += source[d][position[d]] * strides[d];
        std::byte* dst_row = dst + row * row_length * Size;
        for (size_t x = 0; x < row_length; ++x)
            std::memcpy(dst_row + x * Size, src + (base + last[x]) * Size, Size);
        for (size_t d = rank - 1; d-- > 0;) {
            if (++position[d] < dst_shape[d]) break;
            position[d] = 0;
        }
    }
}

void resample_nearest(const Config& config, const std::vector<AxisResize>& axes, const Tensor& src,
                      Tensor& dst) {
    const size_t rank = src.rank();
    std::vector<std::vector<int64_t>> source(rank);
    for (size_t d = 0; d < rank; ++d) {
        source[d].resize(static_cast<size_t>(src.shape()[d]));
        std::iota(source[d].begin(), source[d].end(), 0);
    }
    for (const auto& r : axes)
        if (r.in_len != r.out_len) source[r.axis] = nearest_source(config, r);
    switch (element_size(src.type())) {
        case 1:
            return gather<1>(src.bytes(), dst.bytes(), src.shape(), dst.shape(), source);
        case 2:
            return gather<2>(src.bytes(), dst.bytes(), src.shape(), dst.shape(), source);
        case 4:
            return gather<4>(src.bytes(), dst.bytes(), src.shape(), dst.shape(), source);
        case 8:
            return gather<8>(src.bytes(), dst.bytes(), src.shape(), dst.shape(), source);
        default:
            throw_bad_input("element type {} is not supported", to_string(src.type()));
    }
}

}  // namespace

// Two neighbours weighted by distance, the coordinate clamped into the axis first.
AxisTaps taps_of(const Config& config, const AxisResize& r) {
    if (config.mode != Mode::nearest) return filter_taps(config, r, false);
    AxisTaps taps;
    for (const int64_t index : nearest_source(config, r)) {
        taps.add(index, 1.0f);
        taps.next();
    }
    return taps;
}

AxisTaps linear_onnx_taps(const Config& config, const AxisResize& r) {
    AxisTaps taps;
    const auto last = static_cast<float>(r.in_len - 1);
    for (int64_t o = 0; o < r.out_len; ++o) {
        const float x = std::clamp(source_coordinate(config.transform, o, r), 0.0f, last);
        const int64_t x1 = std::min(static_cast<int64_t>(x), r.in_len - 1);
        const int64_t x2 = std::min(x1 + 1, r.in_len - 1);
        const float d1 = x1 == x2 ? 0.5f : std::fabs(x - static_cast<float>(x1));
        const float d2 = x1 == x2 ? 0.5f : std::fabs(x - static_cast<float>(x2));
        taps.add(x1, d2);
        taps.add(x2, d1);
        taps.next();
    }
    return taps;
}

void resample(const Config& config, const std::vector<AxisResize>& axes, const Tensor& src,
              Tensor& dst) {
    for (const auto& r : axes)
        if (r.in_len == 0 && r.out_len > 0)
            throw_bad_input("cannot resize axis {} from length 0 to {}", r.axis, r.out_len);
    if (dst.size() == 0) return;
    if (config.mode == Mode::nearest) return resample_nearest(config, axes, src, dst);
    dispatch_numeric(src.type(),
                     [&](auto zero) { resample_weighted<decltype(zero)>(config, axes, src, dst); });
}

// Rows of the innermost dimension are copied whole.
Tensor pad_zeros(const Tensor& src, const std::vector<int64_t>& pads_begin,
                 const std::vector<int64_t>& pads_end) {
    const size_t rank = src.rank();
    Shape padded = src.shape();
    for (size_t d = 0; d < rank; ++d)
        padded[d] += pads_begin[d] + pads_end[d];
    Tensor dst(src.type(), padded);
    if (rank == 0 || src.size() == 0) return rank == 0 ? src.clone() : dst;
    std::vector<int64_t> strides(rank, 1);
    for (size_t d = rank - 1; d > 0; --d)
        strides[d - 1] = strides[d] * padded[d];
    const size_t esize = element_size(src.type());
    const auto row_length = static_cast<size_t>(src.shape()[rank - 1]);
    const size_t rows = src.size() / row_length;
    std::vector<int64_t> position(rank - 1, 0);
    for (size_t row = 0; row < rows; ++row) {
        int64_t offset = pads_begin[rank - 1];
        for (size_t d = 0; d + 1 < rank; ++d)
            offset += (position[d] + pads_begin[d]) * strides[d];
        std::memcpy(dst.bytes() + offset * esize, src.bytes() + row * row_length * esize,
                    row_length * esize);
        for (size_t d = rank - 1; d-- > 0;) {
            if (++position[d] < src.shape()[d]) break;
            position[d] = 0;
        }
    }
    return dst;
}

}  // namespace es::graph::ops::interpolate
