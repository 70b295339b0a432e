#pragma once

#include "inference/passes/pass.h"

namespace es::passes {

// Drops nodes whose results reach no model output.
class DeadCodeElimination : public Pass {
  public:
    std::string_view name() const override { return "dead-node elimination"; }
    size_t run(graph::Model& model) override { return model.remove_unused(); }
};

// Removes ops that return their input unchanged: Convert to the same type, Reshape to the same
// static shape, Transpose by the identity order, Multiply by ones and Add/Subtract of zeros
// that do not broadcast the input.
class IdentityRemoval : public Pass {
  public:
    std::string_view name() const override { return "identity removal"; }
    size_t run(graph::Model& model) override;
};

// Merges Const nodes with the same element type, shape and bytes.
class MergeEqualConstants : public Pass {
  public:
    std::string_view name() const override { return "equal-constant merging"; }
    size_t run(graph::Model& model) override;
};

// Stores f32 constants as f16 Const + Convert marked "decompression", as OpenVINO writes
// compressed IRs. Constants outside the f16 range and integer constants stay as they are.
class Fp16Compression : public Pass {
  public:
    std::string_view name() const override { return "FP16 weight compression"; }
    size_t run(graph::Model& model) override;
};

}  // namespace es::passes
