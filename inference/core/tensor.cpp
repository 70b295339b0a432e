#include "inference/core/tensor.h"

#include "inference/core/error.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace es {
namespace {

constexpr size_t k_alignment = 64;

template <typename T>
T read_as(const std::byte* src) {
    T value;
    std::memcpy(&value, src, sizeof(T));
    return value;
}

// Calls fn(T{}) with the C++ type of `type`.
template <typename Fn>
auto visit_type(ElementType type, Fn&& fn) {
    switch (type) {
        case ElementType::boolean:
            return fn(bool{});
        case ElementType::f16:
            return fn(float16{});
        case ElementType::f32:
            return fn(float{});
        case ElementType::f64:
            return fn(double{});
        case ElementType::i8:
            return fn(int8_t{});
        case ElementType::i16:
            return fn(int16_t{});
        case ElementType::i32:
            return fn(int32_t{});
        case ElementType::i64:
            return fn(int64_t{});
        case ElementType::u8:
            return fn(uint8_t{});
        case ElementType::u16:
            return fn(uint16_t{});
        case ElementType::u32:
            return fn(uint32_t{});
        case ElementType::u64:
            return fn(uint64_t{});
        case ElementType::undefined:
            break;
    }
    throw_runtime("undefined element type");
}

double load(const std::byte* src, ElementType type) {
    return visit_type(type, [&](auto tag) -> double {
        using T = decltype(tag);
        if constexpr (std::is_same_v<T, float16>)
            return static_cast<float>(read_as<float16>(src));
        else if constexpr (std::is_same_v<T, bool>)
            return read_as<uint8_t>(src) != 0 ? 1.0 : 0.0;
        else
            return static_cast<double>(read_as<T>(src));
    });
}

template <typename T>
T saturate_to(double value) {
    if (std::isnan(value)) return T{0};
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::lowest());
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (value <= lo) return std::numeric_limits<T>::lowest();
    if (value >= hi) return std::numeric_limits<T>::max();
    return static_cast<T>(std::trunc(value));
}

void store(std::byte* dst, ElementType type, double value) {
    visit_type(type, [&](auto tag) {
        using T = decltype(tag);
        T result;
        if constexpr (std::is_same_v<T, float16>)
            result = float16(static_cast<float>(value));
        else if constexpr (std::is_same_v<T, bool>)
            result = value != 0.0;
        else if constexpr (std::is_floating_point_v<T>)
            result = static_cast<T>(value);
        else
            result = saturate_to<T>(value);
        std::memcpy(dst, &result, sizeof(T));
    });
}

}  // namespace

Tensor::Tensor(ElementType type, Shape shape)
    : m_type(type), m_shape(std::move(shape)), m_size(shape_size(m_shape)) {
    if (type == ElementType::undefined) throw_runtime("cannot allocate a tensor of undefined type");
    const size_t bytes = std::max<size_t>(byte_size(), 1);
    const size_t rounded = (bytes + k_alignment - 1) / k_alignment * k_alignment;
    void* memory = std::aligned_alloc(k_alignment, rounded);
    if (!memory) throw std::bad_alloc();
    std::memset(memory, 0, rounded);
    m_data = memory;
    m_owner = std::shared_ptr<void>(memory, std::free);
}

Tensor Tensor::view(ElementType type, Shape shape, std::shared_ptr<const void> owner,
                    const void* data) {
    Tensor tensor;
    tensor.m_type = type;
    tensor.m_shape = std::move(shape);
    tensor.m_size = shape_size(tensor.m_shape);
    tensor.m_owner = std::move(owner);
    tensor.m_data = const_cast<void*>(data);
    return tensor;
}

Tensor Tensor::clone() const {
    if (empty()) return {};
    Tensor copy(m_type, m_shape);
    std::memcpy(copy.m_data, m_data, byte_size());
    return copy;
}

Tensor Tensor::reshaped(Shape shape) const {
    if (shape_size(shape) != m_size)
        throw_runtime("cannot reshape {} to {}", to_string(m_shape), to_string(shape));
    Tensor tensor = *this;
    tensor.m_shape = std::move(shape);
    return tensor;
}

std::vector<int64_t> Tensor::to_int64s() const {
    if (!is_integer(m_type) && m_type != ElementType::boolean)
        throw_runtime("expected an integer tensor, got {}", to_string(m_type));
    std::vector<int64_t> values(m_size);
    const size_t step = element_size(m_type);
    for (size_t i = 0; i < m_size; ++i) {
        if (m_type == ElementType::u64)
            values[i] = static_cast<int64_t>(read_as<uint64_t>(bytes() + i * step));
        else if (m_type == ElementType::i64)
            values[i] = read_as<int64_t>(bytes() + i * step);
        else
            values[i] = static_cast<int64_t>(load(bytes() + i * step, m_type));
    }
    return values;
}

std::vector<double> Tensor::to_doubles() const {
    std::vector<double> values(m_size);
    const size_t step = element_size(m_type);
    for (size_t i = 0; i < m_size; ++i)
        values[i] = load(bytes() + i * step, m_type);
    return values;
}

void Tensor::check_type(ElementType expected) const {
    if (expected != m_type)
        throw_runtime("tensor holds {}, accessed as {}", to_string(m_type), to_string(expected));
}

Tensor convert(const Tensor& src, ElementType type) {
    Tensor dst(type, src.shape());
    if (src.type() == type) {
        std::memcpy(dst.bytes(), src.bytes(), src.byte_size());
        return dst;
    }
    const size_t src_step = element_size(src.type());
    const size_t dst_step = element_size(type);
    const bool wide_integer_copy =
        (src.type() == ElementType::i64 || src.type() == ElementType::u64) &&
        (type == ElementType::i64 || type == ElementType::u64);
    for (size_t i = 0; i < src.size(); ++i) {
        if (wide_integer_copy)  // exact beyond double's 53-bit mantissa
            std::memcpy(dst.bytes() + i * dst_step, src.bytes() + i * src_step, 8);
        else
            store(dst.bytes() + i * dst_step, type, load(src.bytes() + i * src_step, src.type()));
    }
    return dst;
}

}  // namespace es
