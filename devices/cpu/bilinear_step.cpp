#include "devices/cpu/steps.h"

namespace es::devices::cpu {

class BilinearInstance : public StepInstance {
  public:
    explicit BilinearInstance(const BilinearStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_step.m_dst));
        const BilinearStep& s = m_step;
        const auto height = static_cast<int64_t>(s.m_y.index.size() / 2);
        const auto width = static_cast<int64_t>(s.m_x.index.size() / 2);
        const int64_t inner = s.m_inner;
        const int64_t rows = s.m_outer * height;
#pragma omp parallel for
        for (int64_t row = 0; row < rows; ++row) {
            const int64_t image = row / height, y = row % height;
            const float* plane = src + image * s.m_src_height * s.m_src_width * inner;
            const float* top = plane + s.m_y.index[2 * y] * s.m_src_width * inner;
            const float* bottom = plane + s.m_y.index[2 * y + 1] * s.m_src_width * inner;
            const float wy0 = s.m_y.weight[2 * y], wy1 = s.m_y.weight[2 * y + 1];
            float* out = dst + row * width * inner;
            for (int64_t x = 0; x < width; ++x, out += inner) {
                const int64_t left = s.m_x.index[2 * x] * inner;
                const int64_t right = s.m_x.index[2 * x + 1] * inner;
                const float wx0 = s.m_x.weight[2 * x], wx1 = s.m_x.weight[2 * x + 1];
#pragma omp simd
                for (int64_t c = 0; c < inner; ++c)
                    out[c] = wy0 * (wx0 * top[left + c] + wx1 * top[right + c]) +
                             wy1 * (wx0 * bottom[left + c] + wx1 * bottom[right + c]);
            }
        }
    }

  private:
    const BilinearStep& m_step;
};

BilinearStep::BilinearStep(ValueId src, ValueId dst, int64_t outer, int64_t src_height,
                           int64_t src_width, int64_t inner, Taps y_taps, Taps x_taps)
    : m_src(src),
      m_dst(dst),
      m_outer(outer),
      m_src_height(src_height),
      m_src_width(src_width),
      m_inner(inner),
      m_y(std::move(y_taps)),
      m_x(std::move(x_taps)) {
    type = "Interpolate";
    implementation = "bilinear";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> BilinearStep::instantiate(Frame&) const {
    return std::make_unique<BilinearInstance>(*this);
}

}  // namespace es::devices::cpu
