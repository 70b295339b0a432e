#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace es {

// A static shape: every dimension known.
using Shape = std::vector<int64_t>;

// Number of elements of a static shape; throws es::Error (BadInput) when a dimension is
// negative or the product overflows what a buffer could hold.
size_t shape_size(const Shape& shape);

// "[1,3,224,224]"
std::string to_string(const Shape& shape);

// A dimension that may be unknown until run time (value -1).
constexpr int64_t k_dynamic = -1;

// A shape whose rank and dimensions may be unknown until run time.
class PartialShape {
  public:
    PartialShape() = default;  // dynamic rank
    PartialShape(std::initializer_list<int64_t> dims) : m_dims(dims), m_rank_known(true) {}
    explicit PartialShape(std::vector<int64_t> dims)
        : m_dims(std::move(dims)), m_rank_known(true) {}

    static PartialShape dynamic_rank() { return {}; }
    static PartialShape dynamic_of_rank(size_t rank) {
        return PartialShape(std::vector<int64_t>(rank, k_dynamic));
    }

    bool rank_known() const { return m_rank_known; }
    size_t rank() const { return m_dims.size(); }  // only meaningful when rank_known()
    bool is_static() const;
    int64_t operator[](size_t i) const { return m_dims[i]; }
    int64_t& operator[](size_t i) { return m_dims[i]; }
    const std::vector<int64_t>& dims() const { return m_dims; }
    // The static shape; throws es::Error if any dimension is unknown.
    Shape to_shape() const;
    // True when `shape` is an instance of this partial shape.
    bool accepts(const Shape& shape) const;

    bool operator==(const PartialShape&) const = default;

  private:
    std::vector<int64_t> m_dims;
    bool m_rank_known = false;
};

// "[1,3,?,?]" or "[...]" for dynamic rank.
std::string to_string(const PartialShape& shape);

// Normalizes a possibly negative axis against `rank`; nullopt when out of range.
std::optional<size_t> normalize_axis(int64_t axis, size_t rank);

}  // namespace es

namespace es {

// Parses the IR's text form of a shape: "1,3,224,224", "1, 3, ?, -1", "1..10" bounds (taken as
// dynamic), "..." for dynamic rank. Empty text is a scalar. nullopt when malformed.
std::optional<PartialShape> parse_partial_shape(std::string_view text);
// "1,3,224,224", with "?" for dynamic dimensions and "..." for dynamic rank.
std::string format_partial_shape(const PartialShape& shape, std::string_view separator = ",");

}  // namespace es
