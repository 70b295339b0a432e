#include "tests/support/op_testing.h"

#include <algorithm>
#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

std::vector<float> repeat(const std::vector<float>& values, size_t times) {
    std::vector<float> result;
    for (size_t i = 0; i < times; ++i)
        result.insert(result.end(), values.begin(), values.end());
    return result;
}

std::vector<float> concat(std::vector<float> a, const std::vector<float>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

graph::PortType port(ElementType type, PartialShape shape) {
    return {type, std::move(shape)};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// PriorBoxClustered

// A 2x2 layer over a 20x10 (width x height) image: steps 10 and 5, centres (5|15, 2.5|7.5).
// Prior 0 is 4x2 pixels, prior 1 is 2x6.
const std::vector<float> k_clustered_boxes = {
    0.15f, 0.15f, 0.35f, 0.35f, 0.2f, -0.05f, 0.3f, 0.55f,  // cell (0, 0)
    0.65f, 0.15f, 0.85f, 0.35f, 0.7f, -0.05f, 0.8f, 0.55f,  // cell (0, 1)
    0.15f, 0.65f, 0.35f, 0.85f, 0.2f, 0.45f,  0.3f, 1.05f,  // cell (1, 0)
    0.65f, 0.65f, 0.85f, 0.85f, 0.7f, 0.45f,  0.8f, 1.05f,  // cell (1, 1)
};

TEST_CASE("PriorBoxClustered on a 2x2 layer with 2 priors, steps from the image size") {
    const graph::Attributes attributes = {
        {"width", "4, 2"}, {"height", "2, 6"}, {"clip", "false"}, {"step", "0"},
        {"step_w", "0"},   {"step_h", "0"},    {"offset", "0.5"}, {"variance", "0.1,0.1,0.2,0.2"}};
    std::vector<graph::PortType> inferred;
    auto out = run_op("PriorBoxClustered", "opset1", {i64({2}, {2, 2}), i64({2}, {10, 20})},
                      attributes, &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {2, 32}));
    check_close(out[0], {2, 32}, concat(k_clustered_boxes, repeat({0.1f, 0.1f, 0.2f, 0.2f}, 8)));
}

TEST_CASE("PriorBoxClustered clips by default and repeats a single variance") {
    std::vector<float> clipped = k_clustered_boxes;
    for (float& value : clipped)
        value = std::clamp(value, 0.0f, 1.0f);
    auto out =
        run_op("PriorBoxClustered", "opset1", {i32({2}, {2, 2}), i32({2}, {10, 20})},
               {{"width", "4,2"}, {"height", "2,6"}, {"offset", "0.5"}, {"variance", "0.3"}});
    check_close(out[0], {2, 32}, concat(clipped, std::vector<float>(32, 0.3f)));
}

TEST_CASE("PriorBoxClustered step fallbacks: step, then step_w and step_h") {
    // step 4 for both axes: centres (2, 2) and (6, 2) of an 8x8 image, 2x2 priors.
    auto legacy = run_op("PriorBoxClustered", "opset1", {i64({2}, {1, 2}), i64({2}, {8, 8})},
                         {{"width", "2"}, {"height", "2"}, {"step", "4"}, {"offset", "0.5"}});
    check_close(legacy[0], {2, 8},
                {0.125f, 0.125f, 0.375f, 0.375f, 0.625f, 0.125f, 0.875f, 0.375f, 0.1f, 0.1f, 0.1f,
                 0.1f, 0.1f, 0.1f, 0.1f, 0.1f});
    // step_w 3 and step_h 5 win over step: centres (1.5, 2.5) and (4.5, 2.5) of a 10x10 image.
    auto separate = run_op("PriorBoxClustered", "opset1", {i64({2}, {1, 2}), i64({2}, {10, 10})},
                           {{"width", "2"},
                            {"height", "2"},
                            {"step", "16"},
                            {"step_w", "3"},
                            {"step_h", "5"},
                            {"offset", "0.5"},
                            {"variance", "0.1,0.1,0.2,0.2"}});
    check_close(separate[0], {2, 8},
                {0.05f, 0.15f, 0.25f, 0.35f, 0.35f, 0.15f, 0.55f, 0.35f, 0.1f, 0.1f, 0.2f, 0.2f,
                 0.1f, 0.1f, 0.2f, 0.2f});
}

TEST_CASE("PriorBoxClustered with the face detector's attributes and a dynamic layer size") {
    const graph::Attributes attributes = {
        {"step", "16"},
        {"step_w", "0"},
        {"step_h", "0"},
        {"width", "9.4, 25.1, 14.7, 34.7, 143, 77.4, 128.8, 51.1, 75.6"},
        {"height", "15, 39.6, 25.5, 63.2, 227.5, 162.9, 124.5, 105.1, 72.6"},
        {"clip", "false"},
        {"offset", "0.5"},
        {"variance", "0.1, 0.1, 0.2, 0.2"}};
    auto fixed = infer_op("PriorBoxClustered", "opset1",
                          {port(ElementType::i64, {2}), port(ElementType::i64, {2})}, attributes,
                          {i64({2}, {19, 19}), i64({2}, {300, 300})});
    CHECK(fixed[0] == port(ElementType::f32, {2, 12996}));
    auto dynamic = infer_op("PriorBoxClustered", "opset1",
                            {port(ElementType::i64, {2}), port(ElementType::i64, {2})}, attributes);
    CHECK(dynamic[0] == port(ElementType::f32, {2, k_dynamic}));
}

TEST_CASE("PriorBoxClustered rejects bad inputs and attributes") {
    const graph::Attributes attributes = {{"width", "4,2"}, {"height", "2,6"}, {"offset", "0.5"}};
    auto run = [&](const Tensor& layer, const Tensor& image, const graph::Attributes& attrs) {
        return run_op("PriorBoxClustered", "opset1", {layer, image}, attrs);
    };
    CHECK_THROWS_AS(run(i64({2}, {2, 2}), i64({2}, {10, 20}),
                        {{"width", "4,2"}, {"height", "2"}, {"offset", "0.5"}}),
                    es::Error);
    CHECK_THROWS_AS(run(i64({3}, {2, 2, 1}), i64({2}, {10, 20}), attributes), es::Error);
    CHECK_THROWS_AS(run(i64({1, 2}, {2, 2}), i64({2}, {10, 20}), attributes), es::Error);
    CHECK_THROWS_AS(run(f32({2}, {2, 2}), i64({2}, {10, 20}), attributes), es::Error);
    CHECK_THROWS_AS(run(i64({2}, {2, 2}), i64({2}, {0, 20}), attributes), es::Error);
    CHECK_THROWS_AS(run(i64({2}, {-2, 2}), i64({2}, {10, 20}), attributes), es::Error);
    CHECK_THROWS_AS(
        run(i64({2}, {2, 2}), i64({2}, {10, 20}),
            {{"width", "4,2"}, {"height", "2,6"}, {"offset", "0.5"}, {"variance", "0.1,0.2"}}),
        es::Error);
    CHECK_THROWS_AS(run(i64({2}, {2, 2}), i64({2}, {10, 20}), {{"width", "4"}, {"height", "2"}}),
                    es::Error);
}

// ---------------------------------------------------------------------------------------------
// PriorBox

// One cell at the centre (50, 50) of a 100x100 image; min_size 20, max_size 40, ratios 2, 1/2.
const std::vector<float> k_min_box = {0.4f, 0.4f, 0.6f, 0.6f};
const std::vector<float> k_max_box = {0.35857864f, 0.35857864f, 0.64142136f, 0.64142136f};
const std::vector<float> k_ratio2_box = {0.35857864f, 0.42928932f, 0.64142136f, 0.57071068f};
const std::vector<float> k_ratio_half_box = {0.42928932f, 0.35857864f, 0.57071068f, 0.64142136f};

graph::Attributes prior_box_attributes() {
    return {{"min_size", "20"},         {"max_size", "40"},
            {"aspect_ratio", "2"},      {"flip", "true"},
            {"clip", "false"},          {"step", "0"},
            {"offset", "0.5"},          {"variance", "0.1,0.1,0.2,0.2"},
            {"scale_all_sizes", "true"}};
}

TEST_CASE("PriorBox with max_size and flipped aspect ratios, both box orders") {
    const auto variances = repeat({0.1f, 0.1f, 0.2f, 0.2f}, 4);
    const auto min_max_ratios = concat(
        concat(concat(concat(k_min_box, k_max_box), k_ratio2_box), k_ratio_half_box), variances);
    std::vector<graph::PortType> inferred;
    auto v8 = run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {100, 100})},
                     prior_box_attributes(), &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {2, 16}));
    check_close(v8[0], {2, 16}, min_max_ratios);

    graph::Attributes ratios_first = prior_box_attributes();
    ratios_first.set("min_max_aspect_ratios_order", "false");
    auto reordered =
        run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {100, 100})}, ratios_first);
    check_close(reordered[0], {2, 16},
                concat(concat(concat(concat(k_min_box, k_ratio2_box), k_ratio_half_box), k_max_box),
                       variances));

    // PriorBox-1 has no such attribute: always min, max, ratios.
    auto v1 = run_op("PriorBox", "opset1", {i32({2}, {1, 1}), i32({2}, {100, 100})}, ratios_first);
    check_close(v1[0], {2, 16}, min_max_ratios);
}

