#include "tests/support/op_testing.h"

#include <array>
#include <cstdint>
#include <string>

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

PortType f32_port(PartialShape shape) {
    return {ElementType::f32, std::move(shape)};
}

graph::Attributes conv_attributes(const std::string& strides, const std::string& pads_begin,
                                  const std::string& pads_end, const std::string& dilations,
                                  const std::string& auto_pad = "explicit") {
    return {{"strides", strides},
            {"pads_begin", pads_begin},
            {"pads_end", pads_end},
            {"dilations", dilations},
            {"auto_pad", auto_pad}};
}

// Deterministic values in [-1, 1).
std::vector<float> pseudo_random(size_t count, uint32_t seed) {
    std::vector<float> values(count);
    uint32_t state = seed;
    for (auto& value : values) {
        state = state * 1664525u + 1013904223u;
        value = static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
    }
    return values;
}

// A 1-D to 3-D (grouped) convolution or transposed convolution described per axis, spatial
// sizes padded to three axes with leading 1s.
struct NaiveCase {
    int64_t batch, groups, in_per_group, out_per_group;
    std::array<int64_t, 3> in, kernel, stride, dilation, pad_begin, out;
    size_t spatial;  // 1, 2 or 3
};

std::string axes_text(const std::array<int64_t, 3>& values, size_t spatial) {
    std::string text;
    for (size_t a = 3 - spatial; a < 3; ++a)
        text += (text.empty() ? "" : ",") + std::to_string(values[a]);
    return text;
}

Shape spatial_shape(int64_t n, int64_t c, const std::array<int64_t, 3>& dims, size_t spatial) {
    Shape shape{n, c};
    for (size_t a = 3 - spatial; a < 3; ++a)
        shape.push_back(dims[a]);
    return shape;
}

// Convolution by its definition: out[o] = sum over ic, k of
// src[o * stride - pad_begin + k * dilation] * weights[oc, ic, k], taps outside reading zero.
std::vector<float> naive_forward(const NaiveCase& c, const std::vector<float>& src,
                                 const std::vector<float>& weights) {
    const int64_t channels_in = c.groups * c.in_per_group;
    const int64_t channels_out = c.groups * c.out_per_group;
    const int64_t in_size = c.in[0] * c.in[1] * c.in[2];
    const int64_t out_size = c.out[0] * c.out[1] * c.out[2];
    const int64_t kernel_size = c.kernel[0] * c.kernel[1] * c.kernel[2];
    std::vector<float> dst;
    for (int64_t n = 0; n < c.batch; ++n)
        for (int64_t oc = 0; oc < channels_out; ++oc)
            for (int64_t o = 0; o < out_size; ++o) {
                const int64_t oz = o / (c.out[1] * c.out[2]), oy = o / c.out[2] % c.out[1],
                              ox = o % c.out[2];
                double sum = 0;
                for (int64_t icl = 0; icl < c.in_per_group; ++icl)
                    for (int64_t k = 0; k < kernel_size; ++k) {
                        const int64_t kz = k / (c.kernel[1] * c.kernel[2]),
                                      ky = k / c.kernel[2] % c.kernel[1], kx = k % c.kernel[2];
                        const int64_t iz = oz * c.stride[0] - c.pad_begin[0] + kz * c.dilation[0];
                        const int64_t iy = oy * c.stride[1] - c.pad_begin[1] + ky * c.dilation[1];
                        const int64_t ix = ox * c.stride[2] - c.pad_begin[2] + kx * c.dilation[2];
                        if (iz < 0 || iz >= c.in[0] || iy < 0 || iy >= c.in[1] || ix < 0 ||
                            ix >= c.in[2])
                            continue;
                        const int64_t ic = oc / c.out_per_group * c.in_per_group + icl;
                        sum += src[(n * channels_in + ic) * in_size +
                                   (iz * c.in[1] + iy) * c.in[2] + ix] *
                               weights[(oc * c.in_per_group + icl) * kernel_size + k];
                    }
                dst.push_back(static_cast<float>(sum));
            }
    return dst;
}

