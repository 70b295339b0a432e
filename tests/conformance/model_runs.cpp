#include "tests/conformance/model_runs.h"

#include "devices/registry.h"
#include "inference/runtime/core.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

namespace es::testing {

double scaled_error(const Tensor& actual, const Tensor& expected, double floor) {
    const auto x = actual.to_doubles();
    const auto y = expected.to_doubles();
    REQUIRE(x.size() == y.size());
    double scale = floor, worst = 0;
    for (double value : y)
        scale = std::max(scale, std::abs(value));
    for (size_t i = 0; i < x.size(); ++i)
        worst = std::max(worst, std::abs(x[i] - y[i]));
    return worst / scale;
}

Tensor run_model(const std::string& device, const graph::Model& model, const Tensor& input,
                 const std::string& output) {
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(std::make_shared<graph::Model>(model.clone()), device);
    auto request = compiled.create_infer_request();
    request.set_input(0, input);
    request.infer();
    return request.output(request.output_index(output));
}

}  // namespace es::testing