TEST_CASE("PriorBox without flip keeps only the given aspect ratio") {
    graph::Attributes no_flip = prior_box_attributes();
    no_flip.set("flip", "false");
    auto out = run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {100, 100})}, no_flip);
    check_close(out[0], {2, 12},
                concat(concat(concat(k_min_box, k_max_box), k_ratio2_box),
                       repeat({0.1f, 0.1f, 0.2f, 0.2f}, 3)));
}

TEST_CASE("PriorBox clip clamps every coordinate to [0, 1]") {
    // A 16-pixel box at the centre (5, 5) of a 10x10 image spans [-3, 13].
    const graph::Attributes unclipped = {
        {"min_size", "16"}, {"offset", "0.5"}, {"variance", "0.2"}};
    auto out = run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {10, 10})}, unclipped);
    check_close(out[0], {2, 4}, {-0.3f, -0.3f, 1.3f, 1.3f, 0.2f, 0.2f, 0.2f, 0.2f});
    graph::Attributes clipped = unclipped;
    clipped.set("clip", "true");
    clipped.erase("variance");
    out = run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {10, 10})}, clipped);
    check_close(out[0], {2, 4}, {0.0f, 0.0f, 1.0f, 1.0f, 0.1f, 0.1f, 0.1f, 0.1f});
}

// 8-pixel boxes on a 2x2 grid with step 16 over a 32x32 image: centres 8 and 24.
const std::vector<float> k_grid_boxes = {
    0.125f, 0.125f, 0.375f, 0.375f, 0.625f, 0.125f, 0.875f, 0.375f,
    0.125f, 0.625f, 0.375f, 0.875f, 0.625f, 0.625f, 0.875f, 0.875f,
};

TEST_CASE("PriorBox step and offset place the cell centres") {
    auto out = run_op("PriorBox", "opset1", {i64({2}, {2, 2}), i64({2}, {32, 32})},
                      {{"min_size", "8"}, {"step", "16"}, {"offset", "0.5"}});
    check_close(out[0], {2, 16}, concat(k_grid_boxes, std::vector<float>(16, 0.1f)));
}

