// Every op family other than convolution on every device against the reference kernels, with
// the attribute cases where oneDNN's semantics differ (the CPU must fall back to the reference
// there).
#include "tests/support/device_testing.h"

#include <functional>
#include <optional>

using namespace es;
using namespace es::testing;

namespace {

struct OpCase {
    const char* name;
    std::function<void(GraphBuilder&)> build;  // names the op under test "op"
    bool onednn = true;  // whether a fast oneDNN kernel (not a reference one) computes it
};

using Attrs = graph::Attributes;

Tensor ints(std::vector<int64_t> values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return tensor;
}

Tensor floats(std::vector<float> values) {
    Tensor tensor(ElementType::f32, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<float>());
    return tensor;
}

// One op on one input of `shape`.
OpCase unary(const char* name, const std::string& type, Shape shape, Attrs attributes = {},
             const std::string& version = "opset1", bool onednn = true) {
    return {name,
            [=](GraphBuilder& g) {
                g.output(g.op(type, {g.input(PartialShape(shape))}, attributes, "op", version));
            },
            onednn};
}

// One op on two inputs: Parameters, or a constant for a shape marked `constant_b`.
OpCase binary(const char* name, const std::string& type, Shape a, Shape b, bool constant_b,
              bool onednn = true, Attrs attributes = {}) {
    return {name,
            [=](GraphBuilder& g) {
                const auto x = g.input(PartialShape(a));
                const auto y = constant_b ? g.constant(b) : g.input(PartialShape(b));
                g.output(g.op(type, {x, y}, attributes, "op"));
            },
            onednn};
}

Attrs pool(const std::string& kernel, const std::string& strides, const std::string& pads_begin,
           const std::string& pads_end, const std::string& rounding = "floor",
           const std::string& auto_pad = "explicit") {
    return {{"kernel", kernel},     {"strides", strides},        {"pads_begin", pads_begin},
            {"pads_end", pads_end}, {"rounding_type", rounding}, {"auto_pad", auto_pad}};
}

Attrs with(Attrs attributes, const std::string& key, const std::string& value) {
    attributes.set(key, value);
    return attributes;
}

OpCase reduce(const char* name, const std::string& type, Shape shape, std::vector<int64_t> axes,
              bool keep_dims) {
    return {name, [=](GraphBuilder& g) {
                g.output(g.op(type, {g.input(PartialShape(shape)), g.constant(ints(axes))},
                              {{"keep_dims", keep_dims ? "true" : "false"}}, "op"));
            }};
}

OpCase matmul(const char* name, Shape a, Shape b, bool transpose_a, bool transpose_b,
              bool constant_b) {
    return {name, [=](GraphBuilder& g) {
                const auto y = constant_b ? g.constant(b) : g.input(PartialShape(b));
                g.output(g.op("MatMul", {g.input(PartialShape(a)), y},
                              {{"transpose_a", transpose_a ? "true" : "false"},
                               {"transpose_b", transpose_b ? "true" : "false"}},
                              "op"));
            }};
}

Attrs resize(const std::string& mode, const std::string& shape_mode, const std::string& transform,
             const std::string& nearest_mode = "round_prefer_floor") {
    return {{"mode", mode},
            {"shape_calculation_mode", shape_mode},
            {"coordinate_transformation_mode", transform},
            {"nearest_mode", nearest_mode},
            {"antialias", "false"},
            {"pads_begin", "0,0,0,0"},
            {"pads_end", "0,0,0,0"}};
}

// Interpolate-4 of a [1,3,5,6] input to H×W (sizes mode), or by scales.
OpCase interpolate(const char* name, Attrs attributes, std::vector<int64_t> sizes,
                   std::vector<float> scales, bool onednn) {
    return {name,
            [=](GraphBuilder& g) {
                g.output(g.op("Interpolate",
                              {g.input(PartialShape{1, 3, 5, 6}), g.constant(ints(sizes)),
                               g.constant(floats(scales)), g.constant(ints({2, 3}))},
                              attributes, "op", "opset4"));
            },
            onednn};
}

// Pad of a `shape` input (or of a 16- or 20-channel convolution output, in the layout oneDNN picks,
// when `after_conv`) by constant pads, in `mode`, with `value` where given.
OpCase pad(const char* name, Shape shape, std::vector<int64_t> begin, std::vector<int64_t> end,
           const std::string& mode, std::optional<float> value = std::nullopt,
           const std::string& version = "opset1", bool after_conv = false, bool onednn = true) {
    return {
        name,
        [=](GraphBuilder& g) {
            graph::Output x = g.input(PartialShape(shape));
            if (after_conv)
                x = g.op("Convolution", {x, g.constant({shape[1] > 5 ? 20 : 16, shape[1], 3, 3})},
                         {{"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}});
            std::vector<graph::Output> inputs = {x, g.constant(ints(begin)), g.constant(ints(end))};
            if (value) inputs.push_back(g.constant(make_tensor<float>({}, {*value})));
            g.output(g.op("Pad", inputs, {{"pad_mode", mode}}, "op", version));
        },
        onednn};
}

// NormalizeL2 of one input of `shape` over `axes`.
OpCase normalize_l2(const char* name, Shape shape, std::vector<int64_t> axes,
                    const std::string& eps, const std::string& eps_mode, bool fast = true) {
    return {name,
            [=](GraphBuilder& g) {
                g.output(g.op("NormalizeL2", {g.input(PartialShape(shape)), g.constant(ints(axes))},
                              {{"eps", eps}, {"eps_mode", eps_mode}}, "op"));
            },
            fast};
}

const Shape k_image{1, 5, 9, 7};

const std::vector<OpCase> k_cases = {
    // NormalizeL2 on the device's own kernel over adjacent axes, on the reference otherwise.
    normalize_l2("NormalizeL2 over the channels", k_image, {1}, "1e-9", "add"),
    normalize_l2("NormalizeL2 over C, H, W with eps max", {2, 3, 4, 5}, {-1, 1, 2}, "0.5", "max"),
    normalize_l2("NormalizeL2 over the last axis", {3, 17}, {1}, "1e-6", "add"),
    normalize_l2("NormalizeL2 over C and W (not adjacent)", k_image, {1, 3}, "1e-9", "add", false),
    // pooling
    unary("MaxPool 3x3 stride 2 pad 1", "MaxPool", k_image, pool("3,3", "2,2", "1,1", "1,1")),
    unary("MaxPool ceil rounding", "MaxPool", {1, 3, 8, 8}, pool("3,3", "2,2", "0,0", "0,0", "ceil")),
    unary("MaxPool same_upper", "MaxPool", k_image,
          pool("2,2", "2,2", "0,0", "0,0", "floor", "same_upper")),
    // oneDNN 2.6 pools with dilations only in its reference implementation.
    unary("MaxPool-8 dilation 2, indices unused", "MaxPool", k_image,
          with(pool("2,2", "1,1", "1,0", "0,1"), "dilations", "2,2"), "opset8", false),
    {"MaxPool-8 with its indices used",
     [](GraphBuilder& g) {
         const auto y = g.op("MaxPool", {g.input(PartialShape(k_image))},
                             pool("2,2", "2,2", "0,0", "0,0"), "op", "opset8");
         g.output(y);
         g.output({y.node, 1});
     },
     false},
    unary("MaxPool 1-D", "MaxPool", {1, 4, 11}, pool("3", "2", "1", "1")),
    unary("MaxPool 3-D", "MaxPool", {1, 2, 5, 6, 7}, pool("2,2,2", "2,2,2", "0,0,0", "1,1,1")),
    unary("AvgPool exclude-pad", "AvgPool", k_image,
          with(pool("3,3", "2,2", "1,1", "1,1"), "exclude-pad", "true")),
    unary("AvgPool include pad", "AvgPool", k_image,
          with(pool("3,3", "2,2", "1,1", "1,1"), "exclude-pad", "false")),
    unary("AvgPool asymmetric pads", "AvgPool", k_image,
          with(pool("3,2", "1,2", "0,1", "2,0"), "exclude-pad", "false")),
    unary("AvgPool ceil without pads divides by the taps inside", "AvgPool", {1, 3, 8, 8},
          with(pool("3,3", "2,2", "0,0", "0,0", "ceil"), "exclude-pad", "false")),
    unary("AvgPool ceil with pads divides by the kernel", "AvgPool", {1, 3, 8, 8},
          with(pool("3,3", "2,2", "1,1", "1,1", "ceil"), "exclude-pad", "false")),
    unary("AvgPool same_lower", "AvgPool", k_image,
          with(pool("2,2", "2,2", "0,0", "0,0", "floor", "same_lower"), "exclude-pad", "false")),
    // reductions
    reduce("ReduceMean over H, W keeping dims (global pooling)", "ReduceMean", k_image, {2, 3},
           true),
    reduce("ReduceMean over H, W dropping them", "ReduceMean", k_image, {-1, -2}, false),
    reduce("ReduceMax over H, W", "ReduceMax", k_image, {2, 3}, true),
    reduce("ReduceSum over C", "ReduceSum", k_image, {1}, true),
    reduce("ReduceMean over C dropping it", "ReduceMean", k_image, {1}, false),
    reduce("ReduceMin over N and W", "ReduceMin", {2, 3, 4, 5}, {0, 3}, false),
    reduce("ReduceProd over the last axis", "ReduceProd", {3, 7}, {1}, true),
    // matmul
    matmul("MatMul 3x5 by 5x7", {3, 5}, {5, 7}, false, false, false),
    matmul("MatMul constant weights transposed (fully connected)", {2, 17}, {9, 17}, false, true,
           true),
    matmul("MatMul transposed A", {5, 3}, {5, 4}, true, false, false),
    matmul("MatMul batched", {2, 3, 4}, {2, 4, 5}, false, false, false),
    matmul("MatMul batch broadcast", {2, 1, 3, 4}, {1, 3, 4, 6}, false, false, false),
    matmul("MatMul 3-D by constant 2-D", {2, 3, 8}, {8, 5}, false, false, true),
    // eltwise
    unary("ReLU", "ReLU", k_image),
    unary("Clamp", "Clamp", k_image, {{"min", "-0.5"}, {"max", "1.5"}}),
    unary("Elu", "Elu", k_image, {{"alpha", "0.3"}}),
    unary("Sigmoid", "Sigmoid", k_image),
    unary("Tanh", "Tanh", k_image),
    unary("Swish", "Swish", k_image, {}, "opset4"),
    unary("HSwish", "HSwish", k_image, {}, "opset4"),
    unary("HSigmoid", "HSigmoid", k_image, {}, "opset5"),
    unary("Exp", "Exp", k_image),
    unary("Log (NaN below zero)", "Log", k_image),
    unary("Sqrt (NaN below zero)", "Sqrt", k_image),
    unary("Abs", "Abs", k_image),
    unary("Negative", "Negative", k_image),
    unary("Mish", "Mish", k_image, {}, "opset4"),
    unary("SoftPlus", "SoftPlus", k_image, {}, "opset4"),
    unary("Gelu-2 (erf)", "Gelu", k_image, {}, "opset2"),
    unary("Gelu-7 tanh", "Gelu", k_image, {{"approximation_mode", "tanh"}}, "opset7"),
    {"FakeQuantize with scalar ranges",
     [](GraphBuilder& g) {
         const auto scalar = [&](float value) { return g.constant(make_tensor<float>({1, 1, 1, 1}, {value})); };
         g.output(g.op("FakeQuantize",
                       {g.input(PartialShape(k_image)), scalar(-1.2f), scalar(1.5f), scalar(-1.0f),
                        scalar(2.0f)},
                       {{"levels", "256"}}, "op"));
     }},
    {"FakeQuantize with per-channel ranges",
     [](GraphBuilder& g) {
         const auto x = g.input(PartialShape(k_image));
         const auto low = g.constant({1, 5, 1, 1}, -1.5f, -0.5f);
         const auto high = g.constant({1, 5, 1, 1}, 0.5f, 1.5f);
         g.output(g.op("FakeQuantize", {x, low, high, low, high}, {{"levels", "255"}}, "op"));
     },
     true},
    unary("Floor has no oneDNN form", "Floor", k_image, {}, "opset1", false),
    {"Swish with a constant beta",
     [](GraphBuilder& g) {
         g.output(g.op("Swish", {g.input(PartialShape(k_image)), g.constant(Shape{}, 0.5f, 1.5f)},
                       {}, "op", "opset4"));
     }},
    // binary
    binary("Add, same shapes", "Add", k_image, k_image, false),
    binary("Add, per-channel constant", "Add", k_image, {1, 5, 1, 1}, true),
    binary("Multiply by [C,1,1]", "Multiply", k_image, {5, 1, 1}, true),
    binary("Multiply, first operand broadcast (swapped)", "Multiply", {1, 5, 1, 1}, k_image,
           false),
    binary("Subtract, first operand broadcast (no oneDNN form)", "Subtract", {1, 5, 1, 1},
           k_image, false, false),
    binary("Subtract a row", "Subtract", {4, 6}, {6}, false),
    binary("Divide", "Divide", k_image, {1, 1, 9, 7}, false),
    binary("Maximum with a scalar", "Maximum", k_image, {}, true),
    binary("Minimum", "Minimum", k_image, k_image, false),
    binary("both operands broadcast (no oneDNN form)", "Add", {2, 1, 4}, {3, 1}, false, false),
    binary("auto_broadcast none", "Add", k_image, k_image, false, true,
           {{"auto_broadcast", "none"}}),
    {"Add then ReLU fused",
     [](GraphBuilder& g) {
         const auto y = g.op("Add", {g.input(PartialShape(k_image)), g.input(PartialShape(k_image))},
                             {}, "op");
         g.output(g.op("ReLU", {y}));
     }},
    binary("PReLU per channel", "PReLU", k_image, {5}, true),
    binary("PReLU [C,1,1]", "PReLU", k_image, {5, 1, 1}, true),
    binary("PReLU scalar", "PReLU", k_image, {1}, true),
    binary("PReLU slope of the full shape", "PReLU", k_image, k_image, false),
    // data movement
    {"Concat of 3, 17 and 5 channels",
     [](GraphBuilder& g) {
         g.output(g.op("Concat",
                       {g.input(PartialShape{1, 3, 6, 5}), g.input(PartialShape{1, 17, 6, 5}),
                        g.input(PartialShape{1, 5, 6, 5})},
                       {{"axis", "1"}}, "op"));
     }},
    {"Concat on the last axis, negative",
     [](GraphBuilder& g) {
         g.output(g.op("Concat", {g.input(PartialShape{2, 3, 4}), g.input(PartialShape{2, 3, 1})},
                       {{"axis", "-1"}}, "op"));
     }},
    {"Concat of convolution outputs (blocked layouts)",
     [](GraphBuilder& g) {
         const Attrs conv = {{"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}};
         const auto x = g.input(PartialShape(k_image));
         const auto a = g.op("Convolution", {x, g.constant({16, 5, 3, 3})}, conv);
         const auto b = g.op("Convolution", {x, g.constant({7, 5, 3, 3})}, conv);
         g.output(g.op("Concat", {a, b}, {{"axis", "1"}}, "op"));
     }},
    unary("SoftMax axis 1", "SoftMax", k_image, {{"axis", "1"}}),
    unary("SoftMax-8 axis -1", "SoftMax", {3, 10}, {{"axis", "-1"}}, "opset8"),
    // A segmentation head's classes per pixel: the device's own step over the plain layout,
    // with a last block shorter than the others.
    unary("SoftMax over a short axis before many positions", "SoftMax", {2, 4, 9, 70},
          {{"axis", "1"}}),
    unary("SoftMax-8 over a short middle axis", "SoftMax", {1, 3, 1100}, {{"axis", "-2"}},
          "opset8"),
    {"SoftMax over a short axis of values far apart (exponentials down to e^-80)",
     [](GraphBuilder& g) {
         const auto x = g.input(PartialShape{1, 6, 8, 16});
         const auto wide = g.op("Multiply", {x, g.constant(make_tensor<float>({}, {40.0f}))});
         g.output(g.op("SoftMax", {wide}, {{"axis", "1"}}, "op"));
     },
     true},
    {"Transpose NCHW to NHWC",
     [](GraphBuilder& g) {
         g.output(g.op("Transpose", {g.input(PartialShape(k_image)), g.constant(ints({0, 2, 3, 1}))},
                       {}, "op"));
     }},
    {"Transpose of a convolution output",
     [](GraphBuilder& g) {
         const auto y = g.op("Convolution", {g.input(PartialShape(k_image)), g.constant({18, 5, 1, 1})},
                             {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}});
         g.output(g.op("Transpose", {y, g.constant(ints({3, 1, 0, 2}))}, {}, "op"));
     }},
    pad("Pad zeros after the channels", {1, 16, 6, 5}, {0, 0, 0, 0}, {0, 8, 0, 0}, "constant"),
    pad("Pad 1.5 around H and W", {2, 3, 5, 7}, {0, 0, 1, 2}, {0, 0, 2, 1}, "constant", 1.5f),
    pad("Pad zeros before and after the channels of a convolution output", {1, 5, 6, 4},
        {0, 16, 0, 0}, {0, 16, 0, 0}, "constant", std::nullopt, "opset1", true),
    pad("Pad -0.5 after the 20 channels of a convolution output", {1, 7, 5, 6}, {0, 0, 0, 0}, {0, 3, 1, 0},
        "constant", -0.5f, "opset1", true),
    pad("Pad of every axis, rank 3", {3, 4, 5}, {1, 2, 3}, {2, 0, 1}, "constant", 2.0f),
    pad("Pad-12 with negative pads (a crop)", {1, 6, 7, 8}, {0, -1, 2, -3}, {0, 2, -2, 1},
        "constant", 0.25f, "opset12"),
    pad("Pad edge of H and W", {1, 3, 5, 7}, {0, 0, 1, 2}, {0, 0, 2, 1}, "edge"),
    pad("Pad reflect of C and H", {2, 4, 6, 9}, {0, 3, 2, 0}, {0, 1, 3, 0}, "reflect"),
    pad("Pad symmetric of H and W", {1, 3, 6, 8}, {0, 0, 2, 3}, {0, 0, 1, 2}, "symmetric"),
    pad("Pad reflect of the channels of a convolution output", {1, 5, 6, 4}, {0, 2, 1, 1},
        {0, 3, 0, 1}, "reflect", std::nullopt, "opset1", true),
    pad("Pad reflect of a 2-wide last axis (runs too short)", {8, 2}, {0, 1}, {0, 1}, "reflect",
        std::nullopt, "opset1", false, false),
    // interpolate
    interpolate("nearest x2, asymmetric floor", resize("nearest", "sizes", "asymmetric", "floor"),
                {10, 12}, {2, 2}, true),
    interpolate("nearest x3 by scales, half_pixel", resize("nearest", "scales", "half_pixel"),
                {15, 18}, {3, 3}, true),
    interpolate("nearest x2, tf_half_pixel_for_nn", resize("nearest", "sizes", "tf_half_pixel_for_nn",
                                                           "floor"),
                {10, 12}, {2, 2}, true),
    interpolate("nearest 1.5x (no oneDNN form)", resize("nearest", "sizes", "asymmetric", "floor"),
                {5, 9}, {1, 1.5f}, false),
    interpolate("nearest x2 half_pixel floor (no oneDNN form)",
                resize("nearest", "sizes", "half_pixel", "floor"), {10, 12}, {2, 2}, false),
    interpolate("linear_onnx x2 half_pixel", resize("linear_onnx", "sizes", "half_pixel"),
                {10, 12}, {2, 2}, true),
    interpolate("linear_onnx 7x4 half_pixel", resize("linear_onnx", "sizes", "half_pixel"),
                {7, 4}, {1.4f, 0.6667f}, true),
    interpolate("linear_onnx align_corners (the device's own kernel)",
                resize("linear_onnx", "sizes", "align_corners"), {10, 12}, {2, 2}, true),
    interpolate("cubic (no oneDNN form)", resize("cubic", "sizes", "half_pixel"), {10, 12}, {2, 2},
                false),
};

}  // namespace

TEST_CASE(
    "every device's ops match the reference kernels, the CPU's falling back where oneDNN differs") {
    for (const std::string& device : devices_under_test())
        for (const OpCase& test : k_cases) {
            const std::string name = test.name;
            CAPTURE(device);
            CAPTURE(name);
            GraphBuilder g;
            test.build(g);
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 42)},
                                                      1e-4, {.profile = true});
            const std::string implementation = implementation_of(runs[0].profile, "op");
            CHECK(!implementation.empty());
            CAPTURE(implementation);
            // Neither the reference kernel ("ref") nor oneDNN's own ("ref:any") where oneDNN has
            // a fast one.
            if (device == "CPU") CHECK((implementation.rfind("ref", 0) != 0) == test.onednn);
        }
}
