// The real ONNX architectures in ../shared/models/onnx, converted and run on REF, against the
// ONNX Runtime outputs stored beside them.
#include "devices/registry.h"
#include "inference/core/npy.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/passes/pass_manager.h"
#include "inference/runtime/core.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

// Worst |actual - expected| relative to the largest |expected|: accumulation order differs
// from ONNX Runtime's, so elementwise relative error is meaningless near zero.
double max_scaled_error(const Tensor& actual, const Tensor& expected) {
    const auto x = actual.to_doubles();
    const auto y = expected.to_doubles();
    REQUIRE(x.size() == y.size());
    double scale = 0, worst = 0;
    for (double value : y)
        scale = std::max(scale, std::abs(value));
    for (size_t i = 0; i < x.size(); ++i)
        worst = std::max(worst, std::abs(x[i] - y[i]));
    return worst / scale;
}

Tensor run(const graph::Model& model, const Tensor& input, const std::string& output_name) {
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(std::make_shared<graph::Model>(model.clone()), "REF");
    auto request = compiled.create_infer_request();
    request.set_input(0, input);
    request.infer();
    return request.output(request.output_index(output_name));
}

}  // namespace

TEST_CASE("ONNX models match ONNX Runtime before and after optimization (error <= 1e-4 of range)") {
    const auto shared = shared_dir();
    if (!shared) return;
    const auto dir = *shared / "models" / "onnx";
    const std::vector<std::pair<std::string, std::vector<std::string>>> models = {
        {"mobilenet_v2", {"logits"}},
        {"mobilenet_v3_small", {"logits"}},
        {"ssdlite320_mobilenet_v3_large", {"bbox_regression", "cls_logits"}},
    };
    for (const auto& [name, outputs] : models) {
        CAPTURE(name);
        graph::Model model = frontends::read_onnx(dir / (name + ".onnx"));
        graph::Model optimized = model.clone();
        passes::optimize(optimized);
        CHECK(optimized.nodes().size() < model.nodes().size());
        const Tensor input = read_npy(dir / "references" / (name + ".input.npy"));
        for (const auto& output : outputs) {
            CAPTURE(output);
            const Tensor expected = read_npy(dir / "references" / (name + "." + output + ".npy"));
            CHECK(max_scaled_error(run(model, input, output), expected) <= 1e-4);
            CHECK(max_scaled_error(run(optimized, input, output), expected) <= 1e-4);
        }
    }
}