TEST_CASE("PriorBox without scale_all_sizes takes sizes and step relative to the image") {
    // MXNet priors: min_size 0.25 of the 32-pixel image height, step -1 = one cell (16 pixels).
    auto out = run_op("PriorBox", "opset8", {i64({2}, {2, 2}), i64({2}, {32, 32})},
                      {{"min_size", "0.25"},
                       {"max_size", "0.5"},
                       {"step", "-1"},
                       {"offset", "0.5"},
                       {"scale_all_sizes", "false"}});
    check_close(out[0], {2, 16}, concat(k_grid_boxes, std::vector<float>(16, 0.1f)));
}

TEST_CASE("PriorBox fixed_size with density spreads boxes inside the fixed box") {
    // fixed_size 4, density 2 at centre (4, 4) of an 8x8 image: 4x4 boxes centred 2 apart
    // at 3 and 5.
    auto out = run_op("PriorBox", "opset8", {i64({2}, {1, 1}), i64({2}, {8, 8})},
                      {{"fixed_size", "4"}, {"density", "2"}, {"offset", "0.5"}});
    check_close(out[0], {2, 16},
                concat({0.125f, 0.125f, 0.625f, 0.625f, 0.375f, 0.125f, 0.875f, 0.625f, 0.125f,
                        0.375f, 0.625f, 0.875f, 0.375f, 0.375f, 0.875f, 0.875f},
                       std::vector<float>(16, 0.1f)));
}

TEST_CASE("PriorBox shape inference with unknown layer size") {
    auto types = infer_op("PriorBox", "opset8",
                          {port(ElementType::i64, {2}), port(ElementType::i64, {k_dynamic})},
                          prior_box_attributes());
    CHECK(types[0] == port(ElementType::f32, {2, k_dynamic}));
    types = infer_op("PriorBox", "opset8",
                     {port(ElementType::i64, {2}), port(ElementType::i64, PartialShape())},
                     prior_box_attributes(), {i64({2}, {24, 42})});
    CHECK(types[0] == port(ElementType::f32, {2, 16128}));
}

TEST_CASE("PriorBox rejects bad inputs and attributes") {
    auto run = [](const Tensor& layer, const graph::Attributes& attributes) {
        return run_op("PriorBox", "opset8", {layer, i64({2}, {100, 100})}, attributes);
    };
    graph::Attributes bad_variance = prior_box_attributes();
    bad_variance.set("variance", "0.1,0.1,0.2");
    CHECK_THROWS_AS(run(i64({2}, {1, 1}), bad_variance), es::Error);
    CHECK_THROWS_AS(run(i64({1, 2}, {1, 1}), prior_box_attributes()), es::Error);
    CHECK_THROWS_AS(run(f32({2}, {1, 1}), prior_box_attributes()), es::Error);
    graph::Attributes extra_max = prior_box_attributes();
    extra_max.set("max_size", "40,60");
    CHECK_THROWS_AS(run(i64({2}, {1, 1}), extra_max), es::Error);
    graph::Attributes no_density = {{"fixed_size", "4"}, {"offset", "0.5"}};
    CHECK_THROWS_AS(run(i64({2}, {1, 1}), no_density), es::Error);
    graph::Attributes no_offset = prior_box_attributes();
    no_offset.erase("offset");
    CHECK_THROWS_AS(run(i64({2}, {1, 1}), no_offset), es::Error);
    graph::Attributes bad_ratio = prior_box_attributes();
    bad_ratio.set("aspect_ratio", "0");
    CHECK_THROWS_AS(run(i64({2}, {1, 1}), bad_ratio), es::Error);
}

// ---------------------------------------------------------------------------------------------
// DetectionOutput

// Two normalized priors that do not overlap, variances 0.1, 0.1, 0.2, 0.2.
const std::vector<float> k_prior0 = {0.1f, 0.1f, 0.3f, 0.3f};
const std::vector<float> k_prior1 = {0.5f, 0.5f, 0.9f, 0.7f};
const std::vector<float> k_variances = {0.1f, 0.1f, 0.2f, 0.2f, 0.1f, 0.1f, 0.2f, 0.2f};
const std::vector<float> k_end_row = {-1, 0, 0, 0, 0, 0, 0};

Tensor two_priors() {
    return f32({1, 2, 8}, concat(concat(k_prior0, k_prior1), k_variances));
}

graph::Attributes detection_attributes(const std::string& code_type = "CENTER_SIZE") {
    return {{"background_label_id", "0"},
            {"top_k", "-1"},
            {"variance_encoded_in_target", "false"},
            {"keep_top_k", "3"},
            {"code_type", "caffe.PriorBoxParameter." + code_type},
            {"share_location", "true"},
            {"nms_threshold", "0.45"},
            {"confidence_threshold", "0.01"},
            {"clip_after_nms", "false"},
            {"clip_before_nms", "false"},
            {"decrease_label_id", "false"},
            {"normalized", "true"},
            {"input_height", "1"},
            {"input_width", "1"},
            {"objectness_score", "0"}};
}

std::vector<float> row(float image, float label, float score, const std::vector<float>& box) {
    return concat({image, label, score}, box);
}

// Background class 0 and class 1: prior 0 scores 0.8, prior 1 scores 0.4.
const std::vector<float> k_two_class_scores = {0.2f, 0.8f, 0.6f, 0.4f};

