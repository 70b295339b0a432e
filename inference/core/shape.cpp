#include "inference/core/shape.h"

#include "inference/core/error.h"

#include <limits>

namespace es {

size_t shape_size(const Shape& shape) {
    // 2^32 elements (32 GiB of 8-byte values) is more than an edge box holds: a larger shape
    // can only come from a malformed file.
    constexpr uint64_t k_max_elements = uint64_t{1} << 32;
    uint64_t count = 1;
    for (int64_t dim : shape) {
        if (dim < 0) throw_bad_input("shape {} has a negative dimension", to_string(shape));
        if (dim != 0 && count > k_max_elements / static_cast<uint64_t>(dim))
            throw_bad_input("shape {} has too many elements", to_string(shape));
        count *= static_cast<uint64_t>(dim);
    }
    return static_cast<size_t>(count);
}

std::string to_string(const Shape& shape) {
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        if (i) text += ',';
        text += std::to_string(shape[i]);
    }
    return text + "]";
}

bool PartialShape::is_static() const {
    if (!m_rank_known) return false;
    for (int64_t dim : m_dims)
        if (dim < 0) return false;
    return true;
}

Shape PartialShape::to_shape() const {
    if (!is_static()) throw_runtime("shape {} is not static", to_string(*this));
    return m_dims;
}

bool PartialShape::accepts(const Shape& shape) const {
    if (!m_rank_known) return true;
    if (shape.size() != m_dims.size()) return false;
    for (size_t i = 0; i < shape.size(); ++i)
        if (m_dims[i] >= 0 && m_dims[i] != shape[i]) return false;
    return true;
}

std::string to_string(const PartialShape& shape) {
    if (!shape.rank_known()) return "[...]";
    std::string text = "[";
    for (size_t i = 0; i < shape.rank(); ++i) {
        if (i) text += ',';
        text += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
    }
    return text + "]";
}

std::optional<size_t> normalize_axis(int64_t axis, size_t rank) {
    const auto signed_rank = static_cast<int64_t>(rank);
    if (axis < -signed_rank || axis >= signed_rank) return std::nullopt;
    return static_cast<size_t>(axis < 0 ? axis + signed_rank : axis);
}

}  // namespace es

namespace es {

std::optional<PartialShape> parse_partial_shape(std::string_view text) {
    auto trim = [](std::string_view part) {
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ')
            part.remove_suffix(1);
        return part;
    };
    text = trim(text);
    if (text == "...") return PartialShape::dynamic_rank();
    std::vector<int64_t> dims;
    if (text.empty()) return PartialShape(dims);
    while (true) {
        const size_t comma = text.find(',');
        const std::string part(trim(text.substr(0, comma)));
        if (part == "?" || part == "-1" || part.find("..") != std::string::npos) {
            dims.push_back(k_dynamic);
        } else {
            if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
                part.size() > 15)
                return std::nullopt;
            dims.push_back(std::stoll(part));
        }
        if (comma == std::string_view::npos) break;
        text = text.substr(comma + 1);
    }
    return PartialShape(std::move(dims));
}

std::string format_partial_shape(const PartialShape& shape, std::string_view separator) {
    if (!shape.rank_known()) return "...";
    std::string text;
    for (size_t i = 0; i < shape.rank(); ++i) {
        if (i) text += separator;
        text += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
    }
    return text;
}

}  // namespace es
