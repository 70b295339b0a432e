#include "inference/core/error.h"
#include "tests/support/op_testing.h"

#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

// One anchor (ratio 1, scale 1, base 16: Caffe's [0, 0, 15, 15]) per cell of a 1 x 2 map.
graph::Attributes proposal_attributes(const char* feat_stride, const char* post_nms_topn) {
    return {{"base_size", "16"},
            {"pre_nms_topn", "10"},
            {"post_nms_topn", post_nms_topn},
            {"nms_thresh", "0.7"},
            {"feat_stride", feat_stride},
            {"min_size", "1"},
            {"ratio", "1"},
            {"scale", "1"},
            {"clip_before_nms", "true"},
            {"clip_after_nms", "false"},
            {"normalize", "false"},
            {"box_size_scale", "1"},
            {"box_coordinate_scale", "1"},
            {"framework", ""}};
}

}  // namespace

TEST_CASE("Proposal-4 decodes, clips at the image border, pads and ends the list with -1") {
    // Cell 0 (x 0) doubles its width (dw = ln 2): [-8, 0, 24, 16], clipped to the 20 x 20 image
    // (x up to 19). Cell 1 (x 16) decodes to [16, 0, 32, 16] (Caffe's sizes count both end
    // pixels), clipped to [16, 0, 19, 16]. Their IoU is 68 / 340 = 0.2, so both survive NMS,
    // best score first.
    const Tensor probs = f32({1, 2, 1, 2}, {0.4f, 0.1f, 0.6f, 0.9f});
    const Tensor deltas = f32({1, 4, 1, 2}, {0, 0, 0, 0, std::log(2.0f), 0, 0, 0});
    const Tensor image = f32({3}, {20, 20, 1});
    std::vector<graph::PortType> inferred;
    const auto outputs = run_op("Proposal", "opset4", {probs, deltas, image},
                                proposal_attributes("16", "4"), &inferred);
    REQUIRE(outputs.size() == 2);
    CHECK(inferred[0].shape == PartialShape{4, 5});
    CHECK(inferred[1].shape == PartialShape{4});
    check_close(outputs[0], {4, 5}, {0,  16, 0, 19, 16,  //
                                     0,  0,  0, 19, 16,  //
                                     -1, 0,  0, 0,  0,   //
                                     0,  0,  0, 0,  0},
                1e-4f);
    check_close(outputs[1], {4}, {0.9f, 0.6f, 0, 0});
}

TEST_CASE("Proposal-1 suppresses overlapping boxes and has one output") {
    // Stride 1: the anchors at x 0 and x 1 give [0, 0, 16, 16] and [1, 0, 17, 16] in a 100 x 100
    // image; IoU 272 / 306 = 0.89 > 0.7 removes the lower-scored one.
    const Tensor probs = f32({1, 2, 1, 2}, {0, 0, 0.9f, 0.8f});
    const Tensor deltas = f32({1, 4, 1, 2}, {0, 0, 0, 0, 0, 0, 0, 0});
    const Tensor image = f32({3}, {100, 100, 1});
    const auto outputs =
        run_op("Proposal", "opset1", {probs, deltas, image}, proposal_attributes("1", "2"));
    REQUIRE(outputs.size() == 1);
    check_close(outputs[0], {2, 5}, {0, 0, 0, 16, 16, -1, 0, 0, 0, 0}, 1e-4f);
}

TEST_CASE("Proposal normalizes by the image size and zeroes boxes below min_size") {
    const Tensor probs = f32({1, 2, 1, 2}, {0.4f, 0.1f, 0.6f, 0.9f});
    const Tensor deltas = f32({1, 4, 1, 2}, {0, 0, 0, 0, std::log(2.0f), 0, 0, 0});
    // [height, width, scale_h, scale_w]: min_size 5 times scale_w 1 is wider than the clipped
    // 4-pixel box of cell 1, whose score becomes 0, so it sorts last.
    const Tensor image = f32({4}, {20, 20, 1, 1});
    graph::Attributes attributes = proposal_attributes("16", "2");
    attributes.set("normalize", "true");
    attributes.set("min_size", "5");
    const auto outputs = run_op("Proposal", "opset4", {probs, deltas, image}, attributes);
    check_close(outputs[0], {2, 5},
                {0, 0, 0, 19.0f / 20, 16.0f / 20,  //
                 0, 16.0f / 20, 0, 19.0f / 20, 16.0f / 20},
                1e-5f);
    check_close(outputs[1], {2}, {0.6f, 0.0f});
}

TEST_CASE("Proposal rejects inputs that do not match its anchors") {
    const graph::PortType probs{ElementType::f32, PartialShape{1, 2, 3, 4}};
    const graph::PortType deltas{ElementType::f32, PartialShape{1, 4, 3, 4}};
    const graph::PortType image{ElementType::f32, PartialShape{3}};
    const auto attributes = proposal_attributes("16", "5");
    const auto outputs = infer_op("Proposal", "opset4", {probs, deltas, image}, attributes);
    CHECK(outputs[0].shape == PartialShape{5, 5});
    CHECK_THROWS_AS(
        infer_op("Proposal", "opset4",
                 {{ElementType::f32, PartialShape{1, 4, 3, 4}}, deltas, image}, attributes),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("Proposal", "opset4", {probs, {ElementType::f32, PartialShape{1, 4, 3, 5}}, image},
                 attributes),
        es::Error);
    CHECK_THROWS_AS(infer_op("Proposal", "opset4",
                             {probs, deltas, {ElementType::f32, PartialShape{2}}}, attributes),
                    es::Error);
    CHECK_THROWS_AS(infer_op("Proposal", "opset4",
                             {probs, deltas, {ElementType::i32, PartialShape{3}}}, attributes),
                    es::Error);
    graph::Attributes bad = attributes;
    bad.set("post_nms_topn", "0");
    CHECK_THROWS_AS(infer_op("Proposal", "opset4", {probs, deltas, image}, bad), es::Error);
}
