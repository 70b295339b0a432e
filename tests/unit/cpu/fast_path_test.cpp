// The ops converted TensorFlow graphs are made of, in the layouts such graphs give them (NHWC,
// behind Transposes, after blocked convolutions): each must match the reference kernel and run
// on one of oneDNN's or the device's own fast kernels, never a reference or "simple" one.
#include "tests/support/device_testing.h"

#include <functional>

using namespace es;
using namespace es::testing;

namespace {

struct FastCase {
    const char* name;
    std::function<void(GraphBuilder&)> build;  // names the op under test "op"
};

Tensor ints(std::vector<int64_t> values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return tensor;
}

graph::Output transpose(GraphBuilder& g, const graph::Output& x, std::vector<int64_t> order) {
    return g.op("Transpose", {x, g.constant(ints(std::move(order)))});
}

// A convolution with 24 output channels (a blocked layout) seen as NHWC.
graph::Output nhwc_conv(GraphBuilder& g, const Shape& nchw) {
    const auto conv = g.op(
        "Convolution", {g.input(PartialShape(nchw)), g.constant({24, nchw[1], 1, 1})},
        {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}});
    return transpose(g, conv, {0, 2, 3, 1});
}

FastCase reduce(const char* name, const std::string& type, Shape shape, std::vector<int64_t> axes,
                bool keep_dims) {
    return {name, [=](GraphBuilder& g) {
                g.output(g.op(type, {g.input(PartialShape(shape)), g.constant(ints(axes))},
                              {{"keep_dims", keep_dims ? "true" : "false"}}, "op"));
            }};
}

FastCase reduce_conv(const char* name, const std::string& type, std::vector<int64_t> axes,
                     bool keep_dims) {
    return {name, [=](GraphBuilder& g) {
                const auto x = nhwc_conv(g, {1, 7, 9, 11});
                g.output(g.op(type, {x, g.constant(ints(axes))},
                              {{"keep_dims", keep_dims ? "true" : "false"}}, "op"));
            }};
}

// A pooling of `shape` NHWC between the Transposes TensorFlow's converter writes around it.
FastCase pool_nhwc(const char* name, const std::string& type, Shape shape,
                   const std::string& kernel, const std::string& strides,
                   const std::string& auto_pad) {
    return {name, [=](GraphBuilder& g) {
                const auto x = transpose(g, g.input(PartialShape(shape)), {0, 3, 1, 2});
                const auto y = g.op(type, {x},
                                    {{"kernel", kernel},
                                     {"strides", strides},
                                     {"pads_begin", "0,0"},
                                     {"pads_end", "0,0"},
                                     {"rounding_type", "floor"},
                                     {"auto_pad", auto_pad},
                                     {"exclude-pad", "true"}},
                                    "op");
                g.output(transpose(g, y, {0, 2, 3, 1}));
            }};
}

// CenterNet's peak test: x == MaxPool(x) over NHWC, as 1 or 0 in f32; "op" names `named`.
FastCase peaks(const char* name, const std::string& named) {
    return {name, [=](GraphBuilder& g) {
                const auto x = nhwc_conv(g, {1, 5, 12, 10});
                const auto pooled = g.op("MaxPool", {transpose(g, x, {0, 3, 1, 2})},
                                         {{"kernel", "3,3"},
                                          {"strides", "1,1"},
                                          {"pads_begin", "1,1"},
                                          {"pads_end", "1,1"},
                                          {"rounding_type", "floor"}});
                const auto equal = g.op("Equal", {x, transpose(g, pooled, {0, 2, 3, 1})}, {},
                                        named == "Equal" ? "op" : "equal");
                g.output(g.op("Convert", {equal}, {{"destination_type", "f32"}},
                              named == "Convert" ? "op" : "convert"));
            }};
}

FastCase compare(const char* name, const std::string& type, Shape a, Shape b, bool constant_b) {
    return {name, [=](GraphBuilder& g) {
                const auto x = g.input(PartialShape(a));
                const auto y = constant_b ? g.constant(b) : g.input(PartialShape(b));
                g.output(g.op(type, {x, y}, {}, "op"));
            }};
}

// A 3-channel convolution output (NHWC for so few channels) times a [N, 1, H, W] mask, as
// super-resolution models blend their output.
FastCase masked_conv(const char* name) {
    return {name, [=](GraphBuilder& g) {
                const auto conv = g.op(
                    "Convolution", {g.input(PartialShape{1, 8, 12, 20}), g.constant({3, 8, 3, 3})},
                    {{"strides", "1,1"},
                     {"pads_begin", "1,1"},
                     {"pads_end", "1,1"},
                     {"dilations", "1,1"}});
                g.output(g.op("Multiply", {conv, g.input(PartialShape{1, 1, 12, 20})}, {}, "op"));
            }};
}

