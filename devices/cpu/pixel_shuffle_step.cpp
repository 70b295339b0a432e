#include "devices/cpu/steps.h"

#include <cstdint>
#include <cstring>

namespace es::devices::cpu {
namespace {

void copy_run(const float* src, float* dst, size_t count) {
    std::memcpy(dst, src, count * sizeof(float));
}

// The source holds integers within the range of T: the cast is exact.
template <typename T>
void copy_run(const float* src, T* dst, size_t count) {
#pragma omp simd
    for (size_t i = 0; i < count; ++i)
        dst[i] = static_cast<T>(src[i]);
}

}  // namespace

template <typename T>
class PixelShuffleInstance : public StepInstance {
  public:
    explicit PixelShuffleInstance(const PixelShuffleStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<T*>(frame.address(m_step.m_dst));
        const Shape& shape = m_step.m_dst_shape;
        const int64_t kh = m_step.m_kh, kw = m_step.m_kw;
        const int64_t channels = shape[1];
        const int64_t rows = shape[0] * (shape[2] / kh);  // source rows, all images
        const int64_t width = shape[3] / kw;
        const int64_t run = kw * channels;
        // Source row r, pixel x, block row ky: kw·C values, contiguous in both layouts.
#pragma omp parallel for
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t ky = 0; ky < kh; ++ky)
                for (int64_t x = 0; x < width; ++x)
                    copy_run(src + ((r * width + x) * kh + ky) * run,
                             dst + ((r * kh + ky) * width + x) * run, static_cast<size_t>(run));
    }

  private:
    const PixelShuffleStep& m_step;
};

PixelShuffleStep::PixelShuffleStep(ValueId src, ValueId dst, const Shape& dst_shape, int64_t kh,
                                   int64_t kw, ElementType dst_type)
    : m_src(src), m_dst(dst), m_dst_shape(dst_shape), m_kh(kh), m_kw(kw), m_dst_type(dst_type) {
    type = "PixelShuffle";
    implementation = dst_type == ElementType::f32 ? "copy" : "copy to integers";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> PixelShuffleStep::instantiate(Frame&) const {
    switch (m_dst_type) {
        case ElementType::u8:
            return std::make_unique<PixelShuffleInstance<uint8_t>>(*this);
        case ElementType::i8:
            return std::make_unique<PixelShuffleInstance<int8_t>>(*this);
        default:
            return std::make_unique<PixelShuffleInstance<float>>(*this);
    }
}

}  // namespace es::devices::cpu