TEST_CASE("DetectionOutput decodes CENTER_SIZE offsets with variances") {
    // Prior 1 (centre 0.7, 0.6; size 0.4 x 0.2) moves by 0.1*0.5*0.4 and -0.1*1*0.2 and its
    // width doubles: exp(0.2 * 5 ln 2) = 2.
    const Tensor locations = f32({1, 8}, {0, 0, 0, 0, 0.5f, -1.0f, 3.4657359f, 0});
    std::vector<graph::PortType> inferred;
    auto out = run_op("DetectionOutput", "opset8",
                      {locations, f32({1, 4}, k_two_class_scores), two_priors()},
                      detection_attributes(), &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {1, 1, 3, 7}));
    const std::vector<float> decoded1 = {0.32f, 0.48f, 1.12f, 0.68f};
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, decoded1)), k_end_row));

    graph::Attributes clip_after = detection_attributes();
    clip_after.set("clip_after_nms", "true");
    out = run_op("DetectionOutput", "opset8",
                 {locations, f32({1, 4}, k_two_class_scores), two_priors()}, clip_after);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, {0.32f, 0.48f, 1, 0.68f})),
                       k_end_row));
}

TEST_CASE("DetectionOutput decodes CORNER offsets, with and without variances") {
    const std::vector<float> expected_with_variance = concat(
        concat(row(0, 1, 0.8f, {0.15f, 0.15f, 0.5f, 0.5f}), row(0, 1, 0.4f, k_prior1)), k_end_row);
    auto out = run_op("DetectionOutput", "opset8",
                      {f32({1, 8}, {0.5f, 0.5f, 1, 1, 0, 0, 0, 0}), f32({1, 4}, k_two_class_scores),
                       two_priors()},
                      detection_attributes("CORNER"));
    check_close(out[0], {1, 1, 3, 7}, expected_with_variance);

    // Variances encoded in the target: the proposals hold boxes only.
    graph::Attributes encoded = detection_attributes("CORNER");
    encoded.set("variance_encoded_in_target", "true");
    out = run_op("DetectionOutput", "opset8",
                 {f32({1, 8}, {-0.05f, -0.05f, 0.05f, 0.05f, 0, 0, 0, 0}),
                  f32({1, 4}, k_two_class_scores), f32({1, 1, 8}, concat(k_prior0, k_prior1))},
                 encoded);
    check_close(
        out[0], {1, 1, 3, 7},
        concat(concat(row(0, 1, 0.8f, {0.05f, 0.05f, 0.35f, 0.35f}), row(0, 1, 0.4f, k_prior1)),
               k_end_row));

    // CENTER_SIZE without variances: prior 1 moves by 0.5 of its width and doubles in width.
    encoded.set("code_type", "caffe.PriorBoxParameter.CENTER_SIZE");
    out = run_op("DetectionOutput", "opset8",
                 {f32({1, 8}, {0, 0, 0, 0, 0.5f, 0, 0.69314718f, 0}),
                  f32({1, 4}, k_two_class_scores), f32({1, 1, 8}, concat(k_prior0, k_prior1))},
                 encoded);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, {0.5f, 0.5f, 1.3f, 0.7f})),
                       k_end_row));
}

TEST_CASE("DetectionOutput NMS suppresses an overlapping box of the same class") {
    // Prior 1 shifted 0.02 right of prior 0: IoU 0.036 / 0.044 = 0.82 > 0.45.
    const std::vector<float> shifted = {0.12f, 0.1f, 0.32f, 0.3f};
    const Tensor priors = f32({1, 2, 8}, concat(concat(k_prior0, shifted), k_variances));
    const Tensor scores = f32({1, 4}, {0.2f, 0.8f, 0.3f, 0.7f});
    auto out =
        run_op("DetectionOutput", "opset8", {f32({1, 8}, std::vector<float>(8, 0)), scores, priors},
               detection_attributes());
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), k_end_row), k_end_row));

    graph::Attributes loose = detection_attributes();
    loose.set("nms_threshold", "0.9");
    out = run_op("DetectionOutput", "opset8",
                 {f32({1, 8}, std::vector<float>(8, 0)), scores, priors}, loose);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.7f, shifted)), k_end_row));
}

TEST_CASE("DetectionOutput confidence threshold drops low scores") {
    graph::Attributes attributes = detection_attributes();
    attributes.set("confidence_threshold", "0.5");
    auto out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 4}, k_two_class_scores), two_priors()},
        attributes);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), k_end_row), k_end_row));
}

// Three classes (0 background): class 1 scores 0.3 and 0.7, class 2 scores 0.6 and 0.2.
const std::vector<float> k_three_class_scores = {0.1f, 0.3f, 0.6f, 0.1f, 0.7f, 0.2f};

TEST_CASE("DetectionOutput keep_top_k keeps the best detections across classes, by label") {
    auto out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 6}, k_three_class_scores), two_priors()},
        detection_attributes());
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.7f, k_prior1), row(0, 1, 0.3f, k_prior0)),
                       row(0, 2, 0.6f, k_prior0)));

    // keep_top_k -1: top_k * classes rows; top_k limits each class before NMS.
    graph::Attributes all = detection_attributes();
    all.set("keep_top_k", "-1");
    all.set("top_k", "2");
    std::vector<graph::PortType> inferred;
    out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 6}, k_three_class_scores), two_priors()},
        all, &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {1, 1, 6, 7}));
    check_close(out[0], {1, 1, 6, 7},
                concat(concat(concat(row(0, 1, 0.7f, k_prior1), row(0, 1, 0.3f, k_prior0)),
                              concat(row(0, 2, 0.6f, k_prior0), row(0, 2, 0.2f, k_prior1))),
                       concat(k_end_row, k_end_row)));

    all.set("top_k", "1");
    out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 6}, k_three_class_scores), two_priors()},
        all);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.7f, k_prior1), row(0, 2, 0.6f, k_prior0)), k_end_row));
}

