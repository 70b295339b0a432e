// Constant folding leaves a node unfolded when its result would be huge next to its inputs.
#include "inference/graph/shape_inference.h"
#include "inference/passes/constant_folding.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;
using graph::Model;

namespace {

// A one-element constant broadcast to `shape`, as the model's output.
Model broadcast_of_constant(const std::vector<int64_t>& shape) {
    Model model;
    const auto target = model.add_constant(i64({static_cast<int64_t>(shape.size())}, shape));
    const auto broadcast =
        model.add_op("Broadcast", "opset3", {model.add_constant(f32({1}, {1})), target}).output();
    model.add_result(broadcast, "result");
    graph::infer_shapes(model);
    return model;
}

size_t count_of(const Model& model, const std::string& type) {
    size_t count = 0;
    for (const auto& node : model.nodes())
        count += node->type == type;
    return count;
}

}  // namespace

TEST_CASE("ConstantFolding keeps a Broadcast of a constant to 512 MiB and folds a small one") {
    Model huge = broadcast_of_constant({8192, 16384});
    const size_t peak_before = peak_resident_bytes();
    CHECK(passes::ConstantFolding().run(huge) == 0);
    CHECK(count_of(huge, "Broadcast") == 1);
    CHECK(peak_resident_bytes() - peak_before < k_bad_input_memory);

    Model small = broadcast_of_constant({4, 4});
    CHECK(passes::ConstantFolding().run(small) == 1);
    CHECK(count_of(small, "Broadcast") == 0);
}

TEST_CASE("the devices' folding keeps a Broadcast of a constant to 512 MiB") {
    Model huge = broadcast_of_constant({8192, 16384});
    const size_t peak_before = peak_resident_bytes();
    passes::fold_constants(huge, {.for_device = true});
    CHECK(count_of(huge, "Broadcast") == 1);
    CHECK(peak_resident_bytes() - peak_before < k_bad_input_memory);

    Model small = broadcast_of_constant({4, 4});
    passes::fold_constants(small, {.for_device = true});
    CHECK(count_of(small, "Broadcast") == 0);
}
