#include "inference/graph/broadcast.h"

#include "inference/core/error.h"

#include <algorithm>

namespace es::graph {

Shape broadcast_shapes(const Shape& a, const Shape& b) {
    const size_t rank = std::max(a.size(), b.size());
    Shape result(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
        const int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
        if (x != y && x != 1 && y != 1)
            throw_bad_input("shapes {} and {} do not broadcast", to_string(a), to_string(b));
        result[i] = x == 1 ? y : x;
    }
    return result;
}

PartialShape broadcast_shapes(const PartialShape& a, const PartialShape& b) {
    if (!a.rank_known() || !b.rank_known()) return PartialShape::dynamic_rank();
    const size_t rank = std::max(a.rank(), b.rank());
    auto result = PartialShape::dynamic_of_rank(rank);
    for (size_t i = 0; i < rank; ++i) {
        const int64_t x = i < rank - a.rank() ? 1 : a[i - (rank - a.rank())];
        const int64_t y = i < rank - b.rank() ? 1 : b[i - (rank - b.rank())];
        if (x >= 0 && y >= 0) {
            if (x != y && x != 1 && y != 1)
                throw_bad_input("shapes {} and {} do not broadcast", to_string(a), to_string(b));
            result[i] = x == 1 ? y : x;
        } else if (x > 1) {
            result[i] = x;
        } else if (y > 1) {
            result[i] = y;
        } else {
            result[i] = k_dynamic;
        }
    }
    return result;
}

std::vector<size_t> row_major_strides(const Shape& shape) {
    std::vector<size_t> strides(shape.size(), 1);
    for (size_t i = shape.size(); i-- > 1;)
        strides[i - 1] = strides[i] * static_cast<size_t>(shape[i]);
    return strides;
}

std::vector<size_t> broadcast_strides(const Shape& src, const Shape& dst) {
    std::vector<size_t> strides(dst.size(), 0);
    const auto src_strides = row_major_strides(src);
    const size_t offset = dst.size() - src.size();
    for (size_t i = 0; i < src.size(); ++i)
        strides[offset + i] = src[i] == 1 ? 0 : src_strides[i];
    return strides;
}

}  // namespace es::graph