// TopK-11 of `shape` on `axis`; with `ties`, of floor(4x), so that many values are equal.
FastCase topk(const char* name, Shape shape, int64_t axis, int64_t k, const std::string& mode,
              const std::string& sort, bool ties, const std::string& index_type = "i32") {
    return {name, [=](GraphBuilder& g) {
                graph::Output x = g.input(PartialShape(shape));
                if (ties)
                    x = g.op("Floor",
                             {g.op("Multiply", {x, g.constant(make_tensor<float>({}, {4.0f}))})});
                Tensor k_value(ElementType::i64, {});
                *k_value.data<int64_t>() = k;
                const auto y = g.op("TopK", {x, g.constant(k_value)},
                                    {{"axis", std::to_string(axis)},
                                     {"mode", mode},
                                     {"sort", sort},
                                     {"index_element_type", index_type},
                                     {"stable", "true"}},
                                    "op", "opset11");
                g.output(y);
                g.output({y.node, 1});
            }};
}

// Interpolate-11 linear_onnx in sizes mode of `shape` to `sizes` on `axes`.
FastCase linear_resize(const char* name, Shape shape, std::vector<int64_t> sizes,
                       std::vector<int64_t> axes, const std::string& transform) {
    return {name, [=](GraphBuilder& g) {
                g.output(g.op(
                    "Interpolate",
                    {g.input(PartialShape(shape)), g.constant(ints(sizes)), g.constant(ints(axes))},
                    {{"mode", "linear_onnx"},
                     {"shape_calculation_mode", "sizes"},
                     {"coordinate_transformation_mode", transform},
                     {"nearest_mode", "floor"},
                     {"antialias", "false"},
                     {"pads_begin", "0"},
                     {"pads_end", "0"}},
                    "op", "opset11"));
            }};
}

// Interpolate-1 linear of `shape` to `sizes` on `axes` (OpenVINO's older IRs, segmentation heads).
FastCase linear_resize_v1(const char* name, Shape shape, std::vector<int64_t> sizes,
                          std::vector<int64_t> axes, bool align_corners) {
    std::string axes_text;
    for (int64_t axis : axes)
        axes_text += (axes_text.empty() ? "" : ",") + std::to_string(axis);
    return {
        name, [=](GraphBuilder& g) {
            g.output(g.op("Interpolate", {g.input(PartialShape(shape)), g.constant(ints(sizes))},
                          {{"mode", "linear"},
                           {"axes", axes_text},
                           {"align_corners", align_corners ? "1" : "0"},
                           {"antialias", "0"},
                           {"pads_begin", "0"},
                           {"pads_end", "0"}},
                          "op", "opset1"));
        }};
}

// Interpolate-1 linear x2 of a convolution output (a blocked or channels-last layout), followed
// by another convolution: segmentation decoders.
FastCase resize_between_convs(const char* name, int64_t channels) {
    return {name, [=](GraphBuilder& g) {
                const graph::Attributes same = {{"strides", "1,1"},
                                                {"pads_begin", "1,1"},
                                                {"pads_end", "1,1"},
                                                {"dilations", "1,1"}};
                const auto conv = g.op(
                    "Convolution",
                    {g.input(PartialShape{1, 8, 9, 7}), g.constant({channels, 8, 3, 3})}, same);
                const auto resized = g.op("Interpolate", {conv, g.constant(ints({18, 14}))},
                                          {{"mode", "linear"},
                                           {"axes", "2,3"},
                                           {"align_corners", "1"},
                                           {"antialias", "0"},
                                           {"pads_begin", "0"},
                                           {"pads_end", "0"}},
                                          "op", "opset1");
                g.output(g.op("Convolution", {resized, g.constant({4, channels, 3, 3})}, same));
            }};
}

// PReLU with a slope per element of the last axis (TensorFlow's per-channel slope of NHWC).
FastCase prelu_last_axis(const char* name, Shape shape, Shape slope, bool after_conv) {
    return {name, [=](GraphBuilder& g) {
                const auto x = after_conv ? nhwc_conv(g, shape) : g.input(PartialShape(shape));
                g.output(g.op("PReLU", {x, g.constant(slope, 0.0f, 0.5f)}, {}, "op"));
            }};
}

