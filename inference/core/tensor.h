#pragma once

#include "inference/core/element_type.h"
#include "inference/core/float16.h"
#include "inference/core/shape.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace es {

// Maps a C++ element type to its ElementType.
template <typename T>
constexpr ElementType element_type_of() {
    if constexpr (std::is_same_v<T, float>)
        return ElementType::f32;
    else if constexpr (std::is_same_v<T, float16>)
        return ElementType::f16;
    else if constexpr (std::is_same_v<T, double>)
        return ElementType::f64;
    else if constexpr (std::is_same_v<T, int8_t>)
        return ElementType::i8;
    else if constexpr (std::is_same_v<T, int16_t>)
        return ElementType::i16;
    else if constexpr (std::is_same_v<T, int32_t>)
        return ElementType::i32;
    else if constexpr (std::is_same_v<T, int64_t>)
        return ElementType::i64;
    else if constexpr (std::is_same_v<T, uint8_t>)
        return ElementType::u8;
    else if constexpr (std::is_same_v<T, uint16_t>)
        return ElementType::u16;
    else if constexpr (std::is_same_v<T, uint32_t>)
        return ElementType::u32;
    else if constexpr (std::is_same_v<T, uint64_t>)
        return ElementType::u64;
    else if constexpr (std::is_same_v<T, bool>)
        return ElementType::boolean;
    else
        static_assert(sizeof(T) == 0, "no ElementType for this C++ type");
}

// The most bytes a value may expand to from a smaller description (a constant filled from a few
// values, a folded Broadcast or Tile): more would let a tiny model file fill gigabytes.
constexpr size_t k_max_expanded_bytes = size_t{64} << 20;

// A typed n-dimensional array. Copies share the buffer; clone() copies the bytes.
// Buffers are 64-byte aligned, or views into memory owned by someone else (a mapped .bin).
class Tensor {
  public:
    Tensor() = default;
    // Allocates zero-filled storage.
    Tensor(ElementType type, Shape shape);
    // A view of `data`, kept alive by `owner`.
    static Tensor view(ElementType type, Shape shape, std::shared_ptr<const void> owner,
                       const void* data);

    ElementType type() const { return m_type; }
    const Shape& shape() const { return m_shape; }
    size_t rank() const { return m_shape.size(); }
    size_t size() const { return m_size; }
    size_t byte_size() const { return m_size * element_size(m_type); }
    bool empty() const { return m_type == ElementType::undefined; }

    // Typed access; throws es::Error when T does not match type(). bool maps to boolean (1 byte).
    template <typename T>
    T* data() {
        check_type(element_type_of<T>());
        return static_cast<T*>(m_data);
    }
    template <typename T>
    const T* data() const {
        check_type(element_type_of<T>());
        return static_cast<const T*>(m_data);
    }
    std::byte* bytes() { return static_cast<std::byte*>(m_data); }
    const std::byte* bytes() const { return static_cast<const std::byte*>(m_data); }

    Tensor clone() const;
    // Same bytes, another shape with the same element count.
    Tensor reshaped(Shape shape) const;

    // Values of an integer (or boolean) tensor as int64; throws for other types.
    std::vector<int64_t> to_int64s() const;
    // Values of any numeric tensor as double.
    std::vector<double> to_doubles() const;

  private:
    void check_type(ElementType expected) const;

    ElementType m_type = ElementType::undefined;
    Shape m_shape;
    size_t m_size = 0;
    std::shared_ptr<const void> m_owner;
    void* m_data = nullptr;
};

// Converts every element to `type` (float rounding to nearest; float to integer truncates
// toward zero after clamping to the target range, as OpenVINO's Convert does).
Tensor convert(const Tensor& src, ElementType type);

// A 1-D or scalar tensor from values, for building test graphs and shape constants.
template <typename T>
Tensor make_tensor(Shape shape, std::initializer_list<T> values);

}  // namespace es

#include "inference/core/tensor_impl.h"