// Transposed convolution by its definition: input element i of channel ic adds
// weights[ic, oc, k] * src[i] to output o = i * stride - pad_begin + k * dilation.
std::vector<float> naive_backprop(const NaiveCase& c, const std::vector<float>& src,
                                  const std::vector<float>& weights) {
    const int64_t channels_in = c.groups * c.in_per_group;
    const int64_t channels_out = c.groups * c.out_per_group;
    const int64_t in_size = c.in[0] * c.in[1] * c.in[2];
    const int64_t out_size = c.out[0] * c.out[1] * c.out[2];
    const int64_t kernel_size = c.kernel[0] * c.kernel[1] * c.kernel[2];
    std::vector<double> dst(static_cast<size_t>(c.batch * channels_out * out_size), 0.0);
    for (int64_t n = 0; n < c.batch; ++n)
        for (int64_t ic = 0; ic < channels_in; ++ic)
            for (int64_t i = 0; i < in_size; ++i)
                for (int64_t oc = 0; oc < c.out_per_group; ++oc)
                    for (int64_t k = 0; k < kernel_size; ++k) {
                        const int64_t iz = i / (c.in[1] * c.in[2]), iy = i / c.in[2] % c.in[1],
                                      ix = i % c.in[2];
                        const int64_t kz = k / (c.kernel[1] * c.kernel[2]),
                                      ky = k / c.kernel[2] % c.kernel[1], kx = k % c.kernel[2];
                        const int64_t oz = iz * c.stride[0] - c.pad_begin[0] + kz * c.dilation[0];
                        const int64_t oy = iy * c.stride[1] - c.pad_begin[1] + ky * c.dilation[1];
                        const int64_t ox = ix * c.stride[2] - c.pad_begin[2] + kx * c.dilation[2];
                        if (oz < 0 || oz >= c.out[0] || oy < 0 || oy >= c.out[1] || ox < 0 ||
                            ox >= c.out[2])
                            continue;
                        const int64_t group = ic / c.in_per_group;
                        const int64_t channel = group * c.out_per_group + oc;
                        dst[((n * channels_out + channel) * c.out[0] + oz) * c.out[1] * c.out[2] +
                            oy * c.out[2] + ox] +=
                            src[(n * channels_in + ic) * in_size + i] *
                            weights[(ic * c.out_per_group + oc) * kernel_size + k];
                    }
    return std::vector<float>(dst.begin(), dst.end());
}

}  // namespace

TEST_CASE("Convolution 2-D basic: 2x2 kernel over a 3x3 input") {
    std::vector<graph::PortType> inferred;
    auto out =
        run_op("Convolution", "opset1", {iota_f32({1, 1, 3, 3}), f32({1, 1, 2, 2}, {1, 2, 3, 4})},
               conv_attributes("1,1", "0,0", "0,0", "1,1"), &inferred);
    check_close(out[0], {1, 1, 2, 2}, {27, 37, 57, 67});
    CHECK(inferred[0] == f32_port({1, 1, 2, 2}));
}

TEST_CASE("Convolution sums over input channels per output channel and batch") {
    auto src = f32({2, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 1, 1, 1, 1});
    auto weights = f32({2, 2, 1, 1}, {1, 1, 2, -1});
    auto out = run_op("Convolution", "opset1", {src, weights},
                      conv_attributes("1,1", "0,0", "0,0", "1,1"));
    check_close(out[0], {2, 2, 2, 2}, {6, 8, 10, 12, -3, -2, -1, 0, 1, 1, 1, 1, -1, -1, -1, -1});
}

TEST_CASE("Convolution 1-D strides with asymmetric explicit pads") {
    auto src = f32({1, 1, 5}, {1, 2, 3, 4, 5});
    auto weights = f32({1, 1, 3}, {1, 2, 3});
    auto begin_pad =
        run_op("Convolution", "opset1", {src, weights}, conv_attributes("2", "1", "0", "1"));
    check_close(begin_pad[0], {1, 1, 2}, {8, 20});
    auto end_pad =
        run_op("Convolution", "opset1", {src, weights}, conv_attributes("2", "0", "2", "1"));
    check_close(end_pad[0], {1, 1, 3}, {14, 26, 5});
}

TEST_CASE("Convolution dilations in 1-D and 2-D") {
    auto line =
        run_op("Convolution", "opset1", {f32({1, 1, 5}, {1, 2, 3, 4, 5}), f32({1, 1, 2}, {1, 10})},
               conv_attributes("1", "0", "0", "2"));
    check_close(line[0], {1, 1, 3}, {31, 42, 53});
    auto plane =
        run_op("Convolution", "opset1", {iota_f32({1, 1, 4, 4}), f32({1, 1, 2, 2}, {1, 1, 1, 1})},
               conv_attributes("1,1", "0,0", "0,0", "2,2"));
    check_close(plane[0], {1, 1, 2, 2}, {20, 24, 36, 40});
}