TEST_CASE("DetectionOutput decrease_label_id runs MXNet NMS: one class per prior") {
    graph::Attributes attributes = detection_attributes();
    attributes.set("decrease_label_id", "true");
    auto out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 6}, k_three_class_scores), two_priors()},
        attributes);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 0, 0.7f, k_prior1), row(0, 1, 0.6f, k_prior0)), k_end_row));
}

TEST_CASE("DetectionOutput over a batch of two with shared priors pads after the last image") {
    graph::Attributes attributes = detection_attributes();
    attributes.set("confidence_threshold", "0.05");
    std::vector<graph::PortType> inferred;
    auto out = run_op("DetectionOutput", "opset8",
                      {f32({2, 8}, std::vector<float>(16, 0)),
                       f32({2, 4}, {0.2f, 0.8f, 0.6f, 0.4f, 0.9f, 0.1f, 0.3f, 0.7f}), two_priors()},
                      attributes, &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {1, 1, 6, 7}));
    check_close(out[0], {1, 1, 6, 7},
                concat(concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, k_prior1)),
                              concat(row(1, 1, 0.7f, k_prior1), row(1, 1, 0.1f, k_prior0))),
                       concat(k_end_row, k_end_row)));
}

TEST_CASE("DetectionOutput with unnormalized proposals divides by the input size") {
    // Boxes of 5 values (the first is ignored) in pixels of a 100x50 input; variances keep 4 per
    // prior at the start of the second row.
    graph::Attributes attributes = detection_attributes();
    attributes.set("normalized", "false");
    attributes.set("input_width", "100");
    attributes.set("input_height", "50");
    const Tensor priors =
        f32({1, 2, 10}, concat({0, 10, 5, 30, 15, 0, 50, 25, 90, 35}, concat(k_variances, {0, 0})));
    auto out = run_op("DetectionOutput", "opset8",
                      {f32({1, 8}, {0, 0, 0, 0, 0.5f, -1.0f, 3.4657359f, 0}),
                       f32({1, 4}, k_two_class_scores), priors},
                      attributes);
    check_close(
        out[0], {1, 1, 3, 7},
        concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, {0.32f, 0.48f, 1.12f, 0.68f})),
               k_end_row));
}

TEST_CASE("DetectionOutput without share_location reads offsets per class") {
    graph::Attributes attributes = detection_attributes("CORNER");
    attributes.set("share_location", "false");
    // Per prior: background offsets (unused), then class 1 offsets.
    const Tensor locations = f32({1, 16}, {9, 9, 9, 9, 0.5f, 0.5f, 1, 1, 9, 9, 9, 9, 0, 0, 0, 0});
    std::vector<graph::PortType> inferred;
    auto out =
        run_op("DetectionOutput", "opset8",
               {locations, f32({1, 4}, k_two_class_scores), two_priors()}, attributes, &inferred);
    CHECK(inferred[0] == port(ElementType::f32, {1, 1, 3, 7}));
    check_close(
        out[0], {1, 1, 3, 7},
        concat(concat(row(0, 1, 0.8f, {0.15f, 0.15f, 0.5f, 0.5f}), row(0, 1, 0.4f, k_prior1)),
               k_end_row));
}

TEST_CASE("DetectionOutput with additional predictions refines priors and drops non-objects") {
    graph::Attributes attributes = detection_attributes();
    attributes.set("objectness_score", "0.5");
    // aux_box_preds move prior 0 right by 0.1 * 1 * 0.2; prior 1's objectness 0.1 < 0.5 makes it
    // background.
    auto out = run_op(
        "DetectionOutput", "opset8",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 4}, k_two_class_scores), two_priors(),
         f32({1, 4}, {0.3f, 0.7f, 0.9f, 0.1f}), f32({1, 8}, {1, 0, 0, 0, 0, 0, 0, 0})},
        attributes);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, {0.12f, 0.1f, 0.32f, 0.3f}), k_end_row), k_end_row));
}

TEST_CASE("DetectionOutput-1 takes num_classes from its attribute") {
    graph::Attributes attributes = detection_attributes();
    attributes.set("num_classes", "2");
    auto out = run_op(
        "DetectionOutput", "opset1",
        {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 4}, k_two_class_scores), two_priors()},
        attributes);
    check_close(out[0], {1, 1, 3, 7},
                concat(concat(row(0, 1, 0.8f, k_prior0), row(0, 1, 0.4f, k_prior1)), k_end_row));
    attributes.set("num_classes", "3");
    CHECK_THROWS_AS(run_op("DetectionOutput", "opset1",
                           {f32({1, 8}, std::vector<float>(8, 0)), f32({1, 4}, k_two_class_scores),
                            two_priors()},
                           attributes),
                    es::Error);
}

