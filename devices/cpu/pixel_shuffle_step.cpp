#include "devices/cpu/steps.h"

#include <cstring>

namespace es::devices::cpu {
namespace {

class PixelShuffleInstance : public StepInstance {
  public:
    PixelShuffleInstance(ValueId src, ValueId dst, const Shape& dst_shape, int64_t kh, int64_t kw)
        : m_src(src), m_dst(dst), m_dst_shape(dst_shape), m_kh(kh), m_kw(kw) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_dst));
        const int64_t channels = m_dst_shape[1];
        const int64_t rows = m_dst_shape[0] * (m_dst_shape[2] / m_kh);  // source rows, all images
        const int64_t width = m_dst_shape[3] / m_kw;
        const size_t run_bytes = static_cast<size_t>(m_kw * channels) * sizeof(float);
        // Source row r, pixel x, block row ky: kw·C values, contiguous in both layouts.
#pragma omp parallel for
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t ky = 0; ky < m_kh; ++ky)
                for (int64_t x = 0; x < width; ++x)
                    std::memcpy(dst + ((r * m_kh + ky) * width + x) * m_kw * channels,
                                src + ((r * width + x) * m_kh + ky) * m_kw * channels, run_bytes);
    }

  private:
    ValueId m_src;
    ValueId m_dst;
    Shape m_dst_shape;
    int64_t m_kh;
    int64_t m_kw;
};

}  // namespace

PixelShuffleStep::PixelShuffleStep(ValueId src, ValueId dst, const Shape& dst_shape, int64_t kh,
                                   int64_t kw)
    : m_src(src), m_dst(dst), m_dst_shape(dst_shape), m_kh(kh), m_kw(kw) {
    type = "PixelShuffle";
    implementation = "copy";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> PixelShuffleStep::instantiate(Frame&) const {
    return std::make_unique<PixelShuffleInstance>(m_src, m_dst, m_dst_shape, m_kh, m_kw);
}

}  // namespace es::devices::cpu