TEST_CASE("Convolution auto_pad same_upper, same_lower, valid and notset") {
    auto src = f32({1, 1, 4}, {1, 2, 3, 4});
    auto weights = f32({1, 1, 3}, {1, 2, 3});
    // The pads attributes are ignored by the automatic modes.
    auto upper = run_op("Convolution", "opset1", {src, weights},
                        conv_attributes("2", "5", "5", "1", "same_upper"));
    check_close(upper[0], {1, 1, 2}, {14, 11});
    auto lower = run_op("Convolution", "opset1", {src, weights},
                        conv_attributes("2", "5", "5", "1", "same_lower"));
    check_close(lower[0], {1, 1, 2}, {8, 20});
    auto valid = run_op("Convolution", "opset1", {src, weights},
                        conv_attributes("2", "5", "5", "1", "valid"));
    check_close(valid[0], {1, 1, 1}, {14});
    auto notset = run_op("Convolution", "opset1", {src, weights},
                         conv_attributes("2", "1", "0", "1", "notset"));
    check_close(notset[0], {1, 1, 2}, {8, 20});
}

TEST_CASE("Convolution 3-D") {
    auto out = run_op("Convolution", "opset1",
                      {iota_f32({1, 1, 2, 2, 2}), f32({1, 1, 2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1})},
                      conv_attributes("1,1,1", "0,0,0", "0,0,0", "1,1,1"));
    check_close(out[0], {1, 1, 1, 1, 1}, {28});
    auto padded =
        run_op("Convolution", "opset1", {iota_f32({1, 1, 2, 2, 2}), f32({1, 1, 1, 1, 1}, {2})},
               conv_attributes("2,2,2", "1,0,0", "0,0,0", "1,1,1"));
    // Depth padded by one in front: outputs at depth -1 (zero) and 1, height and width 0 only.
    check_close(padded[0], {1, 1, 2, 1, 1}, {0, 8});
}

TEST_CASE("Convolution shape inference with dynamic dims and rank") {
    auto attributes = conv_attributes("2,2", "0,0", "0,0", "1,1", "same_upper");
    auto same = infer_op("Convolution", "opset1",
                         {f32_port({1, 3, 224, 225}), f32_port({64, 3, 5, 5})}, attributes);
    CHECK(same[0] == f32_port({1, 64, 112, 113}));
    auto dynamic = infer_op("Convolution", "opset1",
                            {f32_port({-1, 3, -1, 225}), f32_port({64, 3, 5, 5})}, attributes);
    CHECK(dynamic[0] == f32_port({-1, 64, -1, 113}));
    auto explicit_pads = conv_attributes("2,1", "1,0", "2,0", "1,3");
    auto out = infer_op("Convolution", "opset1", {f32_port({1, 3, 10, 10}), f32_port({8, 3, 3, 3})},
                        explicit_pads);
    CHECK(out[0] == f32_port({1, 8, 6, 4}));
    auto unknown_weights =
        infer_op("Convolution", "opset1", {f32_port({1, 3, 10, 10}), f32_port({-1, 3, -1, 3})},
                 explicit_pads);
    CHECK(unknown_weights[0] == f32_port({1, -1, -1, 4}));
    auto no_rank =
        infer_op("Convolution", "opset1",
                 {f32_port(PartialShape::dynamic_rank()), f32_port({8, 3, 3, 3})}, explicit_pads);
    CHECK(no_rank[0] == f32_port({-1, 8, -1, -1}));
}

