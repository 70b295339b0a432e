#include "devices/cpu/dnnl_util.h"

#include "inference/core/error.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace es::devices::cpu {

const dnnl::engine& cpu_engine() {
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

std::optional<dnnl::memory::data_type> dnnl_type(ElementType type) {
    using dt = dnnl::memory::data_type;
    switch (type) {
        case ElementType::f32:
            return dt::f32;
        case ElementType::f16:
            return dt::f16;
        case ElementType::i32:
            return dt::s32;
        case ElementType::i8:
            return dt::s8;
        case ElementType::u8:
        case ElementType::boolean:
            return dt::u8;
        default:
            return std::nullopt;
    }
}

ElementType element_type_of(dnnl::memory::data_type type, ElementType otherwise) {
    using dt = dnnl::memory::data_type;
    if (type == dt::f32) return ElementType::f32;
    if (type == dt::s8) return ElementType::i8;
    if (type == dt::u8) return ElementType::u8;
    return otherwise;
}

dnnl::memory::dims dnnl_dims(const Shape& shape) {
    if (shape.empty()) return {1};
    return dnnl::memory::dims(shape.begin(), shape.end());
}

dnnl::memory::desc plain_desc(ElementType type, const Shape& shape) {
    const auto data_type = dnnl_type(type);
    if (!data_type) return {};
    const auto dims = dnnl_dims(shape);
    dnnl::memory::dims strides(dims.size(), 1);
    for (size_t i = dims.size() - 1; i-- > 0;)
        strides[i] = strides[i + 1] * std::max<dnnl::memory::dim>(dims[i + 1], 1);
    return dnnl::memory::desc(dims, *data_type, strides);
}

bool is_plain(const dnnl::memory::desc& desc) {
    if (desc.is_zero()) return true;
    const dnnl_memory_desc_t& data = desc.data;
    if (data.format_kind != dnnl_blocked || data.format_desc.blocking.inner_nblks != 0 ||
        data.offset0 != 0)
        return false;
    dnnl_dim_t expected = 1;
    for (int i = data.ndims; i-- > 0;) {
        if (data.padded_dims[i] != data.dims[i]) return false;
        if (data.dims[i] != 1 && data.format_desc.blocking.strides[i] != expected) return false;
        expected *= data.dims[i];
    }
    return true;
}

bool same_layout_at_offset(const dnnl::memory::desc& part, const dnnl::memory::desc& whole) {
    const dnnl_memory_desc_t& a = part.data;
    const dnnl_memory_desc_t& b = whole.data;
    if (a.format_kind != dnnl_blocked || b.format_kind != dnnl_blocked || a.ndims != b.ndims ||
        a.data_type != b.data_type || b.offset0 != 0 || a.extra.flags != b.extra.flags)
        return false;
    const auto& blocking_a = a.format_desc.blocking;
    const auto& blocking_b = b.format_desc.blocking;
    if (blocking_a.inner_nblks != blocking_b.inner_nblks) return false;
    for (int i = 0; i < blocking_a.inner_nblks; ++i)
        if (blocking_a.inner_blks[i] != blocking_b.inner_blks[i] ||
            blocking_a.inner_idxs[i] != blocking_b.inner_idxs[i])
            return false;
    for (int i = 0; i < a.ndims; ++i) {
        if (a.dims[i] != b.dims[i] || a.padded_dims[i] != b.padded_dims[i] ||
            a.padded_offsets[i] != 0 || b.padded_offsets[i] != 0)
            return false;
        if (a.padded_dims[i] != 1 && blocking_a.strides[i] != blocking_b.strides[i]) return false;
    }
    return true;
}

dnnl::memory::desc desc_like(const dnnl::memory::desc& desc, const Shape& dims) {
    using Tag = dnnl::memory::format_tag;
    static const std::vector<Tag> k_tags[] = {
        {},
        {Tag::a},
        {Tag::ab, Tag::ba},
        {Tag::abc, Tag::acb, Tag::aBc16b, Tag::aBc8b},
        {Tag::abcd, Tag::acdb, Tag::aBcd16b, Tag::aBcd8b},
        {Tag::abcde, Tag::acdeb, Tag::aBcde16b, Tag::aBcde8b},
    };
    const size_t rank = static_cast<size_t>(desc.data.ndims);
    const auto data_type = desc.data_type();
    if (rank == dims.size() && rank < std::size(k_tags))
        for (Tag tag : k_tags[rank])
            if (dnnl::memory::desc(desc.dims(), data_type, tag) == desc)
                return dnnl::memory::desc(dnnl_dims(dims), data_type, tag);
    return plain_desc(ElementType::f32, dims);
}

dnnl::memory::desc axis_innermost_desc(const Shape& shape, size_t axis,
                                       dnnl::memory::data_type type) {
    dnnl::memory::dims strides(shape.size());
    int64_t stride = shape[axis];
    strides[axis] = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        if (i == axis) continue;
        strides[i] = stride;
        stride *= shape[i];
    }
    return dnnl::memory::desc(dnnl_dims(shape), type, strides);
}

