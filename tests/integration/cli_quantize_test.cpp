#include "inference/ir/ir.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace es;
using namespace es::testing;

namespace {

const std::string k_megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";

std::filesystem::path face_detector(const std::string& precision) {
    return shared_dir() / "models/ir/face-detection-retail-0004" / precision /
           "face-detection-retail-0004.xml";
}

CommandResult quantize(const std::string& arguments) {
    return run_command(edgesight_binary().string() + " quantize " + arguments);
}

void check_refused(const CommandResult& result, const std::string& fragment) {
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("error: ") != std::string::npos);
    CHECK(result.output.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE(
    "quantize writes an INT8 IR of standard ops with a report of the drop, the float "
    "layers and the speed") {
    const auto out = temp_dir("quantize_cli") / "faces-int8.xml";
    const auto result = quantize(face_detector("FP32").string() + " -o " + out.string() +
                                 " --calibration " + k_megamind + " --subset 40");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(result.output.find("frames: 30 calibrate, 10 held out") != std::string::npos);
    CHECK(result.output.find("metric: detection AP@0.5") != std::string::npos);
    CHECK(result.output.find("layers: 33 of 33 convolutions in int8") != std::string::npos);
    CHECK(result.output.find("speed on CPU") != std::string::npos);
    const graph::Model model = ir::read_model(out);
    size_t convolutions = 0;
    const std::set<std::string> standard{
        "Parameter",         "Const",           "Convolution", "Add",       "ReLU",
        "MaxPool",           "Concat",          "Reshape",     "Transpose", "SoftMax",
        "PriorBoxClustered", "DetectionOutput", "Result",      "Convert",   "Multiply",
        "FakeQuantize",      "Squeeze",         "Unsqueeze",   "ShapeOf",   "StridedSlice",
        "Flatten",           "Gather"};
    for (const auto& node : model.nodes()) {
        CHECK_MESSAGE(standard.contains(node->type), node->type);
        if (node->type != "Convolution") continue;
        ++convolutions;
        // 8-bit input (through Concat and MaxPool, which move the integers) and weights.
        const graph::Node* input = node->inputs[0].source.node;
        CHECK_MESSAGE(
            (input->type == "FakeQuantize" || input->type == "Concat" || input->type == "MaxPool"),
            node->name);
        CHECK(node->inputs[1].source.node->type == "Multiply");
    }
    CHECK(convolutions == 33);
}

TEST_CASE("quantize exits 1 and writes nothing when the drop cannot hold") {
    const auto out = temp_dir("quantize_cli_strict") / "never.xml";
    const auto result =
        quantize(face_detector("FP32").string() + " -o " + out.string() + " --calibration " +
                 k_megamind + " --subset 8 --metric cosine --max-drop 0");
    INFO(result.output);
    CHECK(result.exit_code == 1);
    CHECK(result.output.find("nothing written") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(out.parent_path() / "never.bin"));
}

TEST_CASE("quantize refuses bad input with exit 2 and says what is wrong") {
    const auto dir = temp_dir("quantize_cli_bad");
    const std::string out = " -o " + (dir / "out.xml").string();
    const std::string fp32 = face_detector("FP32").string();
    const auto empty = dir / "no-images";
    std::filesystem::create_directories(empty);
    check_refused(quantize(fp32 + out + " --calibration " + empty.string()), "no images found");
    check_refused(quantize(fp32 + out + " --calibration " +
                           (shared_dir() / "media/vtest_200f_h264.mp4").string() + " --subset 300"),
                  "fewer than the 300 asked for");
    check_refused(quantize(fp32 + out + " --calibration /no/such/folder"), "no such file");
    const auto no_convolutions = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    check_refused(quantize(no_convolutions.string() + out + " --calibration " + k_megamind),
                  "no Convolution or GroupConvolution");
    check_refused(
        quantize(face_detector("FP16-INT8").string() + out + " --calibration " + k_megamind),
        "already quantized");
    check_refused(
        quantize(fp32 + " -o " + (dir / "out.bin").string() + " --calibration " + k_megamind),
        "the output must end in .xml");
    check_refused(quantize(fp32 + out + " --calibration " + k_megamind + " --max-drop 1.5"),
                  "--max-drop 1.5");
    CHECK_FALSE(std::filesystem::exists(dir / "out.xml"));
}

TEST_CASE("quantize with --config and --pipeline preprocesses and decodes as that pipeline does") {
    const auto dir = temp_dir("quantize_cli_config");
    const auto centernet =
        fetched_models("the quantize --config test") / "human-models" / "models" / "centernet.json";
    const nlohmann::json config = {{"pipelines",
                                    {{{"name", "street"},
                                      {"sources", {{{"id", "clip"}, {"uri", k_megamind}}}},
                                      {"model",
                                       {{"path", centernet.string()},
                                        {"decoder", "centernet"},
                                        {"threshold", 0.4},
                                        {"preprocess", {{"color", "rgb"}}}}},
                                      {"outputs", {{{"stdout", nlohmann::json::object()}}}}}}}};
    std::ofstream(dir / "config.json") << config.dump(2);
    const auto out = dir / "centernet-int8.xml";
    const auto result = quantize(centernet.string() + " -o " + out.string() + " --calibration " +
                                 (shared_dir() / "media/vtest_200f_h264.mp4").string() +
                                 " --subset 8 --max-drop 0.5 --config " +
                                 (dir / "config.json").string() + " --pipeline street");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(result.output.find("frames: 6 calibrate, 2 held out") != std::string::npos);
    CHECK(result.output.find("metric: detection AP@0.5") != std::string::npos);
    CHECK(std::filesystem::exists(out));
    check_refused(
        quantize(centernet.string() + " -o " + out.string() + " --calibration " + k_megamind +
                 " --config " + (dir / "config.json").string() + " --pipeline lobby"),
        "--pipeline lobby");
}
