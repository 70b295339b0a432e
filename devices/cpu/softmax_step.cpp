#include "devices/cpu/primitive_family.h"

#include <algorithm>
#include <bit>
#include <cstdint>

namespace es::devices::cpu {
namespace {

// The longest axis and the shortest run of positions after it that the step takes.
constexpr int64_t k_longest_axis = 32;
constexpr int64_t k_least_inner = 64;
// Positions per block: the block's maxima and sums stay in L1 with `length` rows of it.
constexpr int64_t k_block = 512;

// e^x for x <= 0, to a few units in the last place: e^x = 2^n · e^r with n = round(x / ln 2)
// and |r| <= ln(2) / 2, e^r by a degree-7 polynomial (the Taylor series, whose truncation error
// is below float precision there). Written so that compilers vectorize it.
inline float exp_nonpositive(float x) {
    constexpr float log2e = 1.44269504088896341f;
    constexpr float ln2_high = 0.693359375f;  // ln 2 in 10 bits: n · ln2_high is exact
    constexpr float ln2_low = -2.12194440e-4f;
    constexpr float round_magic = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer
    x = std::max(x, -87.0f);                    // 2^n stays a normal float
    const float n = (x * log2e + round_magic) - round_magic;
    const float r = (x - n * ln2_high) - n * ln2_low;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const auto exponent = static_cast<int32_t>(n) + 127;
    return p * std::bit_cast<float>(exponent << 23);
}

// SoftMax of a plain f32 value over the `length` axis of its slices, which is short and not the
// last. oneDNN 2.6 computes it only with the axis innermost, which leaves its kernels rows of a
// few values (a segmentation head's classes per pixel); here whole blocks of positions go at
// once.
class ShortAxisSoftmaxStep : public Step {
  public:
    ShortAxisSoftmaxStep(ValueId src, ValueId dst, Slices slices)
        : m_src(src), m_dst(dst), m_slices(slices) {
        implementation = "short_axis";
        reads = {src};
        writes = {dst};
    }
    std::unique_ptr<StepInstance> instantiate(Frame&) const override;

  private:
    friend class ShortAxisSoftmaxInstance;
    ValueId m_src;
    ValueId m_dst;
    Slices m_slices;
};

class ShortAxisSoftmaxInstance : public StepInstance {
  public:
    explicit ShortAxisSoftmaxInstance(const ShortAxisSoftmaxStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_step.m_dst));
        const int64_t length = m_step.m_slices.length, inner = m_step.m_slices.inner;
        const int64_t blocks = (inner + k_block - 1) / k_block;
#pragma omp parallel for collapse(2)
        for (int64_t o = 0; o < m_step.m_slices.outer; ++o)
            for (int64_t b = 0; b < blocks; ++b) {
                const int64_t offset = o * length * inner + b * k_block;
                run_block(src + offset, dst + offset, length, inner,
                          std::min(k_block, inner - b * k_block));
            }
    }

  private:
    // Positions [0, count) of rows `inner` apart, in the widest vectors the CPU has.
    __attribute__((target_clones("avx512f", "avx2", "default"))) static void run_block(
        const float* x, float* y, int64_t length, int64_t inner, int64_t count) {
        alignas(64) float top[k_block];
        alignas(64) float sum[k_block];
        std::copy_n(x, count, top);
        for (int64_t k = 1; k < length; ++k) {
            const float* row = x + k * inner;
#pragma omp simd
            for (int64_t i = 0; i < count; ++i)
                top[i] = std::max(top[i], row[i]);
        }
        std::fill_n(sum, count, 0.0f);
        for (int64_t k = 0; k < length; ++k) {
            const float* row = x + k * inner;
            float* out = y + k * inner;
#pragma omp simd
            for (int64_t i = 0; i < count; ++i) {
                out[i] = exp_nonpositive(row[i] - top[i]);
                sum[i] += out[i];
            }
        }
#pragma omp simd
        for (int64_t i = 0; i < count; ++i)
            sum[i] = 1.0f / sum[i];
        for (int64_t k = 0; k < length; ++k) {
            float* out = y + k * inner;
#pragma omp simd
            for (int64_t i = 0; i < count; ++i)
                out[i] *= sum[i];
        }
    }

    const ShortAxisSoftmaxStep& m_step;
};

std::unique_ptr<StepInstance> ShortAxisSoftmaxStep::instantiate(Frame&) const {
    return std::make_unique<ShortAxisSoftmaxInstance>(*this);
}

}  // namespace

bool lower_short_axis_softmax(const graph::Node& node, Compiler& compiler, size_t axis) {
    const ValueId src = compiler.input_value(node, 0);
    const Shape shape = compiler.value(src).shape;
    const Slices slices = slices_around(shape, axis, axis);
    if (slices.length > k_longest_axis || slices.inner < k_least_inner) return false;
    const ValueId plain = compiler.to_plain(src);
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, shape, plain_desc(ElementType::f32, shape));
    auto step = std::make_unique<ShortAxisSoftmaxStep>(plain, dst, slices);
    step->name = node.name;
    step->type = node.type;
    compiler.add_step(std::move(step));
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
