#include "inference/core/npy.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace es;
using namespace es::testing;

namespace {

std::string binary() {
    return edgesight_binary().string();
}

}  // namespace

TEST_CASE("infer writes one .npy per output, plus --add-output layers") {
    const auto dir = temp_dir("infer");
    const auto model = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    Tensor input(ElementType::f32, {1, 3, 4, 4});
    for (size_t i = 0; i < input.size(); ++i)
        input.data<float>()[i] = static_cast<float>(i % 5) - 3.0f;
    write_npy(dir / "input.npy", input);

    const auto out = dir / "out";
    const auto result = run_command(binary() + " infer " + model.string() +
                                    " --input input=" + (dir / "input.npy").string() +
                                    " --output-dir " + out.string() + " --add-output add");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const Tensor output = read_npy(out / "output.npy");
    const Tensor added = read_npy(out / "add.npy");
    REQUIRE(output.shape() == Shape{1, 3, 4, 4});
    for (size_t i = 0; i < input.size(); ++i) {
        const float bias = static_cast<float>(i / 16 + 1);
        const float sum = input.data<float>()[i] + bias;
        CHECK(added.data<float>()[i] == sum);
        CHECK(output.data<float>()[i] == std::max(sum, 0.0f));
    }
}

TEST_CASE("infer converts an f16 .npy input and rejects a wrong shape") {
    const auto dir = temp_dir("infer");
    const auto model = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    write_npy(dir / "half.npy", convert(Tensor(ElementType::f32, {1, 3, 4, 4}), ElementType::f16));
    auto result =
        run_command(binary() + " infer " + model.string() + " --input " +
                    (dir / "half.npy").string() + " --output-dir " + (dir / "out").string());
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(read_npy(dir / "out" / "output.npy").data<float>()[16] == 2.0f);

    write_npy(dir / "wrong.npy", Tensor(ElementType::f32, {1, 3, 5, 5}));
    result = run_command(binary() + " infer " + model.string() + " --input " +
                         (dir / "wrong.npy").string() + " --output-dir " + (dir / "out").string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("expects shape [1,3,4,4], got [1,3,5,5]") != std::string::npos);
}

TEST_CASE("infer --shape reshapes a model before running it") {
    const auto dir = temp_dir("infer");
    const auto model = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    write_npy(dir / "big.npy", Tensor(ElementType::f32, {1, 3, 8, 6}));
    const auto result =
        run_command(binary() + " infer " + model.string() + " --shape input=1,3,8,6 --input " +
                    (dir / "big.npy").string() + " --output-dir " + (dir / "out").string());
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(read_npy(dir / "out" / "output.npy").shape() == Shape{1, 3, 8, 6});
}

TEST_CASE("inspect --json reports ports, ops and parameters") {
    const auto dir = temp_dir("inspect");
    const auto model = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    const auto result = run_command(binary() + " inspect --json " + model.string());
    REQUIRE(result.exit_code == 0);
    const auto report = nlohmann::json::parse(result.output);
    CHECK(report["inputs"][0]["name"] == "input");
    CHECK(report["inputs"][0]["shape"] == nlohmann::json({1, 3, 4, 4}));
    CHECK(report["outputs"][0]["name"] == "output");
    CHECK(report["ops"]["Add-opset1"] == 1);
    CHECK(report["parameters"] == 3);
    CHECK(report["parameter_bytes"] == 12);
}

TEST_CASE("unknown arguments and devices exit with code 2") {
    CHECK(run_command(binary() + " inspect").exit_code == 2);
    CHECK(run_command(binary() + " frobnicate").exit_code == 2);
    const auto dir = temp_dir("infer");
    const auto model = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    const auto result = run_command(binary() + " infer " + model.string() +
                                    " --device TPU --output-dir " + (dir / "out").string());
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("unknown device 'TPU'") != std::string::npos);
}
