#pragma once

#include "inference/graph/model.h"

#include <string>
#include <vector>

namespace es::passes {

struct OptimizeOptions {
    bool compress_to_fp16 = false;  // weights as f16 Const + Convert, as OpenVINO writes them
};

struct PassRecord {
    std::string pass;
    size_t rewrites = 0;
};

// Runs the optimization pipeline (the order and its reasons live in pass_manager.cpp) and
// returns what each pass changed, in order, passes that changed nothing included.
std::vector<PassRecord> optimize(graph::Model& model, const OptimizeOptions& options = {});

}  // namespace es::passes