TEST_CASE("Convolution rejects bad inputs and attributes") {
    auto attributes = conv_attributes("1,1", "0,0", "0,0", "1,1");
    CHECK_THROWS_AS(infer_op("Convolution", "opset1",
                             {f32_port({1, 3, 5, 5}), f32_port({4, 2, 3, 3})}, attributes),
                    es::Error);  // channel mismatch
    CHECK_THROWS_AS(infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3})},
                             attributes),
                    es::Error);  // weights rank
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5}), f32_port({4, 3, 3})}, attributes),
        es::Error);  // data rank does not match the strides
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("0,1", "0,0", "0,0", "1,1")),
        es::Error);  // zero stride
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("-1,1", "0,0", "0,0", "1,1")),
        es::Error);  // negative stride
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("1,1", "0,0", "0,0", "0,1")),
        es::Error);  // zero dilation
    CHECK_THROWS_AS(infer_op("Convolution", "opset1",
                             {f32_port({1, 3, 2, 2}), f32_port({4, 3, 3, 3})}, attributes),
                    es::Error);  // kernel larger than the input
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("1,1", "0,0", "0,0", "1,1", "same")),
        es::Error);  // unknown auto_pad
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("1,1", "0,0,0", "0,0", "1,1")),
        es::Error);  // pads count
    CHECK_THROWS_AS(
        infer_op("Convolution", "opset1", {f32_port({1, 3, 5, 5}), f32_port({4, 3, 3, 3})},
                 conv_attributes("1,1", "1000000000000,0", "0,0", "1,1")),
        es::Error);  // absurd pad
    CHECK_THROWS_AS(infer_op("Convolution", "opset1",
                             {f32_port({1, 3, 5, 5}), {ElementType::i64, PartialShape{4, 3, 3, 3}}},
                             attributes),
                    es::Error);  // element types differ
}

// Runs a (Group)Convolution or a (Group)ConvolutionBackpropData described by `c` on
// pseudo-random data and compares it with the direct definition.
void check_against_definition(const NaiveCase& c, bool backprop, uint32_t seed) {
    const bool grouped = c.groups > 1;
    const Shape src_shape = spatial_shape(c.batch, c.groups * c.in_per_group, c.in, c.spatial);
    Shape weights_shape = backprop
                              ? spatial_shape(c.in_per_group, c.out_per_group, c.kernel, c.spatial)
                              : spatial_shape(c.out_per_group, c.in_per_group, c.kernel, c.spatial);
    if (grouped) weights_shape.insert(weights_shape.begin(), c.groups);
    const auto src = pseudo_random(shape_size(src_shape), seed);
    const auto weights = pseudo_random(shape_size(weights_shape), seed + 1);
    std::vector<Tensor> inputs{f32(src_shape, src), f32(weights_shape, weights)};
    const std::string type = std::string(grouped ? "Group" : "") +
                             (backprop ? "ConvolutionBackpropData" : "Convolution");
    std::string pads_end = axes_text({0, 0, 0}, c.spatial);
    if (backprop) {
        // The output_shape input gives the size, with explicit pads_begin.
        Tensor output_shape(ElementType::i64, {static_cast<int64_t>(c.spatial)});
        std::copy(c.out.end() - static_cast<ptrdiff_t>(c.spatial), c.out.end(),
                  output_shape.data<int64_t>());
        inputs.push_back(output_shape);
    } else {
        // pads_end chosen to give the listed output size
        std::array<int64_t, 3> end{};
        for (size_t a = 0; a < 3; ++a)
            end[a] = (c.out[a] - 1) * c.stride[a] + (c.kernel[a] - 1) * c.dilation[a] + 1 -
                     c.in[a] - c.pad_begin[a];
        pads_end = axes_text(end, c.spatial);
    }
    auto attributes =
        conv_attributes(axes_text(c.stride, c.spatial), axes_text(c.pad_begin, c.spatial), pads_end,
                        axes_text(c.dilation, c.spatial));
    auto out = run_op(type, "opset1", inputs, attributes);
    check_close(out[0], spatial_shape(c.batch, c.groups * c.out_per_group, c.out, c.spatial),
                backprop ? naive_backprop(c, src, weights) : naive_forward(c, src, weights), 1e-4f);
}

TEST_CASE("Convolution matches its definition on varied 1-D to 3-D shapes") {
    const NaiveCase cases[] = {
        // batch groups in/g out/g  in  kernel  stride  dilation  pad_begin  out  spatial
        {2, 1, 3, 4, {1, 7, 9}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {1, 7, 9}, 2},
        {1, 1, 2, 3, {1, 8, 11}, {1, 3, 2}, {1, 2, 3}, {1, 1, 1}, {0, 1, 0}, {1, 4, 4}, 2},
        {1, 2, 2, 3, {1, 6, 7}, {1, 3, 3}, {1, 1, 2}, {1, 2, 1}, {0, 2, 1}, {1, 6, 4}, 2},
        {1, 4, 1, 1, {1, 9, 8}, {1, 3, 3}, {1, 2, 2}, {1, 1, 1}, {0, 1, 1}, {1, 5, 4}, 2},
        {1, 1, 5, 2, {1, 4, 4}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {1, 4, 4}, 2},
        {1, 1, 3, 6, {1, 1, 19}, {1, 1, 4}, {1, 1, 2}, {1, 1, 2}, {0, 0, 3}, {1, 1, 9}, 1},
        {1, 1, 2, 2, {4, 5, 6}, {2, 3, 3}, {2, 1, 2}, {1, 1, 2}, {1, 1, 0}, {3, 5, 2}, 3},
        {1, 1, 1, 1, {1, 4, 4}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, -1, 1}, {1, 1, 4}, 2},
    };
    uint32_t seed = 1;
    for (const auto& c : cases) {
        CAPTURE(seed);
        check_against_definition(c, false, seed);
        seed += 2;
    }
}