TEST_CASE("DetectionOutput shape inference with the face detector's attributes") {
    const graph::Attributes attributes = {{"background_label_id", "0"},
                                          {"top_k", "400"},
                                          {"variance_encoded_in_target", "false"},
                                          {"keep_top_k", "200"},
                                          {"code_type", "caffe.PriorBoxParameter.CENTER_SIZE"},
                                          {"share_location", "true"},
                                          {"nms_threshold", "0.44999998807907104"},
                                          {"confidence_threshold", "0.0099999997764825821"},
                                          {"clip_after_nms", "false"},
                                          {"clip_before_nms", "false"},
                                          {"decrease_label_id", "false"},
                                          {"normalized", "true"},
                                          {"input_height", "1"},
                                          {"input_width", "1"},
                                          {"objectness_score", "0"}};
    auto types = infer_op("DetectionOutput", "opset8",
                          {port(ElementType::f32, {1, 12996}), port(ElementType::f32, {1, 6498}),
                           port(ElementType::f32, {1, 2, 12996})},
                          attributes);
    CHECK(types[0] == port(ElementType::f32, {1, 1, 200, 7}));
    types =
        infer_op("DetectionOutput", "opset8",
                 {port(ElementType::f16, {k_dynamic, 12996}),
                  port(ElementType::f16, {k_dynamic, 6498}), port(ElementType::f16, {1, 2, 12996})},
                 attributes);
    CHECK(types[0] == port(ElementType::f16, {1, 1, k_dynamic, 7}));

    graph::Attributes all = attributes;
    all.set("keep_top_k", "-1");
    types = infer_op("DetectionOutput", "opset8",
                     {port(ElementType::f32, {1, 12996}), port(ElementType::f32, {1, 6498}),
                      port(ElementType::f32, {1, 2, 12996})},
                     all);
    CHECK(types[0] == port(ElementType::f32, {1, 1, 800, 7}));  // top_k * classes
    all.set("keep_top_k", "0");
    types = infer_op("DetectionOutput", "opset8",
                     {port(ElementType::f32, {1, 12996}), port(ElementType::f32, {1, 6498}),
                      port(ElementType::f32, {1, 2, 12996})},
                     all);
    CHECK(types[0] == port(ElementType::f32, {1, 1, 6498, 7}));  // priors * classes
    // Priors and classes from the logits when the proposals' shape is unknown.
    all.set("top_k", "-1");
    types = infer_op("DetectionOutput", "opset8",
                     {port(ElementType::f32, {1, 16}), port(ElementType::f32, {1, 8}),
                      port(ElementType::f32, PartialShape())},
                     all);
    CHECK(types[0] == port(ElementType::f32, {1, 1, 8, 7}));
}

TEST_CASE("DetectionOutput rejects bad inputs and attributes") {
    const Tensor locations = f32({1, 8}, std::vector<float>(8, 0));
    const Tensor scores = f32({1, 4}, k_two_class_scores);
    auto run = [](const std::vector<Tensor>& inputs,
                  const graph::Attributes& attributes = detection_attributes()) {
        return run_op("DetectionOutput", "opset8", inputs, attributes);
    };
    // Three priors in the proposals and class predictions, two in the box logits.
    CHECK_THROWS_AS(run({locations, f32({1, 6}, k_three_class_scores),
                         f32({1, 2, 12}, std::vector<float>(24, 0.1f))}),
                    es::Error);
    CHECK_THROWS_AS(run({f32({1, 2, 4}, std::vector<float>(8, 0)), scores, two_priors()}),
                    es::Error);
    CHECK_THROWS_AS(run({locations, scores, f32({2, 8}, std::vector<float>(16, 0))}), es::Error);
    CHECK_THROWS_AS(run({locations, scores, f32({1, 1, 8}, concat(k_prior0, k_prior1))}),
                    es::Error);
    CHECK_THROWS_AS(run({locations, f32({1, 6}, k_three_class_scores), two_priors(),
                         f32({1, 4}, {0, 0, 0, 0})}),
                    es::Error);
    CHECK_THROWS_AS(run({locations, f32({1, 5}, {0, 0, 0, 0, 0}), two_priors()}), es::Error);
    CHECK_THROWS_AS(run({locations, f32({2, 4}, std::vector<float>(8, 0)), two_priors()}),
                    es::Error);
    CHECK_THROWS_AS(run({locations, scores, f32({1, 2, 10}, std::vector<float>(20, 0))}),
                    es::Error);
    CHECK_THROWS_AS(run({locations, scores, two_priors(), f32({1, 4}, {0, 0, 0, 0}),
                         f32({1, 12}, std::vector<float>(12, 0))}),
                    es::Error);
    graph::Attributes bad_code = detection_attributes();
    bad_code.set("code_type", "caffe.PriorBoxParameter.CORNER_SIZE");
    CHECK_THROWS_AS(run({locations, scores, two_priors()}, bad_code), es::Error);
    graph::Attributes no_keep = detection_attributes();
    no_keep.erase("keep_top_k");
    CHECK_THROWS_AS(run({locations, scores, two_priors()}, no_keep), es::Error);
    CHECK_THROWS_AS(run({i64({1, 8}, std::vector<int64_t>(8, 0)), scores, two_priors()}),
                    es::Error);
}

// ---------------------------------------------------------------------------------------------
// NonMaxSuppression

// The ONNX / OpenVINO example: boxes 0-2 overlap (IoU 0.82), as do 3-4; box 5 stands alone.
const std::vector<float> k_nms_boxes = {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                        0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101};
const std::vector<float> k_nms_scores = {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f};

std::vector<Tensor> nms_inputs(std::vector<float> boxes, std::vector<float> scores,
                               int64_t max_boxes, float iou, float score_threshold,
                               int64_t batches = 1, int64_t classes = 1) {
    const auto count = static_cast<int64_t>(boxes.size()) / 4 / batches;
    return {f32({batches, count, 4}, std::move(boxes)),
            f32({batches, classes, count}, std::move(scores)), i64({}, {max_boxes}), f32({}, {iou}),
            f32({}, {score_threshold})};
}

TEST_CASE("NonMaxSuppression-9 selects the ONNX example boxes") {
    std::vector<graph::PortType> inferred;
    auto out = run_op("NonMaxSuppression", "opset9",
                      nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0), {}, &inferred);
    CHECK(inferred[0] == port(ElementType::i64, {k_dynamic, 3}));
    CHECK(inferred[1] == port(ElementType::f32, {k_dynamic, 3}));
    CHECK(inferred[2] == port(ElementType::i64, {1}));
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});
    check_close(out[1], {3, 3}, {0, 0, 0.95f, 0, 0, 0.9f, 0, 0, 0.3f});
    check_equal(out[2], {1}, {3});
}