// BlazeFace's and FaceMesh's residual blocks: the block input (a pooling of NHWC, or a
// convolution output seen as NHWC) padded with zero channels, added to the block's output.
FastCase channel_padding(const char* name, Shape nhwc, int64_t channels, bool residual) {
    return {name, [=](GraphBuilder& g) {
                const auto image = g.input(PartialShape(nhwc));
                const auto x = transpose(g,
                                         g.op("MaxPool", {transpose(g, image, {0, 3, 1, 2})},
                                              {{"kernel", "2,2"},
                                               {"strides", "2,2"},
                                               {"pads_begin", "0,0"},
                                               {"pads_end", "0,0"},
                                               {"rounding_type", "floor"}}),
                                         {0, 2, 3, 1});
                const Shape half{nhwc[0], nhwc[1] / 2, nhwc[2] / 2, nhwc[3]};
                const auto padded = g.op("Pad",
                                         {x, g.constant(ints({0, 0, 0, 0})),
                                          g.constant(ints({0, 0, 0, channels - nhwc[3]})),
                                          g.constant(make_tensor<float>({}, {0.0f}))},
                                         {{"pad_mode", "constant"}}, "op");
                if (!residual) {
                    g.output(padded);
                    return;
                }
                const auto conv =
                    g.op("Convolution",
                         {transpose(g, x, {0, 3, 1, 2}), g.constant({channels, nhwc[3], 1, 1})},
                         {{"strides", "1,1"},
                          {"pads_begin", "0,0"},
                          {"pads_end", "0,0"},
                          {"dilations", "1,1"}});
                g.output(g.op("Add", {padded, transpose(g, conv, {0, 2, 3, 1})}));
            }};
}

// Pad of the H and W axes of NHWC (TensorFlow's explicit padding, MirrorPad) in `mode`.
FastCase spatial_padding(const char* name, Shape nhwc, const std::string& mode) {
    return {name, [=](GraphBuilder& g) {
                g.output(g.op("Pad",
                              {g.input(PartialShape(nhwc)), g.constant(ints({0, 1, 2, 0})),
                               g.constant(ints({0, 2, 1, 0}))},
                              {{"pad_mode", mode}}, "op"));
            }};
}

