#include "devices/cpu/steps.h"

#include <cstring>

namespace es::devices::cpu {

class PixelShuffleInstance : public StepInstance {
  public:
    explicit PixelShuffleInstance(const PixelShuffleStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_step.m_dst));
        const Shape& shape = m_step.m_dst_shape;
        const int64_t kh = m_step.m_kh, kw = m_step.m_kw;
        const int64_t channels = shape[1];
        const int64_t rows = shape[0] * (shape[2] / kh);  // source rows, all images
        const int64_t width = shape[3] / kw;
        const size_t run_bytes = static_cast<size_t>(kw * channels) * sizeof(float);
        // Source row r, pixel x, block row ky: kw·C values, contiguous in both layouts.
#pragma omp parallel for
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t ky = 0; ky < kh; ++ky)
                for (int64_t x = 0; x < width; ++x)
                    std::memcpy(dst + ((r * kh + ky) * width + x) * kw * channels,
                                src + ((r * width + x) * kh + ky) * kw * channels, run_bytes);
    }

  private:
    const PixelShuffleStep& m_step;
};

PixelShuffleStep::PixelShuffleStep(ValueId src, ValueId dst, const Shape& dst_shape, int64_t kh,
                                   int64_t kw)
    : m_src(src), m_dst(dst), m_dst_shape(dst_shape), m_kh(kh), m_kw(kw) {
    type = "PixelShuffle";
    implementation = "copy";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> PixelShuffleStep::instantiate(Frame&) const {
    return std::make_unique<PixelShuffleInstance>(*this);
}

}  // namespace es::devices::cpu