TEST_CASE("NonMaxSuppression-9 center encoding and flipped corners") {
    const std::vector<float> centers = {0.5f,  0.5f, 1, 1, 0.6f,  0.5f, 1, 1, 0.4f,   0.5f, 1, 1,
                                        10.5f, 0.5f, 1, 1, 10.6f, 0.5f, 1, 1, 100.5f, 0.5f, 1, 1};
    auto out = run_op("NonMaxSuppression", "opset9", nms_inputs(centers, k_nms_scores, 3, 0.5f, 0),
                      {{"box_encoding", "center"}});
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});

    const std::vector<float> flipped = {1, 1,  0, 0,  0, 0.1f,  1, 1.1f,  0, 0.9f, 1, -0.1f,
                                        0, 10, 1, 11, 1, 10.1f, 0, 11.1f, 1, 101,  0, 100};
    out = run_op("NonMaxSuppression", "opset9", nms_inputs(flipped, k_nms_scores, 3, 0.5f, 0));
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});
}

TEST_CASE("NonMaxSuppression-9 limits, thresholds and identical boxes") {
    auto out =
        run_op("NonMaxSuppression", "opset9", nms_inputs(k_nms_boxes, k_nms_scores, 2, 0.5f, 0));
    check_equal(out[0], {2, 3}, {0, 0, 3, 0, 0, 0});
    out =
        run_op("NonMaxSuppression", "opset9", nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0.4f));
    check_equal(out[0], {2, 3}, {0, 0, 3, 0, 0, 0});
    check_equal(out[2], {1}, {2});
    // Ten identical boxes of equal score: the first wins, the rest overlap it fully.
    out = run_op("NonMaxSuppression", "opset9",
                 nms_inputs(repeat({0, 0, 1, 1}, 10), std::vector<float>(10, 0.9f), 3, 0.5f, 0));
    check_equal(out[0], {1, 3}, {0, 0, 0});
    // No max_output_boxes_per_class input: select nothing.
    out = run_op("NonMaxSuppression", "opset9",
                 {f32({1, 6, 4}, k_nms_boxes), f32({1, 1, 6}, k_nms_scores)});
    check_equal(out[0], {0, 3}, {});
    check_equal(out[2], {1}, {0});
}

TEST_CASE("NonMaxSuppression-9 over two batches and two classes, sorted or not") {
    auto out = run_op("NonMaxSuppression", "opset9",
                      nms_inputs(repeat(k_nms_boxes, 2), repeat(k_nms_scores, 2), 2, 0.5f, 0, 2),
                      {{"sort_result_descending", "false"}});
    check_equal(out[0], {4, 3}, {0, 0, 3, 0, 0, 0, 1, 0, 3, 1, 0, 0});

    const auto inputs = nms_inputs(k_nms_boxes, repeat(k_nms_scores, 2), 2, 0.5f, 0, 1, 2);
    out = run_op("NonMaxSuppression", "opset9", inputs, {{"sort_result_descending", "false"}});
    check_equal(out[0], {4, 3}, {0, 0, 3, 0, 0, 0, 0, 1, 3, 0, 1, 0});
    // Sorted by score across classes; equal scores keep the class order.
    out = run_op("NonMaxSuppression", "opset9", inputs,
                 {{"sort_result_descending", "true"}, {"output_type", "i32"}});
    REQUIRE(out[0].type() == ElementType::i32);
    check_equal(out[0], {4, 3}, {0, 0, 3, 0, 1, 3, 0, 0, 0, 0, 1, 0});
    check_close(out[1], {4, 3}, {0, 0, 0.95f, 0, 1, 0.95f, 0, 0, 0.9f, 0, 1, 0.9f});
    check_equal(out[2], {1}, {4});
}

// Box 1 overlaps box 0 (IoU 0.9 / 1.1); box 2 stands alone.
const std::vector<float> k_soft_boxes = {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 10, 1, 11};
const std::vector<float> k_soft_scores = {0.9f, 0.8f, 0.7f};

TEST_CASE("NonMaxSuppression-9 soft-NMS decays overlapping scores") {
    // sigma 0.5: box 1 decays to 0.8 * exp(-(0.9 / 1.1)^2) = 0.40960 after box 0 is chosen, so
    // box 2 goes before it. The IoU threshold does not apply to soft-NMS in -9.
    auto inputs = nms_inputs(k_soft_boxes, k_soft_scores, 3, 0.5f, 0);
    inputs.push_back(f32({}, {0.5f}));
    auto out = run_op("NonMaxSuppression", "opset9", inputs);
    check_equal(out[0], {3, 3}, {0, 0, 0, 0, 0, 2, 0, 0, 1});
    check_close(out[1], {3, 3}, {0, 0, 0.9f, 0, 0, 0.7f, 0, 0, 0.40960375f});

    // A score threshold above the decayed score drops box 1.
    inputs[4] = f32({}, {0.5f});
    out = run_op("NonMaxSuppression", "opset9", inputs);
    check_equal(out[0], {2, 3}, {0, 0, 0, 0, 0, 2});
}

