#pragma once

#include "inference/passes/pass.h"

namespace es::passes {

struct FoldingOptions {
    // As the devices compute: weight decompression (a Convert marked "decompression") folded
    // too, every f16 constant stored as f32, and the nodes sorted topologically again.
    bool for_device = false;
};

// Replaces every node whose inputs are all constants (and ShapeOf of a static shape) by a
// Const holding its result, and drops what no output needs. Weight decompression is kept unless
// `options` is for a device, and so is a node whose result would be much larger than its inputs
// (graph::fold_node). Returns the nodes folded.
size_t fold_constants(graph::Model& model, const FoldingOptions& options = {});

// fold_constants as a pass of the converter.
class ConstantFolding : public Pass {
  public:
    std::string_view name() const override { return "constant folding"; }
    size_t run(graph::Model& model) override { return fold_constants(model); }
};

}  // namespace es::passes
