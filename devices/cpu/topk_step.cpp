#include "devices/cpu/primitive_family.h"
#include "inference/graph/op.h"

#include <algorithm>
#include <cmath>

namespace es::devices::cpu {
namespace {

struct Candidate {
    float value;
    int64_t index;
};

// f32 TopK of each slice with a heap of the k best so far: one pass over the slice, in which
// an element enters only when it beats the worst of them. The result is the reference kernel's:
// NaN is larger than every number, and equal values keep their input order.
class TopKStep : public Step {
  public:
    TopKStep(ValueId src, ValueId values, ValueId indices, Slices slices, int64_t k, bool largest,
             bool by_index, ElementType index_type)
        : m_src(src),
          m_values(values),
          m_indices(indices),
          m_slices(slices),
          m_k(k),
          m_largest(largest),
          m_by_index(by_index),
          m_index_type(index_type) {
        implementation = "heap";
        reads = {src};
        writes = {values, indices};
    }

    std::unique_ptr<StepInstance> instantiate(Frame&) const override;

    // Whether `a` comes before `b` in the output order (values only).
    bool better(float a, float b) const { return m_largest ? greater(a, b) : greater(b, a); }
    // Before, with equal values in input order.
    bool before(const Candidate& a, const Candidate& b) const {
        if (better(a.value, b.value)) return true;
        if (better(b.value, a.value)) return false;
        return a.index < b.index;
    }

    static bool greater(float a, float b) {
        if (std::isnan(a)) return !std::isnan(b);
        if (std::isnan(b)) return false;
        return a > b;
    }

    ValueId m_src;
    ValueId m_values;
    ValueId m_indices;
    Slices m_slices;
    int64_t m_k;
    bool m_largest;
    bool m_by_index;
    ElementType m_index_type;
};

class TopKInstance : public StepInstance {
  public:
    explicit TopKInstance(const TopKStep& step)
        : m_step(step), m_heap(static_cast<size_t>(step.m_k)) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* values = reinterpret_cast<float*>(frame.address(m_step.m_values));
        std::byte* indices = frame.address(m_step.m_indices);
        const Slices& s = m_step.m_slices;
        const int64_t k = m_step.m_k;
        for (int64_t o = 0; o < s.outer; ++o) {
            for (int64_t i = 0; i < s.inner; ++i) {
                select(src + o * s.length * s.inner + i, s.length, s.inner);
                const int64_t dst = o * k * s.inner + i;
                for (int64_t j = 0; j < k; ++j) {
                    const Candidate& chosen = m_heap[static_cast<size_t>(j)];
                    values[dst + j * s.inner] = chosen.value;
                    if (m_step.m_index_type == ElementType::i32)
                        reinterpret_cast<int32_t*>(indices)[dst + j * s.inner] =
                            static_cast<int32_t>(chosen.index);
                    else
                        reinterpret_cast<int64_t*>(indices)[dst + j * s.inner] = chosen.index;
                }
            }
        }
    }

  private:
    // Leaves the k best of the slice in m_heap, in output order.
    void select(const float* slice, int64_t length, int64_t stride) {
        const auto k = static_cast<int64_t>(m_heap.size());
        if (k == 0) return;
        // A heap with the worst candidate on top: a later equal value never displaces it.
        const auto worse_first = [&](const Candidate& a, const Candidate& b) {
            return m_step.before(a, b);
        };
        for (int64_t j = 0; j < k; ++j)
            m_heap[static_cast<size_t>(j)] = {slice[j * stride], j};
        std::make_heap(m_heap.begin(), m_heap.end(), worse_first);
        for (int64_t j = k; j < length; ++j) {
            const float value = slice[j * stride];
            if (!m_step.better(value, m_heap.front().value)) continue;
            std::pop_heap(m_heap.begin(), m_heap.end(), worse_first);
            m_heap.back() = {value, j};
            std::push_heap(m_heap.begin(), m_heap.end(), worse_first);
        }
        if (m_step.m_by_index)
            std::sort(m_heap.begin(), m_heap.end(),
                      [](const Candidate& a, const Candidate& b) { return a.index < b.index; });
        else
            std::sort_heap(m_heap.begin(), m_heap.end(), worse_first);
    }

    const TopKStep& m_step;
    std::vector<Candidate> m_heap;
};

std::unique_ptr<StepInstance> TopKStep::instantiate(Frame&) const {
    return std::make_unique<TopKInstance>(*this);
}

}  // namespace

// TopK of an f32 tensor by a constant k, on the plain layout (sort "none" gives the reference
// kernel's value order).
bool lower_topk(const graph::Node& node, Compiler& compiler) {
    const Tensor* k_value = compiler.constant_input(node, 1);
    const ValueId src = compiler.input_value(node, 0);
    if (!k_value || compiler.value(src).type != ElementType::f32) return false;
    const graph::Attributes& attributes = node.attributes;
    const Shape shape = compiler.value(src).shape;
    const auto axis = normalize_axis(attributes.get_int("axis"), shape.size());
    const ElementType index_type = node.outputs[1].type.type;
    if (!axis || (index_type != ElementType::i32 && index_type != ElementType::i64)) return false;
    const Slices slices = slices_around(shape, *axis, *axis);
    const int64_t k = k_value->to_int64s().front();
    const ValueId plain = compiler.to_plain(src);
    const Shape& dst_shape = compiler.shape_of(output_of(node, 0));
    const ValueId values = compiler.add_value(fmt::format("{}.0", node.name), ElementType::f32,
                                              dst_shape, plain_desc(ElementType::f32, dst_shape));
    const ValueId indices = compiler.add_value(fmt::format("{}.1", node.name), index_type,
                                               dst_shape, plain_desc(index_type, dst_shape));
    auto step = std::make_unique<TopKStep>(plain, values, indices, slices, k,
                                           attributes.get_string("mode") == "max",
                                           attributes.get_string("sort") == "index", index_type);
    step->name = node.name;
    step->type = node.type;
    compiler.add_step(std::move(step));
    compiler.define(output_of(node, 0), values);
    compiler.define(output_of(node, 1), indices);
    return true;
}

}  // namespace es::devices::cpu
