// The ONNX backend node tests and PyTorch-converted layer tests in ../shared/conformance/onnx:
// each model is converted, run on REF and compared with the reference outputs that came with it.
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/runtime/core.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <cmath>
#include <iostream>
#include <map>
#include <set>

using namespace es;
using namespace es::testing;

namespace {

// The ONNX backend tests' own tolerance (onnx/backend/test/runner: rtol 1e-3, atol 1e-7).
constexpr double k_rtol = 1e-3;
constexpr double k_atol = 1e-7;

std::vector<std::filesystem::path> sorted_files(const std::filesystem::path& dir,
                                                const std::string& prefix) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().filename().string().starts_with(prefix)) files.push_back(entry.path());
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
        const auto number = [](const std::filesystem::path& p) {
            const std::string stem = p.stem().string();
            return std::stoi(stem.substr(stem.rfind('_') + 1));
        };
        return number(a) < number(b);
    });
    return files;
}

// Empty when the outputs match; otherwise why not.
std::string compare(const Tensor& actual, const Tensor& expected, const std::string& name) {
    if (actual.shape() != expected.shape())
        return fmt::format("output '{}': shape {} vs expected {}", name, to_string(actual.shape()),
                           to_string(expected.shape()));
    if (is_integer(expected.type()) || expected.type() == ElementType::boolean) {
        if (actual.to_int64s() != expected.to_int64s())
            return fmt::format("output '{}': integer values differ", name);
        return {};
    }
    const auto x = actual.to_doubles();
    const auto y = expected.to_doubles();
    for (size_t i = 0; i < x.size(); ++i) {
        if ((std::isnan(x[i]) && std::isnan(y[i])) || x[i] == y[i]) continue;
        if (!(std::abs(x[i] - y[i]) <= k_atol + k_rtol * std::abs(y[i])))
            return fmt::format("output '{}': element {} is {} but expected {}", name, i, x[i],
                               y[i]);
    }
    return {};
}

// Empty when the test passes; otherwise the reason.
std::string run_test(const runtime::Core& core, const std::filesystem::path& dir) {
    try {
        auto model = std::make_shared<graph::Model>(frontends::read_onnx(dir / "model.onnx"));
        const auto compiled = core.compile(model, "REF");
        for (const auto& set : sorted_files(dir, "test_data_set_")) {
            auto request = compiled.create_infer_request();
            const auto inputs = sorted_files(set, "input_");
            const auto outputs = sorted_files(set, "output_");
            if (inputs.size() != compiled.inputs().size())
                return fmt::format("{} inputs given, the model has {}", inputs.size(),
                                   compiled.inputs().size());
            if (outputs.size() != compiled.outputs().size())
                return fmt::format("{} outputs expected, the model has {}", outputs.size(),
                                   compiled.outputs().size());
            for (size_t i = 0; i < inputs.size(); ++i)
                request.set_input(i, frontends::read_onnx_tensor(inputs[i]));
            request.infer();
            for (size_t i = 0; i < outputs.size(); ++i) {
                const std::string mismatch =
                    compare(request.output(i), frontends::read_onnx_tensor(outputs[i]),
                            compiled.outputs()[i].name);
                if (!mismatch.empty()) return set.filename().string() + ": " + mismatch;
            }
        }
        return {};
    } catch (const std::exception& error) {
        return error.what();
    }
}

}  // namespace

TEST_CASE("ONNX conformance: every test passes except the listed known failures") {
    const auto shared = shared_dir();
    const runtime::Core core(devices::make_registry());
    const auto known = known_failures(std::filesystem::path(ES_SOURCE_DIR) /
                                      "tests/conformance/onnx_known_failures.txt");
    size_t passed = 0, failed = 0, expected_failures = 0;
    std::set<std::string> seen;
    for (const std::string suite : {"node", "pytorch-converted"}) {
        std::vector<std::filesystem::path> tests;
        for (const auto& entry :
             std::filesystem::directory_iterator(shared / "conformance/onnx" / suite))
            tests.push_back(entry.path());
        std::sort(tests.begin(), tests.end());
        for (const auto& dir : tests) {
            const std::string id = suite + "/" + dir.filename().string();
            seen.insert(id);
            const std::string reason = run_test(core, dir);
            const bool listed = known.count(id) > 0;
            if (reason.empty()) {
                ++passed;
                if (listed) FAIL_CHECK(id << " passes now: remove it from onnx_known_failures.txt");
            } else if (listed) {
                ++expected_failures;
            } else {
                ++failed;
                FAIL_CHECK(id << ": " << reason);
            }
        }
    }
    for (const auto& [id, reason] : known)
        if (!seen.count(id)) FAIL_CHECK(id << " is listed as a known failure but does not exist");
    std::cout << fmt::format("ONNX conformance: {} passed, {} failed, {} known failures\n", passed,
                             failed, expected_failures);
    CHECK(passed > 0);
}
