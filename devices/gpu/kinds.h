#pragma once

// Which nodes the GPU has a kernel for, and what the kernels read from a node.

#include "inference/graph/node.h"

#include <optional>
#include <vector>

namespace es::devices::gpu {

enum class Kind {
    none,
    convolution,
    binary,
    prelu,
    unary,
    pooling,
    concat,
    view,
    softmax,
    fake_quantize,
    transpose,
    normalize_l2,
    reduce,
    matmul,
    resize
};

// The most dimensions a broadcast or a transpose takes.
constexpr size_t k_max_rank = 6;

// The kernel `node` runs as, given f32 values and static shapes; Kind::none where there is none
// (MaxPool-8's indices are the caller's to check: the kernel computes its values only).
Kind kind_of(const graph::Node& node);

// Whether the GPU has a kernel for `node`.
bool has_kernel(const graph::Node& node);

// The `binary` kernel's op code for an element-wise node, and the one PReLU takes.
int binary_op(const graph::Node& node);
constexpr int k_prelu_op = 8;

// The `reduce` kernel's op code for a Reduce* node.
int reduce_op(const graph::Node& node);

// The `activate` function's op code and attributes for an activation node.
struct Activation {
    int op = 0;
    double alpha = 0;
    double beta = 0;
};
Activation activation_of(const graph::Node& node);

// Input `index` of `node` when a Const gives it, else null.
const graph::Node* constant_input(const graph::Node& node, size_t index);

// A FakeQuantize range as one value per channel (axis 1) of `data`, or one value; nullopt for
// other broadcasts.
std::optional<std::vector<float>> channel_values(const Tensor& range, const Shape& data);

// The axes input of `node` made non-negative and sorted, when it is a constant run of
// consecutive axes; empty otherwise.
std::vector<int64_t> consecutive_axes(const graph::Node& node);

}  // namespace es::devices::gpu
