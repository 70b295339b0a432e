#include "devices/cpu/steps.h"

#include <immintrin.h>

#include <algorithm>

namespace es::devices::cpu {
namespace {

constexpr int64_t k_lanes = 16;  // 32-bit lanes of a vector: 64 bytes of 8-bit values
constexpr int64_t k_max_outputs = 4;

struct Kernel {
    const uint8_t* src;
    float* dst;
    int64_t src_h, src_w;
    int64_t outputs, dst_h, dst_w;
    int64_t kh, kw, pad_top, pad_left;
    const int8_t* lanes;
    const int32_t* row_sums;
    const float* scales;
    const float* bias;
    int32_t zero_point;

    bool channels_last;

    // Output channel oc of pixel (y, 0) of image n.
    float* dst_row(int64_t n, int64_t oc, int64_t y) const {
        return channels_last ? dst + ((n * dst_h + y) * dst_w) * outputs + oc
                             : dst + ((n * outputs + oc) * dst_h + y) * dst_w;
    }
};

// Where a vector of pixels reads the source: `Blocks` vectors of 16 / Groups pixels each, from
// x on, in row y of image n, with rows [ky_begin, ky_end) of the kernel inside the source.
struct Span {
    int64_t n, y, x, ky_begin, ky_end;
    const int32_t* compensation;  // per output channel
};

// Lane g of each group of `Groups` lanes summed into the group's first lane.
template <int Groups>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) __m512i sum_groups(__m512i acc) {
    const __m512i zero = _mm512_setzero_si512();
    if constexpr (Groups >= 2)
        acc = _mm512_add_epi32(acc, _mm512_maskz_alignr_epi32(0xffff, zero, acc, 1));
    if constexpr (Groups >= 4)
        acc = _mm512_add_epi32(acc, _mm512_maskz_alignr_epi32(0xffff, zero, acc, 2));
    return acc;
}

// Writes `count` pixels of output channel oc from x on: the sums of `acc`, less the zero point's
// share, scaled, plus the bias.
template <int Groups>
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) inline void store(
    const Kernel& k, const Span& span, int oc, int64_t x, int64_t count, __m512i acc) {
    constexpr auto first_lanes = static_cast<__mmask16>(Groups == 1   ? 0xffff
                                                        : Groups == 2 ? 0x5555
                                                                      : 0x1111);
    const auto stored = static_cast<__mmask16>((1u << count) - 1);
    const __m512i sums = _mm512_maskz_compress_epi32(first_lanes, sum_groups<Groups>(acc));
    const __m512 real = _mm512_fmadd_ps(
        _mm512_maskz_cvtepi32_ps(stored,
                                 _mm512_sub_epi32(sums, _mm512_set1_epi32(span.compensation[oc]))),
        _mm512_set1_ps(k.scales[oc]), _mm512_set1_ps(k.bias[oc]));
    float* dst = k.dst_row(span.n, oc, span.y);
    if (k.channels_last && k.outputs > 1)
        _mm512_mask_i32scatter_ps(
            dst + x * k.outputs, stored,
            _mm512_mullo_epi32(
                _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                _mm512_set1_epi32(static_cast<int32_t>(k.outputs))),
            real, sizeof(float));
    else
        _mm512_mask_storeu_ps(dst + x, stored, real);
}

// The vectors of `span`, all of whose taps lie inside the source horizontally.
template <int Outputs, int Groups, int Blocks>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void inner_blocks(const Kernel& k,
                                                                         const Span& span) {
    constexpr int64_t pixels = k_lanes / Groups;
    constexpr int64_t channels = 4 * Groups;
    __m512i acc[Outputs][Blocks];
#pragma GCC unroll 16
    for (int oc = 0; oc < Outputs; ++oc)
#pragma GCC unroll 16
        for (int b = 0; b < Blocks; ++b)
            acc[oc][b] = _mm512_setzero_si512();
    for (int64_t ky = span.ky_begin; ky < span.ky_end; ++ky) {
        const uint8_t* src =
            k.src + ((span.n * k.src_h + span.y + ky - k.pad_top) * k.src_w + span.x - k.pad_left) *
                        channels;
        const int8_t* lanes = k.lanes + ky * k.kw * 64;
        for (int64_t kx = 0; kx < k.kw; ++kx) {
            __m512i q[Blocks];
#pragma GCC unroll 16
            for (int b = 0; b < Blocks; ++b)
                q[b] = _mm512_loadu_si512(src + (kx + b * pixels) * channels);
#pragma GCC unroll 16
            for (int oc = 0; oc < Outputs; ++oc) {
                const __m512i w = _mm512_loadu_si512(lanes + (oc * k.kh * k.kw + kx) * 64);
#pragma GCC unroll 16
                for (int b = 0; b < Blocks; ++b)
                    acc[oc][b] = _mm512_dpbusd_epi32(acc[oc][b], q[b], w);
            }
        }
    }
#pragma GCC unroll 16
    for (int oc = 0; oc < Outputs; ++oc)
#pragma GCC unroll 16
        for (int b = 0; b < Blocks; ++b)
            store<Groups>(k, span, oc, span.x + b * pixels, pixels, acc[oc][b]);
}