dnnl::memory::desc permuted_desc(const dnnl::memory::desc& desc,
                                 const std::vector<int64_t>& permutation) {
    // oneDNN's permute_axes maps axis i of the source to axis permutation[i] of the result: the
    // inverse of Transpose's order.
    std::vector<int> inverse(permutation.size());
    for (size_t i = 0; i < permutation.size(); ++i)
        inverse[static_cast<size_t>(permutation[i])] = static_cast<int>(i);
    return desc.permute_axes(inverse);
}

std::string effective_isa() {
    switch (dnnl::get_effective_cpu_isa()) {
        case dnnl::cpu_isa::sse41:
            return "sse41";
        case dnnl::cpu_isa::avx:
            return "avx";
        case dnnl::cpu_isa::avx2:
            return "avx2";
        case dnnl::cpu_isa::avx2_vnni:
            return "avx2_vnni";
        case dnnl::cpu_isa::avx512_mic:
        case dnnl::cpu_isa::avx512_mic_4ops:
            return "avx512_mic";
        case dnnl::cpu_isa::avx512_core:
            return "avx512_core";
        case dnnl::cpu_isa::avx512_core_vnni:
            return "avx512_core_vnni";
        case dnnl::cpu_isa::avx512_core_bf16:
            return "avx512_core_bf16";
        case dnnl::cpu_isa::avx512_core_amx:
            return "avx512_core_amx";
        default:
            return "unknown";
    }
}

bool has_int8_dot_product() {
    return dnnl::get_effective_cpu_isa() == dnnl::cpu_isa::avx2_vnni ||
           has_avx512_int8_dot_product();
}

bool has_avx512_int8_dot_product() {
    switch (dnnl::get_effective_cpu_isa()) {
        case dnnl::cpu_isa::avx512_core_vnni:
        case dnnl::cpu_isa::avx512_core_bf16:
        case dnnl::cpu_isa::avx512_core_amx:
            return true;
        default:
            return false;
    }
}

bool exact_int8_requested() {
    const char* exact = std::getenv("EDGESIGHT_EXACT_INT8");
    return exact && std::string_view(exact) == "1";
}

ThreadScope::ThreadScope(int threads) : m_previous(omp_get_max_threads()) {
    omp_set_num_threads(std::max(1, threads));
}

ThreadScope::~ThreadScope() {
    omp_set_num_threads(m_previous);
}

std::string implementation_of(const dnnl::primitive_desc_base& primitive) {
    return primitive.impl_info_str();
}

dnnl::memory::desc with_type(dnnl::memory::desc desc, dnnl::memory::data_type type) {
    desc.data.data_type = dnnl::memory::convert_to_c(type);
    return desc;
}

}  // namespace es::devices::cpu
