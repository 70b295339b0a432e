#include "devices/cpu/primitive_family.h"

#include <cmath>

namespace es::devices::cpu {
namespace {

// NormalizeL2 over adjacent axes of a plain f32 value: each of its slices divided by its L2
// norm. The sums are in double, as the reference kernel has them.
class NormalizeL2Step : public Step {
  public:
    NormalizeL2Step(ValueId src, ValueId dst, Slices slices, double eps, bool eps_max)
        : m_src(src), m_dst(dst), m_slices(slices), m_eps(eps), m_eps_max(eps_max) {
        implementation = "sum_of_squares";
        reads = {src};
        writes = {dst};
    }
    std::unique_ptr<StepInstance> instantiate(Frame&) const override;

  private:
    friend class NormalizeL2Instance;
    ValueId m_src;
    ValueId m_dst;
    Slices m_slices;
    double m_eps;
    bool m_eps_max;
};

class NormalizeL2Instance : public StepInstance {
  public:
    explicit NormalizeL2Instance(const NormalizeL2Step& step)
        : m_step(step), m_sums(static_cast<size_t>(step.m_slices.outer * step.m_slices.inner)) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_step.m_dst));
        const int64_t length = m_step.m_slices.length, inner = m_step.m_slices.inner;
        double* sums = m_sums.data();
#pragma omp parallel for
        for (int64_t o = 0; o < m_step.m_slices.outer; ++o) {
            const float* x = src + o * length * inner;
            float* y = dst + o * length * inner;
            double* sum = sums + o * inner;
            std::fill(sum, sum + inner, 0.0);
            for (int64_t k = 0; k < length; ++k)
                for (int64_t i = 0; i < inner; ++i)
                    sum[i] += static_cast<double>(x[k * inner + i]) * x[k * inner + i];
            for (int64_t i = 0; i < inner; ++i)
                sum[i] = 1.0 / std::sqrt(m_step.m_eps_max ? std::max(sum[i], m_step.m_eps)
                                                          : sum[i] + m_step.m_eps);
            for (int64_t k = 0; k < length; ++k)
                for (int64_t i = 0; i < inner; ++i)
                    y[k * inner + i] = static_cast<float>(x[k * inner + i] * sum[i]);
        }
    }

  private:
    const NormalizeL2Step& m_step;
    std::vector<double> m_sums;  // one per vector, then its inverse norm
};

std::unique_ptr<StepInstance> NormalizeL2Step::instantiate(Frame&) const {
    return std::make_unique<NormalizeL2Instance>(*this);
}

}  // namespace

// NormalizeL2 of an f32 value over one axis or several adjacent ones (SSD and re-identification
// heads normalize over the channels).
bool lower_normalize_l2(const graph::Node& node, Compiler& compiler) {
    const Tensor* axes_value = compiler.constant_input(node, 1);
    const ValueId src = compiler.input_value(node, 0);
    const std::string eps_mode = node.attributes.get_string("eps_mode", "add");
    if (!axes_value || compiler.value(src).type != ElementType::f32 ||
        (eps_mode != "add" && eps_mode != "max"))
        return false;
    const Shape shape = compiler.value(src).shape;
    std::vector<size_t> axes;
    for (int64_t raw : axes_value->to_int64s()) {
        const auto axis = normalize_axis(raw, shape.size());
        if (!axis) return false;
        axes.push_back(*axis);
    }
    std::sort(axes.begin(), axes.end());
    axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    if (axes.empty() || axes.back() - axes.front() + 1 != axes.size()) return false;
    const ValueId plain = compiler.to_plain(src);
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, shape, plain_desc(ElementType::f32, shape));
    auto step = std::make_unique<NormalizeL2Step>(
        plain, dst, slices_around(shape, axes.front(), axes.back()),
        node.attributes.get_float("eps"), eps_mode == "max");
    step->name = node.name;
    step->type = node.type;
    compiler.add_step(std::move(step));
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