TEST_CASE("NonMaxSuppression-5 soft-NMS still drops boxes above the IoU threshold") {
    auto inputs = nms_inputs(k_soft_boxes, k_soft_scores, 3, 0.5f, 0);
    inputs.push_back(f32({1}, {0.5f}));
    auto out = run_op("NonMaxSuppression", "opset5", inputs);
    check_equal(out[0], {2, 3}, {0, 0, 0, 0, 0, 2});
    check_close(out[1], {2, 3}, {0, 0, 0.9f, 0, 0, 0.7f});
    check_equal(out[2], {1}, {2});

    inputs[3] = f32({1}, {0.9f});
    out = run_op("NonMaxSuppression", "opset5", inputs);
    check_equal(out[0], {3, 3}, {0, 0, 0, 0, 0, 2, 0, 0, 1});
    check_close(out[1], {3, 3}, {0, 0, 0.9f, 0, 0, 0.7f, 0, 0, 0.40960375f});
}

TEST_CASE("NonMaxSuppression-4 pads its static output with -1") {
    // min(6 boxes, 3) * 1 batch * 1 class = 3 rows, 2 selected.
    std::vector<graph::PortType> inferred;
    auto out = run_op("NonMaxSuppression", "opset4",
                      nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0.4f), {}, &inferred);
    CHECK(inferred[0] == port(ElementType::i64, {3, 3}));
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, -1, -1, -1});

    out = run_op("NonMaxSuppression", "opset4",
                 nms_inputs(repeat(k_nms_boxes, 2), repeat(k_nms_scores, 2), 2, 0.5f, 0, 2),
                 {{"sort_result_descending", "false"}, {"output_type", "i32"}});
    REQUIRE(out[0].type() == ElementType::i32);
    check_equal(out[0], {4, 3}, {0, 0, 3, 0, 0, 0, 1, 0, 3, 1, 0, 0});
}

TEST_CASE("NonMaxSuppression-1 and -3 bound the rows by min(boxes, max * classes)") {
    auto out =
        run_op("NonMaxSuppression", "opset1", nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0.4f));
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, -1, -1, -1});
    // Two batches select four boxes, but the -1 bound holds min(6, 2 * 1) = 2: the two best.
    out = run_op("NonMaxSuppression", "opset1",
                 nms_inputs(repeat(k_nms_boxes, 2), repeat(k_nms_scores, 2), 2, 0.5f, 0, 2));
    check_equal(out[0], {2, 3}, {0, 0, 3, 1, 0, 3});

    std::vector<graph::PortType> inferred;
    out = run_op("NonMaxSuppression", "opset3", nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0),
                 {{"output_type", "i32"}}, &inferred);
    CHECK(inferred[0] == port(ElementType::i32, {3, 3}));
    check_equal(out[0], {3, 3}, {0, 0, 3, 0, 0, 0, 0, 0, 5});
}

TEST_CASE("NonMaxSuppression shape inference with dynamic shapes") {
    const std::vector<graph::PortType> dynamic = {
        port(ElementType::f32, {k_dynamic, k_dynamic, 4}),
        port(ElementType::f32, {k_dynamic, k_dynamic, k_dynamic}), port(ElementType::i64, {})};
    auto types = infer_op("NonMaxSuppression", "opset5", dynamic);
    CHECK(types[0] == port(ElementType::i64, {k_dynamic, 3}));
    CHECK(types[2] == port(ElementType::i64, {1}));
    types = infer_op("NonMaxSuppression", "opset4", dynamic);
    CHECK(types[0] == port(ElementType::i64, {k_dynamic, 3}));
    // A huge constant max_output_boxes_per_class is bounded by the box count.
    const std::vector<graph::PortType> fixed = {port(ElementType::f16, {2, 100, 4}),
                                                port(ElementType::f16, {2, 5, 100}),
                                                port(ElementType::i64, {1})};
    types = infer_op("NonMaxSuppression", "opset4", fixed, {},
                     {Tensor(), Tensor(), i64({1}, {INT64_MAX})});
    CHECK(types[0] == port(ElementType::i64, {1000, 3}));
    types = infer_op("NonMaxSuppression", "opset3", fixed, {},
                     {Tensor(), Tensor(), i64({1}, {INT64_MAX})});
    CHECK(types[0] == port(ElementType::i64, {100, 3}));
    types =
        infer_op("NonMaxSuppression", "opset1", fixed, {}, {Tensor(), Tensor(), i64({1}, {10})});
    CHECK(types[0] == port(ElementType::i64, {50, 3}));
}

TEST_CASE("NonMaxSuppression rejects bad inputs and attributes") {
    auto run = [](std::vector<Tensor> inputs, const graph::Attributes& attributes = {}) {
        return run_op("NonMaxSuppression", "opset9", inputs, attributes);
    };
    auto inputs = nms_inputs(k_nms_boxes, k_nms_scores, 3, 0.5f, 0);
    CHECK_THROWS_AS(run({f32({1, 8, 3}, std::vector<float>(24, 0)), inputs[1]}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], f32({1, 1, 5}, std::vector<float>(5, 0))}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], f32({2, 1, 6}, std::vector<float>(12, 0))}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], f32({6}, k_nms_scores)}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], inputs[1], f32({}, {3})}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], inputs[1], inputs[2], f32({2}, {0.5f, 0.5f})}), es::Error);
    CHECK_THROWS_AS(run({inputs[0], inputs[1], i64({2}, {3, 3})}), es::Error);
    CHECK_THROWS_AS(run(inputs, {{"box_encoding", "corners"}}), es::Error);
    CHECK_THROWS_AS(run(inputs, {{"output_type", "f32"}}), es::Error);
    CHECK_THROWS_AS(run({i64({1, 6, 4}, std::vector<int64_t>(24, 0)), inputs[1]}), es::Error);
    CHECK_THROWS_AS(run_op("NonMaxSuppression", "opset4",
                           {inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[4]}),
                    es::Error);
}
