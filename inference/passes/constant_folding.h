#pragma once

#include "inference/passes/pass.h"

namespace es::passes {

// Replaces every node whose inputs are all constants (and ShapeOf of a static shape) by a
// Const holding its result. Weight decompression (Convert marked "decompression") is kept, and
// so is a node whose result would be much larger than its inputs (graph::fold_node).
class ConstantFolding : public Pass {
  public:
    std::string_view name() const override { return "constant folding"; }
    size_t run(graph::Model& model) override;
};

}  // namespace es::passes
