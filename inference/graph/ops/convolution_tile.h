#pragma once

// The inner kernel shared by Convolution and ConvolutionBackpropData (both grouped or not):
// a zero-padded copy of the input, and output computed in register tiles.
// Private to inference/graph/ops.

#include "inference/core/shape.h"
#include "inference/graph/ops/spatial.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace es::graph::ops::spatial {

// Output columns and output channels that one tile keeps in registers.
constexpr int64_t k_tile_width = 8;
constexpr int64_t k_tile_channels = 4;

// dst[c, p] = src[c, p - shift] where that lies inside `src_size`, 0 elsewhere, for p over
// `extent` (per axis D, H, W) and `channels` channels, followed by `tail` zeros so that the last
// tile of a row may read past it.
template <typename T>
void pad_channels(const T* src, int64_t channels, const Axes3& src_size, const Axes3& shift,
                  const Axes3& extent, int64_t tail, std::vector<T>& dst) {
    const auto [src_d, src_h, src_w] = src_size;
    const auto [dst_d, dst_h, dst_w] = extent;
    dst.assign(shape_size({channels, dst_d, dst_h, dst_w}) + static_cast<size_t>(tail), T{0});
    const auto [x_first, x_last] = valid_range(dst_w, 1, -shift[2], src_w);
    for (int64_t c = 0; c < channels; ++c) {
        for (int64_t z = 0; z < dst_d; ++z) {
            const int64_t iz = z - shift[0];
            if (iz < 0 || iz >= src_d) continue;
            for (int64_t y = 0; y < dst_h; ++y) {
                const int64_t iy = y - shift[1];
                if (iy < 0 || iy >= src_h) continue;
                const T* src_row = src + ((c * src_d + iz) * src_h + iy) * src_w;
                T* dst_row = dst.data() + ((c * dst_d + z) * dst_h + y) * dst_w;
                std::copy(src_row + (x_first - shift[2]), src_row + (x_last - shift[2]),
                          dst_row + x_first);
            }
        }
    }
}

// Where a row of outputs finds its inputs in a padded buffer.
template <typename T>
struct TileSource {
    const T* origin = nullptr;                   // input of output 0, first tap's base, channel 0
    int64_t channel_stride = 0;                  // elements per padded channel
    int64_t channels = 0;                        // input channels summed over
    int64_t x_stride = 1;                        // input step between neighbouring outputs
    const std::vector<int64_t>* taps = nullptr;  // offset of each kernel tap from the origin
};

// dst[c][j * dst_stride] = sum over input channels ic and taps t of
//                          weights[c][ic * taps + t] * origin[ic, taps[t] + j * x_stride]
// for `Channels` output channels and k_tile_width outputs, accumulated in local arrays the
// compiler keeps in registers; only the first `width` outputs are stored (the others read
// neighbouring or tail padding and are discarded).
template <typename T, int64_t Channels, bool UnitStride>
void convolve_tile(const TileSource<T>& source, const T* const* weights, T* const* dst,
                   int64_t dst_stride, int64_t width) {
    constexpr int64_t W = k_tile_width;
    T acc[Channels][W] = {};
    const std::vector<int64_t>& taps = *source.taps;
    const int64_t tap_count = static_cast<int64_t>(taps.size());
    for (int64_t ic = 0; ic < source.channels; ++ic) {
        const T* channel = source.origin + ic * source.channel_stride;
        const int64_t weight_base = ic * tap_count;
        for (int64_t t = 0; t < tap_count; ++t) {
            const T* window = channel + taps[t];
            T x[W];
            for (int64_t j = 0; j < W; ++j)
                x[j] = window[UnitStride ? j : j * source.x_stride];
            for (int64_t c = 0; c < Channels; ++c) {
                const T weight = weights[c][weight_base + t];
                for (int64_t j = 0; j < W; ++j)
                    acc[c][j] += weight * x[j];
            }
        }
    }
    for (int64_t c = 0; c < Channels; ++c)
        for (int64_t j = 0; j < width; ++j)
            dst[c][j * dst_stride] = acc[c][j];
}

template <typename T, int64_t Channels>
void convolve_tiles(TileSource<T> source, const T* const* weights, T* const* dst,
                    int64_t dst_stride, int64_t count) {
    for (int64_t x = 0; x < count; x += k_tile_width) {
        T* tile_dst[Channels];
        for (int64_t c = 0; c < Channels; ++c)
            tile_dst[c] = dst[c] + x * dst_stride;
        const int64_t width = std::min(k_tile_width, count - x);
        if (source.x_stride == 1)
            convolve_tile<T, Channels, true>(source, weights, tile_dst, dst_stride, width);
        else
            convolve_tile<T, Channels, false>(source, weights, tile_dst, dst_stride, width);
        source.origin += k_tile_width * source.x_stride;
    }
}

// `count` outputs along a row for `channels` (1 to k_tile_channels) output channels: output j
// of channel c goes to dst[c][j * dst_stride] and reads inputs from source.origin +
// j * source.x_stride on.
template <typename T>
void convolve_row(const TileSource<T>& source, const T* const* weights, int64_t channels,
                  T* const* dst, int64_t dst_stride, int64_t count) {
    switch (channels) {
        case 4:
            return convolve_tiles<T, 4>(source, weights, dst, dst_stride, count);
        case 3:
            return convolve_tiles<T, 3>(source, weights, dst, dst_stride, count);
        case 2:
            return convolve_tiles<T, 2>(source, weights, dst, dst_stride, count);
        default:
            return convolve_tiles<T, 1>(source, weights, dst, dst_stride, count);
    }
}

}  // namespace es::graph::ops::spatial
