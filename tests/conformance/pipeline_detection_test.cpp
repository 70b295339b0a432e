// The pipeline's own preprocessing and SSD decoder around a real detector on REF: the
// person-vehicle-bike detector finds the annotated VOC objects (the thresholds of
// precision_and_detection_test.cpp, which checks the same model's raw output).
#include "devices/registry.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/postprocess/nms.h"
#include "pipeline/preprocess/preprocessor.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <fstream>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;

TEST_CASE("pipeline: SSD preprocess + decode on crossroad-0078 finds the VOC objects") {
    const auto shared = shared_dir();
    if (!shared) return;
    const auto model_path = *shared / "models" / "ir" /
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

    const std::map<std::string, std::string> label_of = {
        {"person", "person"}, {"car", "vehicle"}, {"bus", "vehicle"}};
    const std::map<std::string, float> min_confidence = {
        {"person", 0.5f}, {"car", 0.2f}, {"bus", 0.2f}};
    size_t checked = 0;
    for (const std::string stem : {"2011_000003", "2011_000006", "2011_000025"}) {
        CAPTURE(stem);
        const auto dir = *shared / "media" / "voc2011";
        const auto annotation = nlohmann::json::parse(std::ifstream(dir / (stem + ".json")));
        const cv::Mat frame = cv::imread((dir / (stem + ".jpg")).string(), cv::IMREAD_COLOR);
        REQUIRE(!frame.empty());

        Tensor input = request.input(0);  // shares the request's buffer: written in place
        const LetterboxTransform transform = preprocessor.run(frame, input, 0);
        request.infer();
        std::vector<Tensor> outputs;
        for (size_t i = 0; i < compiled.outputs().size(); ++i)
            outputs.push_back(request.output(i));
        std::vector<Detection> detections;
        decoder->decode(outputs, 0, transform, detections);

        const float width = annotation["imageWidth"];
        const float height = annotation["imageHeight"];
        for (const auto& shape : annotation["shapes"]) {
            const std::string label = shape["label"];
            CAPTURE(label);
            const float ax = shape["points"][0][0], ay = shape["points"][0][1];
            const float bx = shape["points"][1][0], by = shape["points"][1][1];
            Detection truth;
            truth.x_min = std::min(ax, bx) / width;
            truth.x_max = std::max(ax, bx) / width;
            truth.y_min = std::min(ay, by) / height;
            truth.y_max = std::max(ay, by) / height;
            // The distant person under 2% of the image is missed (see the raw-output test).
            if ((truth.x_max - truth.x_min) * (truth.y_max - truth.y_min) < 0.02f) continue;
            float best_iou = 0.0f;
            for (const auto& detection : detections)
                if (detection.label == label_of.at(label) &&
                    detection.confidence >= min_confidence.at(label))
                    best_iou = std::max(best_iou, iou(detection, truth));
            CHECK(best_iou >= 0.5f);
            ++checked;
        }
    }
    CHECK(checked == 8);
}
