#pragma once

#include "inference/core/shape.h"
#include "inference/core/tensor.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <exception>
#include <optional>
#include <string>
#include <thread>

namespace es::devices::cpu {

// The one CPU engine every primitive of the process is made for.
const dnnl::engine& cpu_engine();

// oneDNN's data type for `type`; nullopt for types it lacks (i64, f64, u16 …).
std::optional<dnnl::memory::data_type> dnnl_type(ElementType type);

// The element type oneDNN's `type` stands for where it is f32, u8 or s8; `otherwise` else.
ElementType element_type_of(dnnl::memory::data_type type, ElementType otherwise);

// Dimensions as oneDNN wants them: a scalar is [1].
dnnl::memory::dims dnnl_dims(const Shape& shape);

// Dense row-major layout of `shape`; a zero desc when oneDNN lacks the type.
dnnl::memory::desc plain_desc(ElementType type, const Shape& shape);

// True when `desc` describes a dense row-major layout (or is a zero desc).
bool is_plain(const dnnl::memory::desc& desc);

// An f32 layout for `dims` in the same format as `desc` (nChw16c, nhwc …) when `desc` has one
// of the common formats, plain otherwise. oneDNN's binary kernels want a broadcast operand in the
// format of the full one.
dnnl::memory::desc desc_like(const dnnl::memory::desc& desc, const Shape& dims);

// `desc` with elements of `type`.
dnnl::memory::desc with_type(dnnl::memory::desc desc, dnnl::memory::data_type type);

// A layout of `shape` with `axis` innermost and the other axes in order outside it (nhwc for
// axis 1 of a 4-D shape).
dnnl::memory::desc axis_innermost_desc(const Shape& shape, size_t axis,
                                       dnnl::memory::data_type type);

// Whether `part` (a sub-memory of a larger layout) lays out its elements as `whole` does, up
// to its offset0 and the strides of dimensions of size 1: then a tensor in layout `whole`
// placed at that offset is that part of the larger one.
bool same_layout_at_offset(const dnnl::memory::desc& part, const dnnl::memory::desc& whole);

// The same memory seen with the layout's dimensions in another order: axis i of the result is
// axis permutation[i] of `desc` (as Transpose numbers them).
dnnl::memory::desc permuted_desc(const dnnl::memory::desc& desc,
                                 const std::vector<int64_t>& permutation);

// "avx512_core_amx" …: the instruction set oneDNN's kernels use on this machine.
std::string effective_isa();
// Whether that instruction set adds u8 x s8 products in 32 bits (VNNI, AMX), as int8
// convolutions need to be exact.
bool has_int8_dot_product();
// Whether it has that product in 512-bit vectors (AVX-512 VNNI), for the project's own kernels.
bool has_avx512_int8_dot_product();
// Whether EDGESIGHT_EXACT_INT8=1 asks a CPU without that product to compute an INT8 IR's
// FakeQuantizes exactly in f32, rather than run the float network they approximate.
bool exact_int8_requested();

// Sets the calling thread's OpenMP thread count for its lifetime (oneDNN sizes a primitive's
// work split by it when the primitive is made) and restores the previous one.
class ThreadScope {
  public:
    explicit ThreadScope(int threads);
    ~ThreadScope();
    ThreadScope(const ThreadScope&) = delete;
    ThreadScope& operator=(const ThreadScope&) = delete;

  private:
    int m_previous;
};

// Runs `function` on a new thread and returns its result (or rethrows its exception). OpenMP
// threads started by parallel work there end with that thread: libgomp counts the idle threads
// of every thread's pool, and with more of them than cores it stops spinning between parallel
// regions, so that every primitive of a later inference wakes sleeping threads (4 times the
// latency of mobilenet_v3_small on 2 cores).
template <typename Function>
auto on_own_thread(Function&& function) -> decltype(function()) {
    std::optional<decltype(function())> result;
    std::exception_ptr error;
    std::thread([&] {
        try {
            result.emplace(function());
        } catch (...) {
            error = std::current_exception();
        }
    }).join();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
}

// The implementation oneDNN picked, e.g. "brg:avx512_core".
std::string implementation_of(const dnnl::primitive_desc_base& primitive);

// The primitive descriptor made by `make`, or nullopt when oneDNN has no implementation for it.
template <typename Make>
auto try_create(Make&& make) -> std::optional<decltype(make())> {
    try {
        return make();
    } catch (const dnnl::error&) {
        return std::nullopt;
    }
}

}  // namespace es::devices::cpu
