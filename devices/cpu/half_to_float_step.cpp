#include "devices/cpu/steps.h"
#include "inference/core/float16.h"

#include <cpuid.h>
#include <immintrin.h>

namespace es::devices::cpu {
namespace {

constexpr size_t k_vector = 8;

// F16C by CPUID (clang's __builtin_cpu_supports does not know it); AVX, its register file,
// by the builtin, which also asks whether the system saves those registers.
bool has_f16c() {
    static const bool supported = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        return __builtin_cpu_supports("avx") && __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 &&
               (ecx & bit_F16C) != 0;
    }();
    return supported;
}

__attribute__((target("avx,f16c"))) void convert_with_f16c(const uint16_t* src, float* dst,
                                                           size_t count) {
    size_t i = 0;
    for (; i + k_vector <= count; i += k_vector)
        _mm256_storeu_ps(
            dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
    for (; i < count; ++i)
        dst[i] = float16::from_bits(src[i]);
}

void convert(const uint16_t* src, float* dst, size_t count) {
    for (size_t i = 0; i < count; ++i)
        dst[i] = float16::from_bits(src[i]);
}

class HalfToFloatInstance : public StepInstance {
  public:
    HalfToFloatInstance(ValueId src, ValueId dst, size_t count)
        : m_src(src), m_dst(dst), m_count(count) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const uint16_t*>(frame.address(m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_dst));
        (has_f16c() ? convert_with_f16c : convert)(src, dst, m_count);
    }

  private:
    ValueId m_src;
    ValueId m_dst;
    size_t m_count;
};

}  // namespace

HalfToFloatStep::HalfToFloatStep(ValueId src, ValueId dst) : m_src(src), m_dst(dst) {
    type = "Convert";
    implementation = has_f16c() ? "f16c" : "scalar";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> HalfToFloatStep::instantiate(Frame& frame) const {
    const Value& value = frame.plan().values[static_cast<size_t>(m_dst)];
    return std::make_unique<HalfToFloatInstance>(m_src, m_dst, shape_size(value.shape));
}

}  // namespace es::devices::cpu
