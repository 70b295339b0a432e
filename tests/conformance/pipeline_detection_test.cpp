// The pipeline's own preprocessing and decoders around real detectors run on REF, checked
// against the VOC annotations in ../shared.
#include "devices/registry.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"
#include "inference/runtime/core.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/postprocess/nms.h"
#include "pipeline/preprocess/preprocessor.h"
#include "tests/conformance/detect_frame.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <iostream>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;

namespace {

// A labelme rectangle, normalized to the image.
Detection truth_box(const nlohmann::json& annotation, const nlohmann::json& shape) {
    const float width = annotation["imageWidth"];
    const float height = annotation["imageHeight"];
    const float ax = shape["points"][0][0], ay = shape["points"][0][1];
    const float bx = shape["points"][1][0], by = shape["points"][1][1];
    Detection truth;
    truth.x_min = std::min(ax, bx) / width;
    truth.x_max = std::max(ax, bx) / width;
    truth.y_min = std::min(ay, by) / height;
    truth.y_max = std::max(ay, by) / height;
    return truth;
}

// The best overlap with `truth` among detections of `label` at `min_confidence` or above.
float best_iou(const std::vector<Detection>& detections, const std::string& label,
               float min_confidence, const Detection& truth) {
    float best = 0.0f;
    for (const auto& detection : detections)
        if (detection.label == label && detection.confidence >= min_confidence)
            best = std::max(best, iou(detection, truth));
    return best;
}

// Runs the detector on each annotated VOC image of ../shared and calls
// `check(label, truth, detections)` for each annotated object.
template <typename Check>
void for_each_voc_object(const std::filesystem::path& shared, Preprocessor& preprocessor,
                         const runtime::CompiledModel& compiled, runtime::InferRequest& request,
                         const Decoder& decoder, Check&& check) {
    for (const std::string stem : {"2011_000003", "2011_000006", "2011_000025"}) {
        CAPTURE(stem);
        const auto dir = shared / "media" / "voc2011";
        const auto annotation = nlohmann::json::parse(std::ifstream(dir / (stem + ".json")));
        const std::vector<Detection> detections =
            detect_frame(cv::imread((dir / (stem + ".jpg")).string(), cv::IMREAD_COLOR),
                         preprocessor, compiled, request, decoder);
        for (const auto& shape : annotation["shapes"]) {
            const std::string label = shape["label"];
            CAPTURE(label);
            check(label, truth_box(annotation, shape), detections);
        }
    }
}

}  // namespace

// Persons at confidence >= 0.5, vehicles at >= 0.2, IoU >= 0.5, all but the distant person
// under 2% of the image: the thresholds of precision_and_detection_test.cpp, which checks the
// same model's raw output.
TEST_CASE("pipeline: SSD preprocess + decode on crossroad-0078 finds the VOC objects") {
    const auto shared = shared_dir();
    const auto model_path = shared / "models" / "ir" /
                            "person-vehicle-bike-detection-crossroad-0078" / "FP16" /
                            "person-vehicle-bike-detection-crossroad-0078.xml";
    auto model = std::make_shared<graph::Model>(ir::read_model(model_path));
    const runtime::Core core(devices::make_registry());
    const runtime::CompiledModel compiled = core.compile(model, "REF");
    runtime::InferRequest request = compiled.create_infer_request();

    const auto& input_port = compiled.inputs().at(0);
    Preprocessor preprocessor({}, input_port.type.shape, input_port.type.type, input_port.name);
    DecoderOptions options;
    options.kind = DecoderKind::ssd;
    options.threshold = 0.2f;
    options.labels = {"background", "person", "vehicle", "bike"};
    const auto decoder = make_decoder(options, compiled.outputs());

    const std::map<std::string, std::pair<std::string, float>> expected = {
        {"person", {"person", 0.5f}}, {"car", {"vehicle", 0.2f}}, {"bus", {"vehicle", 0.2f}}};
    size_t checked = 0;
    for_each_voc_object(shared, preprocessor, compiled, request, *decoder,
                        [&](const std::string& label, const Detection& truth,
                            const std::vector<Detection>& detections) {
                            if ((truth.x_max - truth.x_min) * (truth.y_max - truth.y_min) < 0.02f)
                                return;
                            const auto& [model_label, min_confidence] = expected.at(label);
                            CHECK(best_iou(detections, model_label, min_confidence, truth) >= 0.5f);
                            ++checked;
                        });
    CHECK(checked == 8);
}

// Reference: @vladmandic/human's object/centernet.ts feeds the model RGB 0..255 resized to
// 512×512 and reads tower_0/detections as (x_min, y_min, x_max, y_max, score, class) in input
// pixels, class a 0-based COCO index. Every annotated object is found, the distant person too.
TEST_CASE("pipeline: CenterNet preprocess + decode on the TF.js model finds the VOC objects") {
    const auto shared = shared_dir();
    const auto fetched = fetched_models("the CenterNet test");
    const auto json = fetched / "human-models" / "models" / "centernet.json";
    auto model = std::make_shared<graph::Model>(frontends::read_tf_model(json));
    passes::optimize(*model);
    const runtime::Core core(devices::make_registry());
    const runtime::CompiledModel compiled = core.compile(model, "REF");
    runtime::InferRequest request = compiled.create_infer_request();

    const auto& input_port = compiled.inputs().at(0);
    PreprocessConfig config;
    config.color = ColorOrder::rgb;
    Preprocessor preprocessor(config, input_port.type.shape, input_port.type.type, input_port.name);
    CHECK(preprocessor.layout() == TensorLayout::nhwc);
    DecoderOptions options;
    options.kind = DecoderKind::centernet;
    options.threshold = 0.15f;
    std::ifstream coco(std::filesystem::path(ES_SOURCE_DIR) / "configs" / "labels" / "coco.txt");
    for (std::string line; std::getline(coco, line);)
        options.labels.push_back(line);
    REQUIRE(options.labels.size() == 80);
    const auto decoder = make_decoder(options, compiled.outputs());

    size_t checked = 0;
    for_each_voc_object(shared, preprocessor, compiled, request, *decoder,
                        [&](const std::string& label, const Detection& truth,
                            const std::vector<Detection>& detections) {
                            CHECK(best_iou(detections, label, 0.15f, truth) >= 0.6f);
                            ++checked;
                        });
    CHECK(checked == 9);
}
