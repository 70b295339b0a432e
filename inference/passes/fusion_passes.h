#pragma once

#include "inference/passes/pass.h"

namespace es::passes {

// BatchNormInference with constant parameters becomes Multiply(scale) + Add(shift), with
// scale = gamma / sqrt(variance + epsilon) and shift = beta - mean * scale.
class BatchNormDecomposition : public Pass {
  public:
    std::string_view name() const override { return "BatchNorm decomposition"; }
    size_t run(graph::Model& model) override;
};

// Convolution/GroupConvolution with constant weights followed only by a Multiply with a
// per-output-channel (or scalar) constant: the scale moves into the weights.
class ConvScaleFolding : public Pass {
  public:
    std::string_view name() const override { return "scale folding into convolution"; }
    size_t run(graph::Model& model) override;
};

// Transpose of a Transpose becomes one Transpose (or nothing when the orders cancel);
// Reshape of a Reshape becomes one Reshape when the second target shape is constant.
class TransposeReshapeCancellation : public Pass {
  public:
    std::string_view name() const override { return "transpose/reshape cancellation"; }
    size_t run(graph::Model& model) override;
};

}  // namespace es::passes

namespace es::passes {

// Moves a Transpose below the elementwise op that consumes it: unary ops, binary ops whose
// other operand is constant (that operand is transposed by the inverse order instead), and
// binary ops whose two operands are transposed by the same order. Layout
// transposes that frontends put around NHWC ops then meet and cancel.
class TransposeSinking : public Pass {
  public:
    std::string_view name() const override { return "transpose sinking"; }
    size_t run(graph::Model& model) override;
};

}  // namespace es::passes
