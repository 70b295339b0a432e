#include "inference/graph/broadcast.h"
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <type_traits>

namespace es::graph::ops {
namespace {

// An operand as a batch of matrices after the spec's alignment: transposed if asked (rank >= 2
// only), a 1-D operand unsqueezed to a row (first input) or a column (second input).
std::vector<int64_t> as_matrices(const std::vector<int64_t>& dims, bool transpose, bool first) {
    if (dims.size() == 1)
        return first ? std::vector<int64_t>{1, dims[0]} : std::vector<int64_t>{dims[0], 1};
    std::vector<int64_t> result = dims;
    if (transpose) std::swap(result[result.size() - 1], result[result.size() - 2]);
    return result;
}

std::vector<PortType> infer_matmul(const InferContext& context) {
    const PortType& a = context.input(0);
    const PortType& b = context.input(1);
    if (a.type != b.type)
        throw_bad_input("input 0 has element type {} but input 1 has {}", to_string(a.type),
                        to_string(b.type));
    if (a.type == ElementType::boolean)
        throw_bad_input("inputs have element type boolean, expected a numeric type");
    const bool transpose_a = context.attributes().get_bool("transpose_a", false);
    const bool transpose_b = context.attributes().get_bool("transpose_b", false);
    if (!a.shape.rank_known() || !b.shape.rank_known()) return {{a.type, PartialShape()}};
    if (a.shape.rank() == 0 || b.shape.rank() == 0)
        throw_bad_input("inputs have shapes {} and {}, expected rank 1 or more for both",
                        to_string(a.shape), to_string(b.shape));

    const auto a_matrices = as_matrices(a.shape.dims(), transpose_a, true);
    const auto b_matrices = as_matrices(b.shape.dims(), transpose_b, false);
    const int64_t a_columns = a_matrices.back();
    const int64_t b_rows = b_matrices[b_matrices.size() - 2];
    if (a_columns >= 0 && b_rows >= 0 && a_columns != b_rows)
        throw_bad_input(
            "input 0 {} (transpose_a {}) has {} columns but input 1 {} (transpose_b "
            "{}) has {} rows",
            to_string(a.shape), transpose_a, a_columns, to_string(b.shape), transpose_b, b_rows);

    const PartialShape a_batch(std::vector<int64_t>(a_matrices.begin(), a_matrices.end() - 2));
    const PartialShape b_batch(std::vector<int64_t>(b_matrices.begin(), b_matrices.end() - 2));
    std::vector<int64_t> dims = broadcast_shapes(a_batch, b_batch).dims();
    if (a.shape.rank() > 1) dims.push_back(a_matrices[a_matrices.size() - 2]);
    if (b.shape.rank() > 1) dims.push_back(b_matrices.back());
    return {{a.type, PartialShape(std::move(dims))}};
}

// Integers accumulate in uint64 so that overflow wraps instead of being undefined.
template <typename T>
using Accumulator = std::conditional_t<std::is_floating_point_v<T>, T, uint64_t>;

constexpr int64_t k_tile_rows = 4;
constexpr int64_t k_tile_columns = 8;

// One matrix multiplication dst[M, N] = A[M, K] x B[K, N]. A is read through (row, column)
// strides so that transpose_a needs no copy; B is row-major [K, N], or [N, K] when
// `b_transposed`.
template <typename T>
struct Product {
    const T* a;
    int64_t a_row_stride;
    int64_t a_column_stride;
    const T* b;
    bool b_transposed;
    T* dst;
    int64_t m;
    int64_t k;
    int64_t n;
};

// dst[i + r, j + c] for Rows rows and `width` <= k_tile_columns columns, summing
// A[i + r, kk] * B[kk, j + c] over kk in registers: the inner loop runs along a row of B.
template <typename T, int64_t Rows>
void multiply_tile(const Product<T>& p, int64_t i, int64_t j, int64_t width) {
    using Acc = Accumulator<T>;
    constexpr int64_t W = k_tile_columns;
    Acc acc[Rows][W] = {};
    for (int64_t kk = 0; kk < p.k; ++kk) {
        const T* b_row = p.b + kk * p.n + j;
        Acc b[W] = {};
        if (width == W) {
            for (int64_t c = 0; c < W; ++c)
                b[c] = static_cast<Acc>(b_row[c]);
        } else {
            for (int64_t c = 0; c < width; ++c)
                b[c] = static_cast<Acc>(b_row[c]);
        }
        for (int64_t r = 0; r < Rows; ++r) {
            const auto a = static_cast<Acc>(p.a[(i + r) * p.a_row_stride + kk * p.a_column_stride]);
            for (int64_t c = 0; c < W; ++c)
                acc[r][c] += a * b[c];
        }
    }
    for (int64_t r = 0; r < Rows; ++r)
        for (int64_t c = 0; c < width; ++c)
            p.dst[(i + r) * p.n + j + c] = static_cast<T>(acc[r][c]);
}

// dst[i, j + c] = dot(A row i, B^T row j + c) for `count` <= k_tile_rows columns, when B is
// stored transposed: both rows are contiguous along K. `a_row` holds A's row i.
template <typename T>
void dot_tile(const Product<T>& p, const T* a_row, int64_t i, int64_t j, int64_t count) {
    using Acc = Accumulator<T>;
    constexpr int64_t L = k_tile_columns;  // partial sums per dot product
    Acc acc[k_tile_rows][L] = {};
    const T* b_rows[k_tile_rows] = {};
    for (int64_t c = 0; c < k_tile_rows; ++c)
        b_rows[c] = p.b + (j + std::min(c, count - 1)) * p.k;
    int64_t kk = 0;
    for (; kk + L <= p.k; kk += L) {
        Acc a[L];
        for (int64_t l = 0; l < L; ++l)
            a[l] = static_cast<Acc>(a_row[kk + l]);
        for (int64_t c = 0; c < k_tile_rows; ++c)
            for (int64_t l = 0; l < L; ++l)
                acc[c][l] += a[l] * static_cast<Acc>(b_rows[c][kk + l]);
    }
    for (; kk < p.k; ++kk)
        for (int64_t c = 0; c < k_tile_rows; ++c)
            acc[c][0] += static_cast<Acc>(a_row[kk]) * static_cast<Acc>(b_rows[c][kk]);
    for (int64_t c = 0; c < count; ++c) {
        Acc sum = 0;
        for (int64_t l = 0; l < L; ++l)
            sum += acc[c][l];
        p.dst[i * p.n + j + c] = static_cast<T>(sum);
    }
}

template <typename T>
void multiply(const Product<T>& p) {
    if (p.b_transposed) {
        std::vector<T> a_row(static_cast<size_t>(p.k));
        for (int64_t i = 0; i < p.m; ++i) {
            for (int64_t kk = 0; kk < p.k; ++kk)
                a_row[kk] = p.a[i * p.a_row_stride + kk * p.a_column_stride];
            for (int64_t j = 0; j < p.n; j += k_tile_rows)
                dot_tile(p, a_row.data(), i, j, std::min(k_tile_rows, p.n - j));
        }
        return;
    }
    for (int64_t i = 0; i < p.m; i += k_tile_rows) {
        const int64_t rows = std::min(k_tile_rows, p.m - i);
        for (int64_t j = 0; j < p.n; j += k_tile_columns) {
            const int64_t width = std::min(k_tile_columns, p.n - j);
            switch (rows) {
                case 4:
                    multiply_tile<T, 4>(p, i, j, width);
                    break;
                case 3:
                    multiply_tile<T, 3>(p, i, j, width);
                    break;
                case 2:
                    multiply_tile<T, 2>(p, i, j, width);
                    break;
                default:
                    multiply_tile<T, 1>(p, i, j, width);
                    break;
            }
        }
    }
}

template <typename T>
void evaluate_typed(const Tensor& a, const Tensor& b, Tensor& dst, bool transpose_a,
                    bool transpose_b) {
    // Stored matrix shapes: 1-D operands are a [1, K] row and a [K, 1] column.
    const Shape a_stored = a.rank() == 1 ? Shape{1, a.shape()[0]} : a.shape();
    const Shape b_stored = b.rank() == 1 ? Shape{b.shape()[0], 1} : b.shape();
    const bool a_transposed = transpose_a && a.rank() > 1;
    const bool b_transposed = transpose_b && b.rank() > 1;
    const int64_t a_rows = a_stored[a_stored.size() - 2];
    const int64_t a_columns = a_stored.back();
    const int64_t b_rows = b_stored[b_stored.size() - 2];
    const int64_t b_columns = b_stored.back();

    const Shape a_batch(a_stored.begin(), a_stored.end() - 2);
    const Shape b_batch(b_stored.begin(), b_stored.end() - 2);
    const Shape batch = broadcast_shapes(a_batch, b_batch);
    const int64_t a_matrix = a_rows * a_columns;
    const int64_t b_matrix = b_rows * b_columns;

    Product<T> product{};
    product.a_row_stride = a_transposed ? 1 : a_columns;
    product.a_column_stride = a_transposed ? a_columns : 1;
    product.b_transposed = b_transposed;
    product.m = a_transposed ? a_columns : a_rows;
    product.k = a_transposed ? a_rows : a_columns;
    product.n = b_transposed ? b_rows : b_columns;
    const T* a_data = elements<T>(a);
    const T* b_data = elements<T>(b);
    T* dst_data = elements<T>(dst);
    for_each_broadcast(batch, broadcast_strides(a_batch, batch), broadcast_strides(b_batch, batch),
                       [&](size_t i, size_t a_index, size_t b_index) {
                           product.a = a_data + a_index * a_matrix;
                           product.b = b_data + b_index * b_matrix;
                           product.dst = dst_data + i * product.m * product.n;
                           multiply(product);
                       });
}

void evaluate_matmul(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    const bool transpose_a = node.attributes.get_bool("transpose_a", false);
    const bool transpose_b = node.attributes.get_bool("transpose_b", false);
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        evaluate_typed<decltype(zero)>(inputs[0], inputs[1], outputs[0], transpose_a, transpose_b);
    });
}

}  // namespace

void add_matmul_ops(std::vector<OpDef>& ops) {
    ops.push_back({"MatMul", 1, 2, 2, infer_matmul, evaluate_matmul});
}

}  // namespace es::graph::ops
