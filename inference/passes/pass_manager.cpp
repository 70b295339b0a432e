#include "inference/passes/pass_manager.h"

#include "inference/graph/shape_inference.h"
#include "inference/passes/constant_folding.h"
#include "inference/passes/fusion_passes.h"
#include "inference/passes/simple_passes.h"

#include <algorithm>
#include <memory>

namespace es::passes {

// Each round moves a transpose past one more elementwise op.
constexpr int k_sinking_rounds = 4;

std::vector<PassRecord> optimize(graph::Model& model, const OptimizeOptions& options) {
    std::vector<std::unique_ptr<Pass>> pipeline;
    // Folding first: shape subgraphs and constant arithmetic become Consts that the patterns
    // below match on (Transpose orders, Multiply operands, BatchNorm parameters).
    pipeline.push_back(std::make_unique<ConstantFolding>());
    pipeline.push_back(std::make_unique<IdentityRemoval>());
    // BatchNorm must be a Multiply before scale folding can move it into the weights.
    pipeline.push_back(std::make_unique<BatchNormDecomposition>());
    pipeline.push_back(std::make_unique<ConvScaleFolding>());
    // Sinking brings layout transposes next to each other; cancellation then removes them.
    // Sinking adds Transposes of constants, which folding turns back into constants.
    for (int round = 0; round < k_sinking_rounds; ++round) {
        pipeline.push_back(std::make_unique<TransposeSinking>());
        pipeline.push_back(std::make_unique<TransposeReshapeCancellation>());
        pipeline.push_back(std::make_unique<IdentityRemoval>());
        pipeline.push_back(std::make_unique<ConstantFolding>());
    }
    pipeline.push_back(std::make_unique<MergeEqualConstants>());
    // Compression last: every pass above reads f32 constant values.
    if (options.compress_to_fp16) pipeline.push_back(std::make_unique<Fp16Compression>());
    pipeline.push_back(std::make_unique<DeadCodeElimination>());

    std::vector<PassRecord> records;
    for (const auto& pass : pipeline) {
        const size_t rewrites = pass->run(model);
        if (rewrites) {
            model.sort_topologically();
            graph::infer_shapes(model);
        }
        const auto same =
            std::find_if(records.begin(), records.end(),
                         [&](const PassRecord& record) { return record.pass == pass->name(); });
        if (same == records.end())
            records.push_back({std::string(pass->name()), rewrites});
        else
            same->rewrites += rewrites;
    }
    return records;
}

}  // namespace es::passes
