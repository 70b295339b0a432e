// `--extensions` on convert, infer and inspect, with a TF.js model and a mapping file written here.
#include "inference/core/npy.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace es;
using namespace es::testing;
using Json = nlohmann::ordered_json;

namespace {

// x [1,3] -> MyScale(factor = 3) -> Relu -> out
std::filesystem::path write_model(const std::filesystem::path& dir) {
    const Json dims = {{{"size", "1"}}, {{"size", "3"}}};
    const Json model = {
        {"format", "graph-model"},
        {"modelTopology",
         {{"node",
           {{{"name", "x"},
             {"op", "Placeholder"},
             {"attr",
              {{"dtype", {{"type", "DT_FLOAT"}}}, {"shape", {{"shape", {{"dim", dims}}}}}}}},
            {{"name", "scale1"},
             {"op", "MyScale"},
             {"input", {"x"}},
             {"attr", {{"factor", {{"f", 3.0}}}}}},
            {{"name", "out"}, {"op", "Relu"}, {"input", {"scale1"}}}}},
          {"library", Json::object()},
          {"versions", Json::object()}}}};
    const auto path = dir / "model.json";
    std::ofstream(path) << model.dump(2);
    return path;
}

const char* k_mapping = R"({"ops": [{
    "framework": "tf", "type": "MyScale",
    "constants": {"scale": {"type": "f32", "value": "$attr:factor", "default": 2.0},
                  "bias": {"type": "f32", "value": [1, 1, 1]}},
    "nodes": [{"name": "mul", "type": "Multiply", "inputs": ["$input0", "$const:scale"]},
              {"name": "add", "type": "Add", "inputs": ["mul", "$const:bias"]}],
    "outputs": ["add:0"]}]})";

std::string binary() {
    return edgesight_binary().string();
}

// relu(3x + 1) of x = [1, -2, 0.5]
void check_output(const std::filesystem::path& npy) {
    const Tensor output = read_npy(npy);
    REQUIRE(output.shape() == Shape{1, 3});
    CHECK(output.data<float>()[0] == doctest::Approx(4.0));
    CHECK(output.data<float>()[1] == 0.0f);
    CHECK(output.data<float>()[2] == doctest::Approx(2.5));
}

}  // namespace

TEST_CASE("convert --extensions maps an op the converter lacks, infer and inspect take it too") {
    const auto dir = temp_dir("extensions");
    const auto model = write_model(dir).string();
    std::ofstream(dir / "ext.json") << k_mapping;
    const std::string extensions = " --extensions " + (dir / "ext.json").string();
    Tensor input(ElementType::f32, {1, 3});
    input.data<float>()[0] = 1.0f;
    input.data<float>()[1] = -2.0f;
    input.data<float>()[2] = 0.5f;
    write_npy(dir / "x.npy", input);
    const std::string input_option = " --input " + (dir / "x.npy").string();

    auto result = run_command(binary() + " convert " + model + " -o " + (dir / "a.xml").string());
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("1 unsupported op type(s):\n  MyScale: 1 (first: scale1)") !=
          std::string::npos);

    result = run_command(binary() + " convert" + extensions + " " + model + " -o " +
                         (dir / "out.xml").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    result = run_command(binary() + " infer " + (dir / "out.xml").string() + input_option +
                         " --output-dir " + (dir / "ir").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    check_output(dir / "ir" / "out.npy");

    result = run_command(binary() + " infer " + model + extensions + input_option +
                         " --output-dir " + (dir / "tfjs").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    check_output(dir / "tfjs" / "out.npy");

    result = run_command(binary() + " inspect " + model + extensions + " --json");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const Json report = Json::parse(result.output);
    CHECK(report["ops"]["Multiply-opset1"] == 1);
}

TEST_CASE("a bad extension file is exit code 2 naming the file and JSON path") {
    const auto dir = temp_dir("extensions");
    const auto model = write_model(dir).string();
    std::string mapping = k_mapping;
    mapping.replace(mapping.find("\"Add\""), 5, "\"Addd\"");
    const auto path = dir / "bad.json";
    std::ofstream(path) << mapping;
    const auto result = run_command(binary() + " convert " + model + " -o " +
                                    (dir / "out.xml").string() + " --extensions " + path.string());
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find(path.string() +
                             ": ops[0].nodes[1].type: unknown IR op 'Addd' (did you mean Add?)") !=
          std::string::npos);
}
