#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

graph::Attributes deformable_attributes(bool interpolation_pad = false, int groups = 1,
                                        int deformable_groups = 1) {
    return {{"strides", "1,1"},
            {"pads_begin", "0,0"},
            {"pads_end", "0,0"},
            {"dilations", "1,1"},
            {"auto_pad", "explicit"},
            {"group", std::to_string(groups)},
            {"deformable_group", std::to_string(deformable_groups)},
            {"bilinear_interpolation_pad", interpolation_pad ? "true" : "false"}};
}

// Offsets [1, 8, 2, 2] for a 2x2 kernel: every tap moved by (dy, dx).
Tensor uniform_offsets(float dy, float dx) {
    std::vector<float> values;
    for (int tap = 0; tap < 4; ++tap) {
        values.insert(values.end(), 4, dy);
        values.insert(values.end(), 4, dx);
    }
    return f32({1, 8, 2, 2}, values);
}

Tensor weights_2x2() {
    return f32({1, 1, 2, 2}, {1, 2, 3, 4});
}

}  // namespace

TEST_CASE("DeformableConvolution with zero offsets is a plain convolution") {
    std::vector<PortType> inferred;
    auto out = run_op("DeformableConvolution", "opset8",
                      {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 0), weights_2x2()},
                      deformable_attributes(), &inferred);
    check_close(out[0], {1, 1, 2, 2}, {27, 37, 57, 67});
    CHECK(inferred[0] == PortType{ElementType::f32, {1, 1, 2, 2}});
    auto v1 = run_op(
        "DeformableConvolution", "opset1",
        {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 0), weights_2x2()},
        {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}});
    check_close(v1[0], {1, 1, 2, 2}, {27, 37, 57, 67});
}

TEST_CASE("DeformableConvolution mask scales every sampled value") {
    Tensor mask = f32({1, 4, 2, 2}, std::vector<float>(16, 0.5f));
    auto out = run_op("DeformableConvolution", "opset8",
                      {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 0), weights_2x2(), mask},
                      deformable_attributes());
    check_close(out[0], {1, 1, 2, 2}, {13.5f, 18.5f, 28.5f, 33.5f});
}

TEST_CASE("DeformableConvolution whole-pixel offsets, taps beyond the input read nothing") {
    // dx = 1: output (0, 0) reads 1, 2, 4, 5 -> 37; output (0, 1) reads x = 2 and x = 3
    // (outside) -> 2 + 3 * 5 = 17; output (1, 1) -> 5 + 3 * 8 = 29.
    for (bool pad : {false, true}) {
        auto out = run_op("DeformableConvolution", "opset8",
                          {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 1), weights_2x2()},
                          deformable_attributes(pad));
        check_close(out[0], {1, 1, 2, 2}, {37, 17, 67, 29});
    }
}

TEST_CASE("DeformableConvolution fractional offsets: bilinear_interpolation_pad decides edges") {
    // dx = 0.5. Output (0, 0): 0.5, 1.5, 3.5, 4.5 -> 32. Output (0, 1) samples x = 2.5: with
    // the pad the missing right neighbour reads 0 (half of 2 and of 5), without it the
    // neighbour is clamped (2 and 5).
    auto padded = run_op("DeformableConvolution", "opset8",
                         {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 0.5f), weights_2x2()},
                         deformable_attributes(true));
    check_close(padded[0], {1, 1, 2, 2}, {32, 27, 62, 48});
    auto clamped = run_op("DeformableConvolution", "opset8",
                          {iota_f32({1, 1, 3, 3}), uniform_offsets(0, 0.5f), weights_2x2()},
                          deformable_attributes(false));
    check_close(clamped[0], {1, 1, 2, 2}, {32, 39, 62, 69});
}

TEST_CASE("DeformableConvolution groups and deformable groups take their own offsets") {
    // Two groups of one channel, 1x1 kernel, weights 1 and 10; deformable group 1 (channel 1)
    // moves right by one pixel.
    const Tensor data = f32({1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
    const Tensor offsets = f32({1, 4, 2, 2}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1});
    auto out =
        run_op("DeformableConvolution", "opset8", {data, offsets, f32({2, 1, 1, 1}, {1, 10})},
               deformable_attributes(false, 2, 2));
    check_close(out[0], {1, 2, 2, 2}, {0, 1, 2, 3, 50, 0, 70, 0});
}

TEST_CASE("DeformableConvolution infers dynamic shapes and padding") {
    graph::Attributes attributes = deformable_attributes();
    attributes.set("auto_pad", "same_upper");
    const auto types = infer_op("DeformableConvolution", "opset8",
                                {{ElementType::f32, {-1, 4, 5, -1}},
                                 {ElementType::f32, {-1, 18, -1, -1}},
                                 {ElementType::f32, {8, 4, 3, 3}}},
                                attributes);
    CHECK(types[0] == PortType{ElementType::f32, {-1, 8, 5, -1}});
}

TEST_CASE("DeformableConvolution rejects mismatched inputs") {
    const PortType data{ElementType::f32, {1, 4, 5, 5}};
    const PortType filters{ElementType::f32, {8, 4, 3, 3}};
    CHECK_THROWS_AS(
        infer_op("DeformableConvolution", "opset8",
                 {data, {ElementType::f32, {1, 17, 3, 3}}, filters}, deformable_attributes()),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("DeformableConvolution", "opset8",
                 {data, {ElementType::f32, {1, 18, 3, 3}}, {ElementType::f32, {8, 3, 3, 3}}},
                 deformable_attributes()),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("DeformableConvolution", "opset8",
                 {data, {ElementType::f32, {1, 18, 4, 3}}, filters}, deformable_attributes()),
        es::Error);
    CHECK_THROWS_AS(
        infer_op(
            "DeformableConvolution", "opset8",
            {data, {ElementType::f32, {1, 18, 3, 3}}, filters, {ElementType::f32, {1, 8, 3, 3}}},
            deformable_attributes()),
        es::Error);
    CHECK_THROWS_AS(infer_op("DeformableConvolution", "opset8",
                             {data, {ElementType::f32, {1, 18, 3, 3}}, filters},
                             deformable_attributes(false, 1, 3)),
                    es::Error);
    graph::Attributes three_d = deformable_attributes();
    three_d.set("strides", "1,1,1");
    CHECK_THROWS_AS(infer_op("DeformableConvolution", "opset8",
                             {data, {ElementType::f32, {1, 18, 3, 3}}, filters}, three_d),
                    es::Error);
}
