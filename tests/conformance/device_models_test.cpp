// The CPU and GPU devices against REF on the real models in ../shared: every IR (the small ones
// on the GPU) on a VOC image through `edgesight infer --device`, and every ONNX model also
// against the stored ONNX Runtime outputs on the CPU.
#include "inference/core/npy.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>

using namespace es;
using namespace es::testing;

namespace {

// infer_image on `device`, with the inputs of every DetectionOutput of an IR added as outputs.
std::map<std::string, Tensor> infer_on(const std::filesystem::path& model,
                                       const std::filesystem::path& image,
                                       const std::string& device, const std::string& options = "") {
    std::vector<std::string> detection_inputs;
    if (model.extension() == ".xml") {
        const graph::Model graph = ir::read_model(model);
        for (const auto& node : graph.nodes())
            if (node->type == "DetectionOutput")
                for (const auto& input : node->inputs)
                    detection_inputs.push_back(input.source.node->name);
    }
    return infer_image(model, image, detection_inputs, "--device " + device + " " + options);
}

// The name `edgesight infer` gives an output's file: characters outside [A-Za-z0-9._-] become _.
std::string file_name(std::string name) {
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
            c = '_';
    return name;
}

// FP32 and FP16 IRs agree within 1e-4 of each output's range. In INT8 IRs every FakeQuantize
// rounds to a grid, and a rounding difference of one step in a layer grows through the next
// ones (up to 22% of the range in single values of person-detection-action-recognition-0005,
// where the CPU sums in another order than REF): their outputs are held to a cosine of at least
// 0.99 and a mean error of at most 5% (a wrong lowering, such as the one that gave
// person-attributes-recognition-crossroad-0230 a cosine of 0.84, fails both), and their post-NMS
// detection list (which such differences reorder) is compared through its inputs only.
void check_ir_against_reference(const std::filesystem::path& model,
                                const std::filesystem::path& image, const std::string& device) {
    CAPTURE(model);
    const bool int8 = model.parent_path().filename().string().ends_with("-INT8");
    // The post-NMS lists, by their output file names. In INT8 R-FCN detectors the proposals
    // are such a list too: every tensor computed from them (the DetectionOutput inputs) is
    // compared through the Proposal's inputs instead.
    const graph::Model graph = ir::read_model(model);
    std::set<std::string> detection_lists, from_proposals;
    std::string options;
    bool has_proposal = false;
    for (const auto& node : graph.nodes()) {
        if (node->type == "DetectionOutput")
            detection_lists.insert(file_name(graph::output_name(node->output(0))));
        if (node->type == "Proposal") {
            has_proposal = true;
            for (const auto& input : node->inputs)
                options += " --add-output '" + input.source.node->name + "'";
        }
    }
    if (has_proposal && int8)
        for (const auto& node : graph.nodes())
            if (node->type == "DetectionOutput")
                for (const auto& input : node->inputs)
                    from_proposals.insert(file_name(graph::output_name(input.source)));
    const auto tested = infer_on(model, image, device, options);
    const auto ref = infer_on(model, image, "REF", options);
    REQUIRE(tested.size() == ref.size());
    for (const auto& [name, expected] : ref) {
        CAPTURE(name);
        REQUIRE(tested.count(name));
        const Tensor& actual = tested.at(name);
        REQUIRE(actual.shape() == expected.shape());
        if (from_proposals.count(name)) continue;
        if (detection_lists.count(name) == 0 && !int8) {
            CHECK(scaled_error(actual, expected, 1e-3) <= 1e-4);
        } else if (detection_lists.count(name) == 0) {
            const Agreement result = agreement(actual, expected, 1e-3);
            CHECK(result.cosine >= 0.99);
            CHECK(result.mean_error <= 5e-2);
        } else if (!int8)  // int8 scores move low-score detections in and out
            CHECK(same_detections(actual, expected, 1e-4));
    }
}

}  // namespace

TEST_CASE("CPU matches REF on every shared IR, on a VOC image") {
    const auto shared = shared_dir();
    std::vector<std::filesystem::path> models;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(shared / "models" / "ir"))
        if (entry.path().extension() == ".xml") models.push_back(entry.path());
    std::sort(models.begin(), models.end());
    REQUIRE(!models.empty());
    for (const auto& model : models)
        check_ir_against_reference(model, shared / "media" / "voc2011" / "2011_000006.jpg", "CPU");
}

// The small ones, and a segmentation network with upsampling: the GPU's plain kernels on PoCL take
// seconds for a larger one. FP32, FP16 and INT8 IRs.
TEST_CASE("GPU matches REF on the small shared IRs, on a VOC image") {
    setenv("EDGESIGHT_OPENCL_CPU", "1", 0);
    const auto shared = shared_dir();
    for (const char* model :
         {"face-detection-retail-0004/FP32/face-detection-retail-0004.xml",
          "face-detection-retail-0004/FP16/face-detection-retail-0004.xml",
          "landmarks-regression-retail-0009/FP32/landmarks-regression-retail-0009.xml",
          "open-closed-eye-0001/FP32/open-closed-eye-0001.xml",
          "age-gender-recognition-retail-0013/FP16-INT8/age-gender-recognition-retail-0013.xml",
          "road-segmentation-adas-0001/FP16/road-segmentation-adas-0001.xml"})
        check_ir_against_reference(shared / "models" / "ir" / model,
                                   shared / "media" / "voc2011" / "2011_000006.jpg", "GPU");
}

TEST_CASE("CPU matches REF and ONNX Runtime on the shared ONNX models (error <= 1e-4 of range)") {
    const auto shared = shared_dir();
    const auto dir = shared / "models" / "onnx";
    for (const auto& [name, outputs] : shared_onnx_models()) {
        CAPTURE(name);
        graph::Model model = frontends::read_onnx(dir / (name + ".onnx"));
        passes::optimize(model);
        const Tensor input = read_npy(dir / "references" / (name + ".input.npy"));
        for (const auto& output : outputs) {
            CAPTURE(output);
            const Tensor cpu = run_model("CPU", model, input, output);
            const Tensor onnx_runtime =
                read_npy(dir / "references" / (name + "." + output + ".npy"));
            CHECK(scaled_error(cpu, run_model("REF", model, input, output), 1e-3) <= 1e-4);
            CHECK(scaled_error(cpu, onnx_runtime, 1e-3) <= 1e-4);
        }
    }
}

// A deep MobileNetV3-style detector whose hard-swish is exported as Add, Maximum, Minimum,
// Multiply and Divide: long post-op chains that repeat one activation with other constants.
TEST_CASE("CPU matches REF on the PP-OCRv4 text detector, on a VOC image") {
    const auto shared = shared_dir();
    const auto fetched = fetched_models("the PP-OCRv4 test");
    const auto model = fetched / "ocr-models" / "assets" / "ch_PP-OCRv4_det_infer.onnx";
    const auto image = shared / "media" / "voc2011" / "2011_000003.jpg";
    const std::string options = "--shape x=1,3,640,640";
    const auto cpu = infer_on(model, image, "CPU", options);
    const auto ref = infer_on(model, image, "REF", options);
    REQUIRE(ref.size() == 1);
    const auto& [name, expected] = *ref.begin();
    REQUIRE(cpu.count(name));
    CHECK(scaled_error(cpu.at(name), expected, 1e-3) <= 1e-3);
}
