#include "devices/cpu/primitive_family.h"
#include "inference/graph/ops/pad_indices.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

namespace es::devices::cpu {

class PadInstance : public StepInstance {
  public:
    explicit PadInstance(const PadStep& step) : m_step(step) {}

    void run(Frame& frame) override {
        const auto* src = reinterpret_cast<const float*>(frame.address(m_step.m_src));
        auto* dst = reinterpret_cast<float*>(frame.address(m_step.m_dst));
        const std::vector<PadStep::Run>& runs = m_step.m_runs;
        const auto count = static_cast<int64_t>(runs.size());
#pragma omp parallel for if (m_step.m_parallel)
        for (int64_t i = 0; i < count; ++i) {
            const PadStep::Run& run = runs[static_cast<size_t>(i)];
            if (run.src_offset < 0)
                std::fill_n(dst + run.dst_offset, run.length, run.value);
            else
                std::memcpy(dst + run.dst_offset, src + run.src_offset,
                            static_cast<size_t>(run.length) * sizeof(float));
        }
    }

  private:
    const PadStep& m_step;
};

PadStep::PadStep(ValueId src, ValueId dst, std::vector<Run> runs, bool parallel)
    : m_src(src), m_dst(dst), m_runs(std::move(runs)), m_parallel(parallel) {
    type = "Pad";
    implementation = "copy";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> PadStep::instantiate(Frame&) const {
    return std::make_unique<PadInstance>(*this);
}

namespace {

using graph::ops::pad::Mode;

// A layout for `dims` with the axis order and channel blocks of `desc` (plain where `desc` is no
// blocked layout oneDNN can describe so).
dnnl::memory::desc layout_like(const dnnl::memory::desc& desc, const Shape& dims) {
    const dnnl_memory_desc_t& like = desc.data;
    const auto rank = static_cast<size_t>(like.ndims);
    if (like.format_kind != dnnl_blocked || rank != dims.size() || like.extra.flags != 0)
        return plain_desc(ElementType::f32, dims);
    const auto& blocking = like.format_desc.blocking;
    std::vector<int64_t> block(rank, 1);
    int64_t inner = 1;
    for (int k = 0; k < blocking.inner_nblks; ++k) {
        block[static_cast<size_t>(blocking.inner_idxs[k])] *= blocking.inner_blks[k];
        inner *= blocking.inner_blks[k];
    }
    std::vector<size_t> order(rank);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return blocking.strides[a] > blocking.strides[b]; });
    dnnl_memory_desc_t result = like;
    result.offset0 = 0;
    int64_t stride = inner;
    for (size_t i = rank; i-- > 0;) {
        const size_t axis = order[i];
        const int64_t padded = (dims[axis] + block[axis] - 1) / block[axis] * block[axis];
        result.dims[axis] = dims[axis];
        result.padded_dims[axis] = padded;
        result.padded_offsets[axis] = 0;
        result.format_desc.blocking.strides[axis] = stride;
        stride *= padded / block[axis];
    }
    return dnnl::memory::desc(result);
}

// Where element `index` of a blocked layout lies, in elements.
int64_t element_offset(const dnnl_memory_desc_t& desc, const std::vector<int64_t>& at) {
    const auto& blocking = desc.format_desc.blocking;
    std::array<int64_t, DNNL_MAX_NDIMS> index{};
    std::copy(at.begin(), at.end(), index.begin());
    int64_t offset = desc.offset0;
    int64_t inner_stride = 1;
    for (int k = blocking.inner_nblks; k-- > 0;) {
        auto& i = index[static_cast<size_t>(blocking.inner_idxs[k])];
        offset += i % blocking.inner_blks[k] * inner_stride;
        i /= blocking.inner_blks[k];
        inner_stride *= blocking.inner_blks[k];
    }
    for (size_t axis = 0; axis < at.size(); ++axis)
        offset += index[axis] * blocking.strides[axis];
    return offset;
}

// Runs copying and filling `dst` in memory order: for each element of the destination's memory,
// the source element it copies (-1: the pad value, -2: none, the padding of a channel block,
// which holds zeros).
std::vector<PadStep::Run> runs_of(const std::vector<int64_t>& sources, float value) {
    std::vector<PadStep::Run> runs;
    for (size_t i = 0; i < sources.size(); ++i) {
        const int64_t source = sources[i];
        const float fill = source == -1 ? value : 0.0f;
        if (!runs.empty()) {
            PadStep::Run& last = runs.back();
            const bool extends =
                source >= 0 ? last.src_offset >= 0 && last.src_offset + last.length == source
                            : last.src_offset < 0 && last.value == fill;
            if (extends) {
                ++last.length;
                continue;
            }
        }
        runs.push_back({static_cast<int64_t>(i), 1, source >= 0 ? source : -1, fill});
    }
    return runs;
}

}  // namespace

// Pad-1 and -12 of f32 values with constant pads, in every mode: the destination takes the
// source's layout, and each of its elements is a copy of one source element or the pad value,
// so the kernel is a list of runs (copies and fills) made once from the two layouts.
bool lower_pad(const graph::Node& node, Compiler& compiler) {
    const ValueId src = compiler.input_value(node, 0);
    const Value source = compiler.value(src);
    const Tensor* begin = compiler.constant_input(node, 1);
    const Tensor* end = compiler.constant_input(node, 2);
    const bool has_value = node.inputs.size() > 3;
    const Tensor* pad_value = has_value ? compiler.constant_input(node, 3) : nullptr;
    const Mode mode = graph::ops::pad::mode_of(node.attributes);
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    if (source.type != ElementType::f32 || source.desc.is_zero() || source.shape.empty() ||
        !begin || !end || (has_value && (!pad_value || pad_value->type() != ElementType::f32)) ||
        shape_size(dst_shape) == 0 || shape_size(source.shape) == 0)
        return false;
    const float value = mode == Mode::constant && pad_value ? pad_value->data<float>()[0] : 0.0f;
    const std::vector<int64_t> pads_begin = begin->to_int64s();
    const size_t rank = dst_shape.size();
    std::vector<std::vector<int64_t>> maps;
    for (size_t axis = 0; axis < rank; ++axis)
        maps.push_back(graph::ops::pad::source_indices(mode, source.shape[axis], pads_begin[axis],
                                                       dst_shape[axis]));

    const dnnl::memory::desc dst_desc = layout_like(source.desc, dst_shape);
    const auto elements = static_cast<size_t>(dst_desc.get_size() / sizeof(float));
    std::vector<int64_t> sources(elements, -2);
    std::vector<int64_t> index(rank, 0), from(rank, 0);
    for (size_t n = 0, count = shape_size(dst_shape); n < count; ++n) {
        bool inside = true;
        for (size_t axis = 0; axis < rank; ++axis) {
            from[axis] = maps[axis][static_cast<size_t>(index[axis])];
            inside = inside && from[axis] >= 0;
        }
        sources[static_cast<size_t>(element_offset(dst_desc.data, index))] =
            inside ? element_offset(source.desc.data, from) : -1;
        for (size_t axis = rank; axis-- > 0;) {
            if (++index[axis] < dst_shape[axis]) break;
            index[axis] = 0;
        }
    }
    std::vector<PadStep::Run> runs = runs_of(sources, value);
    // Runs of a few elements (a reflected innermost axis) would cost more than the reference.
    if (runs.size() * 2 > elements) return false;

    const ValueId dst = compiler.add_value(node.name, ElementType::f32, dst_shape, dst_desc);
    auto step = std::make_unique<PadStep>(src, dst, std::move(runs), elements >= 16384);
    step->name = node.name;
    compiler.add_step(std::move(step));
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