// One vector of `span` that reaches past the source or the destination row: bytes outside the
// source read as the zero point (which adds nothing), pixels past the row are not stored.
template <int Outputs, int Groups>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void edge_block(const Kernel& k,
                                                                       const Span& span) {
    constexpr int64_t pixels = k_lanes / Groups;
    constexpr int64_t channels = 4 * Groups;
    const __m512i zero_points = _mm512_set1_epi8(static_cast<char>(k.zero_point));
    __m512i acc[Outputs];
#pragma GCC unroll 16
    for (int oc = 0; oc < Outputs; ++oc)
        acc[oc] = _mm512_setzero_si512();
    for (int64_t ky = span.ky_begin; ky < span.ky_end; ++ky) {
        const int64_t row = (span.n * k.src_h + span.y + ky - k.pad_top) * k.src_w;
        const int8_t* lanes = k.lanes + ky * k.kw * 64;
        for (int64_t kx = 0; kx < k.kw; ++kx) {
            const int64_t first = span.x + kx - k.pad_left;  // source pixel of lane 0
            const int64_t begin = std::clamp<int64_t>(-first, 0, pixels);
            const int64_t end = std::clamp<int64_t>(k.src_w - first, begin, pixels);
            if (begin == end) continue;
            const auto bytes = static_cast<__mmask64>(
                ((end - begin) * channels == 64 ? ~0ull : (1ull << ((end - begin) * channels)) - 1)
                << (begin * channels));
            const uint8_t* src = k.src + (row + first) * channels;
            const __m512i q = _mm512_mask_loadu_epi8(zero_points, bytes, src);
#pragma GCC unroll 16
            for (int oc = 0; oc < Outputs; ++oc)
                acc[oc] = _mm512_dpbusd_epi32(
                    acc[oc], q, _mm512_loadu_si512(lanes + (oc * k.kh * k.kw + kx) * 64));
        }
    }
#pragma GCC unroll 16
    for (int oc = 0; oc < Outputs; ++oc)
        store<Groups>(k, span, oc, span.x, std::min(pixels, k.dst_w - span.x), acc[oc]);
}

// Output row y of image n.
template <int Outputs, int Groups>
void row(const Kernel& k, int64_t n, int64_t y) {
    constexpr int64_t pixels = k_lanes / Groups;
    constexpr int k_blocks = 4;     // vectors at once: independent sums to keep the units busy
    int32_t compensation[Outputs];  // the zero point's share of the sums
    Span span{n,
              y,
              0,
              std::max<int64_t>(0, k.pad_top - y),
              std::min(k.kh, k.src_h + k.pad_top - y),
              compensation};
#pragma GCC unroll 16
    for (int oc = 0; oc < Outputs; ++oc) {
        int32_t weight_sum = 0;
        for (int64_t ky = span.ky_begin; ky < span.ky_end; ++ky)
            weight_sum += k.row_sums[oc * k.kh + ky];
        compensation[oc] = k.zero_point * weight_sum;
    }
    // Pixels from `inner_begin` to `inner_end` have every tap inside the source.
    const int64_t inner_begin = k.pad_left;
    const int64_t inner_end = std::min(k.dst_w, k.src_w + k.pad_left - k.kw + 1);
    for (; span.x < inner_begin; span.x += pixels)
        edge_block<Outputs, Groups>(k, span);
    for (; span.x + k_blocks * pixels <= inner_end; span.x += k_blocks * pixels)
        inner_blocks<Outputs, Groups, k_blocks>(k, span);
    for (; span.x + pixels <= inner_end; span.x += pixels)
        inner_blocks<Outputs, Groups, 1>(k, span);
    for (; span.x < k.dst_w; span.x += pixels)
        edge_block<Outputs, Groups>(k, span);
}