const std::vector<FastCase> k_cases = {
    channel_padding("Pad of NHWC channels with zeros", {1, 12, 10, 16}, 32, false),
    channel_padding("Pad of NHWC channels before a residual Add", {1, 16, 12, 32}, 64, true),
    channel_padding("Pad of 24 NHWC channels to 40, batch 2", {2, 8, 6, 24}, 40, true),
    spatial_padding("Pad of NHWC H and W with zeros", {1, 9, 8, 8}, "constant"),
    spatial_padding("MirrorPad REFLECT of NHWC H and W", {2, 7, 6, 5}, "reflect"),
    spatial_padding("MirrorPad SYMMETRIC of NHWC H and W", {1, 6, 9, 3}, "symmetric"),
    prelu_last_axis("PReLU of NHWC, slope [C]", {1, 8, 6, 16}, {16}, false),
    prelu_last_axis("PReLU of NHWC, slope [1, 1, C]", {2, 5, 7, 12}, {1, 1, 12}, false),
    prelu_last_axis("PReLU of a convolution output seen as NHWC", {1, 5, 6, 7}, {1, 1, 1, 24},
                    true),
    linear_resize("ResizeBilinear x2 of NHWC, asymmetric", {1, 8, 6, 16}, {16, 12}, {1, 2},
                  "asymmetric"),
    linear_resize("ResizeBilinear of NHWC to 7x9, half_pixel", {2, 5, 6, 3}, {7, 9}, {1, 2},
                  "half_pixel"),
    linear_resize("linear_onnx of NCHW, align_corners, shrinking", {1, 3, 9, 8}, {4, 5}, {2, 3},
                  "align_corners"),
    linear_resize("linear_onnx of one axis, asymmetric", {2, 7, 4}, {15}, {1}, "asymmetric"),
    linear_resize("linear_onnx of the last axis, pytorch_half_pixel", {3, 4, 5}, {9}, {-1},
                  "pytorch_half_pixel"),
    linear_resize_v1("Interpolate-1 linear x8 of NCHW, align_corners", {1, 4, 6, 7}, {48, 56},
                     {2, 3}, true),
    linear_resize_v1("Interpolate-1 linear of NCHW to 9x5, asymmetric", {2, 3, 4, 6}, {9, 5},
                     {2, 3}, false),
    linear_resize_v1("Interpolate-1 linear of one axis, half_pixel", {2, 5, 7}, {12}, {2}, false),
    resize_between_convs("Interpolate-1 linear x2 between convolutions, 16 channels", 16),
    resize_between_convs("Interpolate-1 linear x2 between convolutions, 5 channels", 5),
    topk("TopK 100 of 20000, largest first", {1, 20000}, -1, 100, "max", "value", false),
    topk("TopK with ties keeps the input order", {2, 3000}, 1, 50, "max", "value", true),
    topk("TopK smallest, sorted by index, i64", {3, 200}, 1, 17, "min", "index", true, "i64"),
    topk("TopK on a middle axis", {2, 40, 3, 5}, 1, 7, "max", "none", true),
    topk("TopK of all elements", {4, 9}, 1, 9, "min", "value", true),
    peaks("Equal of a tensor and its 3x3 maximum, NHWC", "Equal"),
    peaks("Convert of that boolean to f32", "Convert"),
    masked_conv("Multiply of a 3-channel convolution output by a [N, 1, H, W] mask"),
    compare("Greater than a per-channel constant", "Greater", {1, 6, 5, 4}, {1, 6, 1, 1}, true),
    compare("Less, first operand broadcast (mirrored)", "Less", {1, 1, 5, 4}, {2, 3, 5, 4}, false),
    compare("GreaterEqual a scalar", "GreaterEqual", {3, 17}, {}, true),
    compare("Less than a scalar, every dimension 1", "Less", {1, 1}, {}, true),
    compare("LessEqual, same shapes", "LessEqual", {2, 9, 8}, {2, 9, 8}, false),
    compare("NotEqual, a row", "NotEqual", {4, 6}, {6}, false),
    pool_nhwc("MaxPool 3x3 stride 1 same_upper of NHWC", "MaxPool", {1, 32, 24, 80}, "3,3", "1,1",
              "same_upper"),
    pool_nhwc("MaxPool 2x2 stride 2 of NHWC, 3 channels", "MaxPool", {2, 16, 10, 3}, "2,2", "2,2",
              "valid"),
    pool_nhwc("AvgPool 3x3 stride 2 same_upper of NHWC", "AvgPool", {1, 15, 17, 24}, "3,3", "2,2",
              "same_upper"),
    reduce("ReduceMean of NHWC over H, W keeping dims", "ReduceMean", {1, 9, 7, 19}, {1, 2}, true),
    reduce("ReduceMean of NHWC over -3, -2 dropping them", "ReduceMean", {2, 6, 5, 32}, {-3, -2},
           false),
    reduce("ReduceMax of NHWC over H, W", "ReduceMax", {1, 8, 8, 40}, {1, 2}, true),
    reduce("ReduceMean of NCHW over H, W", "ReduceMean", {1, 21, 5, 6}, {2, 3}, false),
    reduce("ReduceMean of [N, L, C] over L", "ReduceMean", {2, 13, 17}, {1}, true),
    reduce("ReduceMean of NDHWC over D, H, W", "ReduceMean", {1, 3, 4, 5, 16}, {1, 2, 3}, false),
    reduce_conv("ReduceMean of a convolution output seen as NHWC", "ReduceMean", {1, 2}, true),
    reduce_conv("ReduceMax of a convolution output seen as NHWC, dropping", "ReduceMax", {2, 1},
                false),
    reduce("ReduceSum over the last axis", "ReduceSum", {4, 6, 33}, {-1}, true),
    reduce("ReduceMin over the last two axes", "ReduceMin", {3, 5, 6, 7}, {2, 3}, false),
    reduce("ReduceSum of NCHW over C", "ReduceSum", {2, 5, 9, 7}, {1}, true),
    reduce("ReduceMax of NCHW over N and W", "ReduceMax", {2, 3, 4, 5}, {0, -1}, false),
    reduce("ReduceProd of NHWC over H", "ReduceProd", {1, 6, 4, 3}, {1}, false),
};

bool is_fast(const std::string& implementation) {
    return !implementation.empty() && implementation.rfind("ref", 0) != 0 &&
           implementation.rfind("simple", 0) != 0;
}

}  // namespace

TEST_CASE("CPU fast paths for converted TensorFlow graphs match REF and use no reference kernel") {
    for (const FastCase& test : k_cases) {
        const std::string name = test.name;
        CAPTURE(name);
        GraphBuilder g;
        test.build(g);
        const auto model = g.finish();
        const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 7)}, 1e-4,
                                                 {.profile = true});
        const std::string implementation = implementation_of(cpu[0].profile, "op");
        CAPTURE(implementation);
        CHECK(is_fast(implementation));
    }
}