TEST_CASE("GroupConvolution splits channels into groups") {
    auto src = f32({1, 4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto weights = f32({2, 1, 2, 1}, {1, 10, 2, -1});
    auto out =
        run_op("GroupConvolution", "opset1", {src, weights}, conv_attributes("1", "0", "0", "1"));
    check_close(out[0], {1, 2, 2}, {31, 42, 3, 4});
}

TEST_CASE("GroupConvolution depthwise with padding, 1-D and 2-D") {
    auto line = run_op("GroupConvolution", "opset1",
                       {f32({1, 2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 1, 1, 2}, {1, 1, 1, -1})},
                       conv_attributes("1", "1", "0", "1"));
    check_close(line[0], {1, 2, 3}, {1, 3, 5, -4, -1, -1});
    auto plane =
        run_op("GroupConvolution", "opset1",
               {iota_f32({1, 2, 2, 2}, 1.0f), f32({2, 1, 1, 2, 2}, {1, 1, 1, 1, 2, 2, 2, 2})},
               conv_attributes("1,1", "0,0", "0,0", "1,1"));
    check_close(plane[0], {1, 2, 1, 1}, {6, 44});
}

TEST_CASE("GroupConvolution shape inference and bad inputs") {
    auto attributes = conv_attributes("1,1", "1,1", "1,1", "1,1");
    auto out = infer_op("GroupConvolution", "opset1",
                        {f32_port({1, 32, -1, 20}), f32_port({32, 1, 1, 3, 3})}, attributes);
    CHECK(out[0] == f32_port({1, 32, -1, 20}));
    auto dynamic_groups =
        infer_op("GroupConvolution", "opset1",
                 {f32_port({1, 32, 20, 20}), f32_port({-1, 2, 1, 3, 3})}, attributes);
    CHECK(dynamic_groups[0] == f32_port({1, -1, 20, 20}));
    CHECK_THROWS_AS(infer_op("GroupConvolution", "opset1",
                             {f32_port({1, 4, 5, 5}), f32_port({3, 1, 1, 3, 3})}, attributes),
                    es::Error);  // 3 groups x 1 channel != 4 channels
    CHECK_THROWS_AS(infer_op("GroupConvolution", "opset1",
                             {f32_port({1, 4, 5, 5}), f32_port({4, 1, 3, 3})}, attributes),
                    es::Error);  // weights without the groups axis
}

TEST_CASE("ConvolutionBackpropData 1-D: strides, pads and output_padding") {
    auto src = f32({1, 1, 2}, {1, 2});
    auto weights = f32({1, 1, 3}, {1, 2, 3});
    // Full transposed result: [1, 2, 3] + [0, 0, 2, 4, 6] = [1, 2, 5, 4, 6].
    auto full = run_op("ConvolutionBackpropData", "opset1", {src, weights},
                       conv_attributes("2", "0", "0", "1"));
    check_close(full[0], {1, 1, 5}, {1, 2, 5, 4, 6});
    auto cropped = run_op("ConvolutionBackpropData", "opset1", {src, weights},
                          conv_attributes("2", "1", "1", "1"));
    check_close(cropped[0], {1, 1, 3}, {2, 5, 4});
    auto attributes = conv_attributes("2", "0", "0", "1");
    attributes.set("output_padding", "1");
    auto extended = run_op("ConvolutionBackpropData", "opset1", {src, weights}, attributes);
    check_close(extended[0], {1, 1, 6}, {1, 2, 5, 4, 6, 0});
    attributes = conv_attributes("2", "1", "1", "1");
    attributes.set("output_padding", "1");
    auto both = run_op("ConvolutionBackpropData", "opset1", {src, weights}, attributes);
    check_close(both[0], {1, 1, 4}, {2, 5, 4, 6});
}

TEST_CASE("ConvolutionBackpropData with an output_shape input and auto_pad") {
    auto src = f32({1, 1, 2}, {1, 2});
    auto weights = f32({1, 1, 3}, {1, 2, 3});
    auto run = [&](const std::string& auto_pad, int64_t size) {
        return run_op("ConvolutionBackpropData", "opset1", {src, weights, i64({1}, {size})},
                      conv_attributes("2", "0", "0", "1", auto_pad))[0];
    };
    // One element of padding in total: same_upper puts it at the beginning, same_lower at the end.
    check_close(run("same_upper", 4), {1, 1, 4}, {2, 5, 4, 6});
    check_close(run("same_lower", 4), {1, 1, 4}, {1, 2, 5, 4});
    check_close(run("explicit", 4), {1, 1, 4}, {1, 2, 5, 4});
    check_close(run("valid", 6), {1, 1, 6}, {1, 2, 5, 4, 6, 0});
    auto i32_shape = run_op("ConvolutionBackpropData", "opset1", {src, weights, i32({1}, {3})},
                            conv_attributes("2", "0", "0", "1", "same_upper"));
    check_close(i32_shape[0], {1, 1, 3}, {2, 5, 4});
}

TEST_CASE("ConvolutionBackpropData 2-D, channels and dilations") {
    auto src = f32({1, 1, 2, 2}, {1, 2, 3, 4});
    auto ones = f32({1, 1, 2, 2}, {1, 1, 1, 1});
    auto strided = run_op("ConvolutionBackpropData", "opset1", {src, ones},
                          conv_attributes("2,2", "0,0", "0,0", "1,1"));
    check_close(strided[0], {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    auto overlapping = run_op("ConvolutionBackpropData", "opset1", {src, ones},
                              conv_attributes("1,1", "0,0", "0,0", "1,1"));
    check_close(overlapping[0], {1, 1, 3, 3}, {1, 3, 2, 4, 10, 6, 3, 7, 4});
    auto channels = run_op("ConvolutionBackpropData", "opset1",
                           {f32({1, 2, 1}, {1, 2}), f32({2, 3, 1}, {1, 2, 3, 10, 20, 30})},
                           conv_attributes("1", "0", "0", "1"));
    check_close(channels[0], {1, 3, 1}, {21, 42, 63});
    auto dilated = run_op("ConvolutionBackpropData", "opset1",
                          {f32({1, 1, 2}, {1, 2}), f32({1, 1, 2}, {1, 10})},
                          conv_attributes("1", "0", "0", "2"));
    check_close(dilated[0], {1, 1, 4}, {1, 2, 10, 20});
}

TEST_CASE("ConvolutionBackpropData shape inference") {
    auto attributes = conv_attributes("2,2", "1,1", "1,1", "1,1");
    auto out = infer_op("ConvolutionBackpropData", "opset1",
                        {f32_port({1, 20, 224, -1}), f32_port({20, 10, 3, 3})}, attributes);
    CHECK(out[0] == f32_port({1, 10, 447, -1}));
    attributes = conv_attributes("3,3", "0,0", "0,0", "1,1");
    attributes.set("output_padding", "2,2");
    out = infer_op("ConvolutionBackpropData", "opset1",
                   {f32_port({1, 20, 2, 2}), f32_port({20, 10, 3, 3})}, attributes);
    CHECK(out[0] == f32_port({1, 10, 8, 8}));
    auto with_shape = infer_op(
        "ConvolutionBackpropData", "opset1",
        {f32_port({1, 20, 224, 224}), f32_port({20, 10, 3, 3}), {ElementType::i64, {2}}},
        conv_attributes("1,1", "1,1", "1,1", "1,1", "same_upper"), {{}, {}, i64({2}, {450, 450})});
    CHECK(with_shape[0] == f32_port({1, 10, 450, 450}));
    auto unknown_shape =
        infer_op("ConvolutionBackpropData", "opset1",
                 {f32_port({1, 20, 224, 224}), f32_port({20, 10, 3, 3}), {ElementType::i64, {2}}},
                 conv_attributes("1,1", "1,1", "1,1", "1,1", "same_upper"));
    CHECK(unknown_shape[0] == f32_port({1, 10, -1, -1}));
}

TEST_CASE("ConvolutionBackpropData rejects bad inputs") {
    auto attributes = conv_attributes("1,1", "0,0", "0,0", "1,1");
    CHECK_THROWS_AS(infer_op("ConvolutionBackpropData", "opset1",
                             {f32_port({1, 2, 5, 5}), f32_port({3, 4, 3, 3})}, attributes),
                    es::Error);  // data channels vs weights C_in
    CHECK_THROWS_AS(
        infer_op("ConvolutionBackpropData", "opset1",
                 {f32_port({1, 2, 5, 5}), f32_port({2, 4, 3, 3}), {ElementType::i64, {3}}},
                 attributes),
        es::Error);  // output_shape has 3 values for 2 spatial axes
    CHECK_THROWS_AS(
        infer_op("ConvolutionBackpropData", "opset1",
                 {f32_port({1, 2, 5, 5}), f32_port({2, 4, 3, 3}), {ElementType::f32, {2}}},
                 attributes),
        es::Error);  // output_shape must be integer
    CHECK_THROWS_AS(infer_op("ConvolutionBackpropData", "opset1",
                             {f32_port({1, 2, 5, 5}), f32_port({2, 4, 3, 3})},
                             conv_attributes("0,1", "0,0", "0,0", "1,1")),
                    es::Error);  // zero stride
    auto negative = conv_attributes("1,1", "0,0", "0,0", "1,1");
    negative.set("output_padding", "-1,0");
    CHECK_THROWS_AS(infer_op("ConvolutionBackpropData", "opset1",
                             {f32_port({1, 2, 5, 5}), f32_port({2, 4, 3, 3})}, negative),
                    es::Error);
}

TEST_CASE("GroupConvolutionBackpropData per-group transposed convolution") {
    auto src = f32({1, 2, 2}, {1, 2, 3, 4});
    auto weights = f32({2, 1, 1, 2}, {1, 1, 1, -1});
    auto out = run_op("GroupConvolutionBackpropData", "opset1", {src, weights},
                      conv_attributes("1", "0", "0", "1"));
    check_close(out[0], {1, 2, 3}, {1, 3, 2, 3, 1, -4});
    auto shape = infer_op("GroupConvolutionBackpropData", "opset1",
                          {f32_port({1, 20, 224, 224}), f32_port({4, 5, 2, 3, 3})},
                          conv_attributes("2,2", "1,1", "1,1", "1,1"));
    CHECK(shape[0] == f32_port({1, 8, 447, 447}));
    CHECK_THROWS_AS(infer_op("GroupConvolutionBackpropData", "opset1",
                             {f32_port({1, 20, 224, 224}), f32_port({4, 4, 2, 3, 3})},
                             conv_attributes("2,2", "1,1", "1,1", "1,1")),
                    es::Error);  // 4 groups x 4 channels != 20
}

TEST_CASE("ConvolutionBackpropData matches its definition on varied 1-D to 3-D shapes") {
    const NaiveCase cases[] = {
        // batch groups in/g out/g  in  kernel  stride  dilation  pad_begin  out  spatial
        {2, 1, 3, 2, {1, 1, 5}, {1, 1, 3}, {1, 1, 2}, {1, 1, 1}, {0, 0, 1}, {1, 1, 10}, 1},
        {1, 1, 2, 5, {1, 4, 5}, {1, 2, 2}, {1, 2, 2}, {1, 1, 1}, {0, 0, 0}, {1, 8, 10}, 2},
        {1, 1, 3, 2, {1, 5, 4}, {1, 4, 3}, {1, 2, 3}, {1, 1, 2}, {0, 1, 2}, {1, 10, 12}, 2},
        {1, 2, 2, 3, {1, 3, 3}, {1, 3, 3}, {1, 3, 2}, {1, 2, 1}, {0, 2, 0}, {1, 9, 7}, 2},
        {1, 4, 1, 1, {1, 6, 6}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1}, {1, 6, 6}, 2},
        {1, 1, 2, 2, {3, 2, 3}, {2, 3, 2}, {2, 1, 3}, {1, 2, 1}, {1, 0, 1}, {5, 6, 8}, 3},
        {1, 1, 1, 1, {1, 1, 4}, {1, 1, 2}, {1, 1, 2}, {1, 1, 2}, {0, 0, 0}, {1, 1, 9}, 1},
    };
    uint32_t seed = 100;
    for (const auto& c : cases) {
        CAPTURE(seed);
        check_against_definition(c, true, seed);
        seed += 2;
    }
}