using Row = void (*)(const Kernel&, int64_t, int64_t);

template <int Outputs>
Row row_for(int64_t channels) {
    switch (channels) {
        case 4:
            return row<Outputs, 1>;
        case 8:
            return row<Outputs, 2>;
        default:
            return row<Outputs, 4>;
    }
}

Row row_for(int64_t outputs, int64_t channels) {
    switch (outputs) {
        case 1:
            return row_for<1>(channels);
        case 2:
            return row_for<2>(channels);
        case 3:
            return row_for<3>(channels);
        default:
            return row_for<4>(channels);
    }
}

}  // namespace

class NarrowConvolutionInstance : public StepInstance {
  public:
    explicit NarrowConvolutionInstance(const NarrowConvolutionStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const NarrowConvolutionStep& s = m_step;
        const Shape& src = s.m_geometry.src;
        const Shape& dst = s.m_geometry.dst;
        const Kernel kernel{reinterpret_cast<const uint8_t*>(frame.address(s.m_src)),
                            reinterpret_cast<float*>(frame.address(s.m_dst)),
                            src[2],
                            src[3],
                            dst[1],
                            dst[2],
                            dst[3],
                            s.m_kh,
                            s.m_kw,
                            s.m_geometry.pad_top,
                            s.m_geometry.pad_left,
                            s.m_lanes.data(),
                            s.m_row_sums.data(),
                            s.m_scales.data(),
                            s.m_bias.data(),
                            s.m_zero_point,
                            s.m_geometry.channels_last};
        const Row row = row_for(dst[1], src[1]);
        const int64_t rows = dst[0] * dst[2];
#pragma omp parallel for
        for (int64_t r = 0; r < rows; ++r)
            row(kernel, r / dst[2], r % dst[2]);
    }

  private:
    const NarrowConvolutionStep& m_step;
};

NarrowConvolutionStep::NarrowConvolutionStep(ValueId src, ValueId dst, Geometry geometry,
                                             const Tensor& weights, std::vector<float> scales,
                                             std::vector<float> bias, int32_t zero_point)
    : m_src(src),
      m_dst(dst),
      m_geometry(std::move(geometry)),
      m_kh(weights.shape()[2]),
      m_kw(weights.shape()[3]),
      m_scales(std::move(scales)),
      m_bias(std::move(bias)),
      m_zero_point(zero_point) {
    type = "Convolution";
    implementation = "narrow:avx512_core_vnni u8";
    reads = {src};
    writes = {dst};
    const int64_t outputs = weights.shape()[0];
    const int64_t channels = weights.shape()[1];
    const int8_t* oihw = weights.data<int8_t>();
    m_lanes.resize(static_cast<size_t>(outputs * m_kh * m_kw * 64));
    m_row_sums.assign(static_cast<size_t>(outputs * m_kh), 0);
    for (int64_t oc = 0; oc < outputs; ++oc)
        for (int64_t ky = 0; ky < m_kh; ++ky)
            for (int64_t kx = 0; kx < m_kw; ++kx) {
                const int64_t tap = (oc * m_kh + ky) * m_kw + kx;
                for (int64_t c = 0; c < channels; ++c) {
                    const int8_t w = oihw[((oc * channels + c) * m_kh + ky) * m_kw + kx];
                    m_row_sums[static_cast<size_t>(oc * m_kh + ky)] += w;
                    for (int64_t lane = c; lane < 64; lane += channels)
                        m_lanes[static_cast<size_t>(tap * 64 + lane)] = w;
                }
            }
}

bool NarrowConvolutionStep::fits(const Shape& src, const Shape& dst, const Shape& weights) {
    return has_avx512_int8_dot_product() && src.size() == 4 && dst.size() == 4 &&
           weights.size() == 4 && dst[1] <= k_max_outputs &&
           (src[1] == 4 || src[1] == 8 || src[1] == 16) && dst[3] >= k_lanes;
}

std::unique_ptr<StepInstance> NarrowConvolutionStep::instantiate(Frame&) const {
    return std::make_unique<NarrowConvolutionInstance>(*this);
}

}  // namespace es::devices::cpu
