// The real ONNX architectures in ../shared/models/onnx, converted and run on REF, against the
// ONNX Runtime outputs stored beside them.
#include "inference/core/npy.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/passes/pass_manager.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

TEST_CASE("ONNX models match ONNX Runtime before and after optimization (error <= 1e-4 of range)") {
    const auto shared = shared_dir();
    const auto dir = shared / "models" / "onnx";
    for (const auto& [name, outputs] : shared_onnx_models()) {
        CAPTURE(name);
        graph::Model model = frontends::read_onnx(dir / (name + ".onnx"));
        graph::Model optimized = model.clone();
        passes::optimize(optimized);
        CHECK(optimized.nodes().size() < model.nodes().size());
        const Tensor input = read_npy(dir / "references" / (name + ".input.npy"));
        for (const auto& output : outputs) {
            CAPTURE(output);
            const Tensor expected = read_npy(dir / "references" / (name + "." + output + ".npy"));
            CHECK(scaled_error(run_model("REF", model, input, output), expected, 0) <= 1e-4);
            CHECK(scaled_error(run_model("REF", optimized, input, output), expected, 0) <= 1e-4);
        }
    }
}
