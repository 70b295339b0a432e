#pragma once

#include "inference/core/shape.h"

#include <string>
#include <vector>

namespace es::graph {

// NumPy broadcasting of two shapes; throws es::Error (BadInput) when they are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);
PartialShape broadcast_shapes(const PartialShape& a, const PartialShape& b);

// Strides (in elements) to read `src` while walking `dst` in row-major order: src is aligned to
// the right of dst and broadcast dimensions get stride 0. Result has dst.size() entries.
std::vector<size_t> broadcast_strides(const Shape& src, const Shape& dst);

// Row-major strides of a shape.
std::vector<size_t> row_major_strides(const Shape& shape);

// Walks every element of `dst` in row-major order and calls fn(dst_index, src_offsets...) for
// sources broadcast to it with the given strides.
template <typename Fn>
void for_each_broadcast(const Shape& dst, const std::vector<size_t>& a_strides,
                        const std::vector<size_t>& b_strides, Fn&& fn) {
    const size_t rank = dst.size();
    size_t total = 1;
    for (int64_t d : dst)
        total *= static_cast<size_t>(d);
    std::vector<int64_t> index(rank, 0);
    size_t a = 0, b = 0;
    for (size_t i = 0; i < total; ++i) {
        fn(i, a, b);
        for (size_t axis = rank; axis-- > 0;) {
            a += a_strides[axis];
            b += b_strides[axis];
            if (++index[axis] < dst[axis]) break;
            a -= a_strides[axis] * static_cast<size_t>(dst[axis]);
            b -= b_strides[axis] * static_cast<size_t>(dst[axis]);
            index[axis] = 0;
        }
    }
}

}  // namespace es::graph
