// Post-op fusion: the chains IRs use after a convolution are computed by its primitive (the
// profile says "fused into"), and the results still match the reference kernels.
#include "tests/support/device_testing.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

using namespace es;
using namespace es::testing;

namespace {

const graph::Attributes k_same_3x3 = {
    {"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};

graph::Output conv(GraphBuilder& g, graph::Output src, int64_t in, int64_t out,
                   const std::string& name) {
    return g.op("Convolution", {src, g.constant({out, in, 3, 3}, -0.3f, 0.3f)}, k_same_3x3, name);
}

graph::Output bias(GraphBuilder& g, graph::Output src, int64_t channels) {
    return g.op("Add", {src, g.constant({1, channels, 1, 1})}, {}, "bias");
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names)
        text += (text.empty() ? "" : ",") + name;
    return text;
}

std::string sorted_names(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return joined(names);
}

struct FusionCase {
    const char* name;
    // Builds the graph around a convolution named "conv" whose input has 5 channels and output
    // 8; returns the names that must be fused into it.
    std::function<std::vector<std::string>(GraphBuilder&, graph::Output conv_output)> build;
};

// conv -> bias -> activation (an op on one input, or with a constant second input)
FusionCase activation(const char* name, const std::string& type, graph::Attributes attributes,
                      std::vector<Shape> constant_shapes = {},
                      const std::string& version = "opset1") {
    return {name, [=](GraphBuilder& g, graph::Output x) {
                std::vector<graph::Output> inputs{bias(g, x, 8)};
                for (const Shape& shape : constant_shapes)
                    inputs.push_back(g.constant(shape, 0.1f, 0.9f));
                g.output(g.op(type, inputs, attributes, "act", version));
                return std::vector<std::string>{"bias", "act"};
            }};
}

const std::vector<FusionCase> k_cases = {
    activation("ReLU", "ReLU", {}),
    activation("PReLU scalar", "PReLU", {}, {{1}}),
    activation("ReLU6 (Clamp 0..6)", "Clamp", {{"min", "0"}, {"max", "6"}}),
    activation("Clamp -0.5..0.25", "Clamp", {{"min", "-0.5"}, {"max", "0.25"}}),
    activation("Elu", "Elu", {{"alpha", "0.7"}}),
    activation("Sigmoid", "Sigmoid", {}),
    activation("Tanh", "Tanh", {}),
    activation("Swish", "Swish", {}, {}, "opset4"),
    activation("Swish with beta", "Swish", {}, {{}}, "opset4"),
    activation("HSwish", "HSwish", {}, {}, "opset4"),
    activation("HSigmoid", "HSigmoid", {}, {}, "opset5"),
    activation("Maximum with a scalar", "Maximum", {}, {{1}}),
    {"FakeQuantize after ReLU",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({}, {value}));
         };
         const auto y = g.op("ReLU", {bias(g, x, 8)}, {}, "relu");
         g.output(g.op("FakeQuantize", {y, scalar(0), scalar(2.5f), scalar(0), scalar(2.5f)},
                       {{"levels", "256"}}, "fq"));
         return std::vector<std::string>{"bias", "relu", "fq"};
     }},
    {"x * HardSigmoid(x) as ONNX exports it becomes one HSwish",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({}, {value}));
         };
         const auto y = bias(g, x, 8);
         auto h = g.op("Multiply", {y, scalar(1.0f / 6.0f)});
         h = g.op("Clamp", {g.op("Add", {h, scalar(0.5f)})}, {{"min", "0"}, {"max", "1"}});
         g.output(g.op("Multiply", {y, h}, {}, "hswish"));
         return std::vector<std::string>{"bias", "hswish"};
     }},
    {"x * clamp(x + 3, 0, 6) / 6 becomes one HSwish",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({1}, {value}));
         };
         const auto y = bias(g, x, 8);
         auto h = g.op("Clamp", {g.op("Add", {scalar(3.0f), y})}, {{"min", "0"}, {"max", "6"}});
         h = g.op("Multiply", {h, scalar(1.0f / 6.0f)});
         g.output(g.op("Multiply", {h, y}, {}, "hswish"));
         return std::vector<std::string>{"bias", "hswish"};
     }},
    {"(x / 6) * ReLU6(x + 3) as TensorFlow writes it becomes one HSwish",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({}, {value}));
         };
         const auto y = bias(g, x, 8);
         const auto relu6 =
             g.op("Clamp", {g.op("Add", {y, scalar(3.0f)})}, {{"min", "0"}, {"max", "6"}});
         const auto sixth = g.op("Multiply", {scalar(1.0f / 6.0f), y});
         g.output(g.op("Multiply", {sixth, relu6}, {}, "hswish"));
         return std::vector<std::string>{"bias", "hswish"};
     }},
    {"(x * 1/6 rounded to f16) * ReLU6(x + 3) becomes HSwish and a scale",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({}, {value}));
         };
         const auto y = bias(g, x, 8);
         const auto relu6 =
             g.op("Clamp", {g.op("Add", {y, scalar(3.0f)})}, {{"min", "0"}, {"max", "6"}});
         const auto sixth = g.op("Multiply", {y, scalar(0.1666259765625f)});
         g.output(g.op("Multiply", {relu6, sixth}, {}, "hswish"));
         return std::vector<std::string>{"bias", "hswish", "hswish/HSwish"};
     }},
    {"(x * ONNX Clip(x + 3, 0, 6)) / 6 becomes one HSwish",
     [](GraphBuilder& g, graph::Output x) {
         const auto scalar = [&](float value) {
             return g.constant(make_tensor<float>({}, {value}));
         };
         const auto y = bias(g, x, 8);
         auto h = g.op("Maximum", {g.op("Add", {y, scalar(3.0f)}), scalar(0)});
         h = g.op("Multiply", {y, g.op("Minimum", {h, scalar(6)})});
         g.output(g.op("Divide", {h, scalar(6)}, {}, "hswish"));
         return std::vector<std::string>{"bias", "hswish"};
     }},
    {"ReLU6 as Maximum then Minimum (ONNX Clip)",
     [](GraphBuilder& g, graph::Output x) {
         const auto low =
             g.op("Maximum", {bias(g, x, 8), g.constant(make_tensor<float>({}, {0}))}, {}, "max");
         g.output(g.op("Minimum", {low, g.constant(make_tensor<float>({}, {6}))}, {}, "min"));
         return std::vector<std::string>{"bias", "max", "min"};
     }},
    {"per-channel scale and shift folded, then per-channel ops after the activation",
     [](GraphBuilder& g, graph::Output x) {
         auto y = g.op("Multiply", {x, g.constant({1, 8, 1, 1})}, {}, "scale");
         y = g.op("Add", {y, g.constant({8, 1, 1})}, {}, "shift");
         y = g.op("ReLU", {y}, {}, "relu");
         y = g.op("Multiply", {y, g.constant({1, 8, 1, 1})}, {}, "mul");
         y = g.op("Subtract", {y, g.constant({1, 8, 1, 1})}, {}, "sub");
         y = g.op("Add", {y, g.constant({1, 1, 1, 1})}, {}, "add");
         g.output(y);
         return std::vector<std::string>{"scale", "shift", "relu", "mul", "sub", "add"};
     }},
};

}  // namespace

TEST_CASE("convolution post-op chains are fused and match the reference kernels") {
    for (const FusionCase& test : k_cases) {
        const std::string name = test.name;
        CAPTURE(name);
        GraphBuilder g;
        const auto x = g.input(PartialShape{1, 5, 7, 6});
        const auto fused = test.build(g, conv(g, x, 5, 8, "conv"));
        const auto model = g.finish();
        const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 3)}, 1e-4,
                                                 {.profile = true});
        auto expected = fused;
        std::sort(expected.begin(), expected.end());
        CHECK(sorted_names(fused_into(cpu[0].profile, "conv")) == joined(expected));
    }
}

namespace {

// Runs `model` on CPU and REF and returns what the CPU profile says was fused into `into`.
std::string fused_names(const std::shared_ptr<graph::Model>& model, const std::string& into) {
    const auto cpu =
        check_against_reference("CPU", model, {random_inputs(*model, 5)}, 1e-4, {.profile = true});
    return sorted_names(fused_into(cpu[0].profile, into));
}

}  // namespace

// oneDNN 2.6 has only reference convolutions with a per-channel PReLU post-op: the PReLU runs as
// its own primitive.
TEST_CASE("per-channel PReLU after a convolution stays a separate primitive") {
    for (const Shape& slope : {Shape{8}, Shape{8, 1, 1}}) {
        GraphBuilder g;
        const auto y = bias(g, conv(g, g.input(PartialShape{1, 5, 7, 6}), 5, 8, "conv"), 8);
        g.output(g.op("PReLU", {y, g.constant(slope, 0.1f, 0.9f)}, {}, "prelu"));
        CHECK(fused_names(g.finish(), "conv") == "bias");
    }
}

// Keras' Conv2D, MaxPooling2D, Activation: the activation is a post-op of the pooling.
TEST_CASE("activations after a pooling are fused into it") {
    const graph::Attributes window = {{"kernel", "2,2"},          {"strides", "2,2"},
                                      {"pads_begin", "0,0"},      {"pads_end", "0,0"},
                                      {"rounding_type", "floor"}, {"exclude-pad", "true"}};
    for (const std::string type : {"MaxPool", "AvgPool"}) {
        CAPTURE(type);
        GraphBuilder g;
        const auto y = bias(g, conv(g, g.input(PartialShape{1, 5, 9, 8}), 5, 8, "conv"), 8);
        const auto pooled = g.op(type, {y}, window, "pool");
        g.output(g.op("Clamp", {g.op("ReLU", {pooled}, {}, "relu")}, {{"min", "0"}, {"max", "0.5"}},
                      "clamp"));
        CHECK(fused_names(g.finish(), "pool") == "clamp,relu");
    }
}

// A BatchNorm and a clamp after a pooling of a blocked layout: per-channel binary and eltwise
// post-ops of the pooling where oneDNN's kernel for the ISA takes them (run under each ISA cap:
// oneDNN 2.7's SSE4.1 pooling crashes while it is generated with post-ops).
TEST_CASE("post-op chains after a pooling of a convolution output match the reference") {
    for (const int64_t channels : {8, 24, 48}) {
        CAPTURE(channels);
        GraphBuilder g;
        const auto y = conv(g, g.input(PartialShape{1, 5, 10, 9}), 5, channels, "conv");
        const auto pooled = g.op("MaxPool", {y},
                                 {{"kernel", "3,3"},
                                  {"strides", "2,2"},
                                  {"pads_begin", "1,1"},
                                  {"pads_end", "1,1"},
                                  {"rounding_type", "floor"}},
                                 "pool");
        const auto scaled =
            g.op("Multiply", {pooled, g.constant({1, channels, 1, 1}, 0.5f, 1.5f)}, {}, "scale");
        const auto shifted = g.op("Add", {scaled, g.constant({1, channels, 1, 1})}, {}, "shift");
        g.output(g.op("Clamp", {shifted}, {{"min", "0"}, {"max", "6"}}, "clamp"));
        const auto model = g.finish();
        const std::string fused = fused_names(model, "pool");
        CAPTURE(fused);
    }
}

// A first layer on an NHWC image whose output (a megabyte or more) only a pooling with
// windows that do not overlap along H reads: one step computes both, band by band.
TEST_CASE("a large convolution output read by a pooling alone is computed in bands") {
    struct Banded {
        const char* type;
        int64_t height;  // of the image: 69 leaves a last band shorter than the others
        std::string kernel;
        std::string conv_pads;  // along H and W
        std::string conv_strides = "1,1";
        int64_t channels = 16;
    };
    for (const Banded& test :
         {Banded{"MaxPool", 66, "2,2", "0,0"}, Banded{"MaxPool", 69, "2,2", "0,1"},
          Banded{"AvgPool", 71, "3,3", "0,1"}, Banded{"MaxPool", 70, "2,3", "0,0"},
          Banded{"MaxPool", 133, "2,2", "0,1", "2,2", 32}}) {
        CAPTURE(test.type);
        CAPTURE(test.height);
        GraphBuilder g;
        const auto image = g.input(PartialShape{1, test.height, 258, 3});
        const auto x =
            g.op("Transpose", {image, g.constant(make_tensor<int64_t>({4}, {0, 3, 1, 2}))});
        const graph::Attributes conv_window = {{"strides", test.conv_strides},
                                               {"pads_begin", test.conv_pads},
                                               {"pads_end", test.conv_pads},
                                               {"dilations", "1,1"}};
        const auto y = g.op("Convolution", {x, g.constant({test.channels, 3, 3, 3}, -0.3f, 0.3f)},
                            conv_window, "conv");
        const std::string strides = test.kernel.substr(0, 1) + "," + test.kernel.substr(0, 1);
        const auto pooled = g.op(test.type, {bias(g, y, test.channels)},
                                 {{"kernel", test.kernel},
                                  {"strides", strides},
                                  {"pads_begin", "0,0"},
                                  {"pads_end", "0,0"},
                                  {"rounding_type", "floor"},
                                  {"exclude-pad", "true"}},
                                 "pool");
        g.output(g.op("ReLU", {pooled}, {}, "relu"));
        const auto model = g.finish();
        const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 9)}, 1e-4,
                                                 {.profile = true});
        CHECK(sorted_names(fused_into(cpu[0].profile, "conv")) == "bias,pool");
        CHECK(sorted_names(fused_into(cpu[0].profile, "pool")) == "relu");
        CHECK(implementation_of(cpu[0].profile, "conv").find("in bands") != std::string::npos);
    }
}

TEST_CASE("a residual Add becomes an in-place sum when nothing reads its other input later") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{1, 8, 6, 6});
    const auto skip = conv(g, x, 8, 8, "skip");
    auto y = g.op("ReLU", {bias(g, conv(g, x, 8, 8, "conv"), 8)}, {}, "relu");
    y = g.op("Add", {y, skip}, {}, "residual");
    g.output(g.op("ReLU", {y}, {}, "out"));
    CHECK(fused_names(g.finish(), "conv") == "bias,out,relu,residual");
}

TEST_CASE("residual block: the Add fuses into the branch's last convolution") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{1, 8, 9, 7});
    const auto r = g.op("ReLU", {conv(g, x, 8, 8, "conv0")}, {}, "relu0");
    const auto branch = g.op("ReLU", {conv(g, r, 8, 8, "conv1")}, {}, "relu1");
    g.output(g.op("Add", {conv(g, branch, 8, 8, "conv2"), r}, {}, "residual"));
    const auto model = g.finish();
    CHECK(fused_names(model, "conv0") == "relu0");
    CHECK(fused_names(model, "conv1") == "relu1");
    CHECK(fused_names(model, "conv2") == "residual");
}

TEST_CASE("no fusion through a model output or an intermediate with several readers") {
    {
        GraphBuilder g;
        const auto y = bias(g, conv(g, g.input(PartialShape{1, 5, 6, 6}), 5, 8, "conv"), 8);
        g.output(y);
        g.output(g.op("ReLU", {y}, {}, "relu"));
        CHECK(fused_names(g.finish(), "conv") == "bias");
    }
    {
        GraphBuilder g;
        const auto y = conv(g, g.input(PartialShape{1, 5, 6, 6}), 5, 8, "conv");
        g.output(g.op("ReLU", {y}, {}, "relu"));
        g.output(g.op("Sigmoid", {y}, {}, "sigmoid"));
        CHECK(fused_names(g.finish(), "conv").empty());
    }
}

// Xception's blocks (Keras' mini-Xception of emotion models): a strided 1x1 convolution of the
// block's input added to the MaxPool that ends the block. The convolution runs first, so the
// pooling reads its output as the operand of a binary post-op; so do other binary ops, and a
// tensor read again later.
TEST_CASE("a binary op of a MaxPool and a tensor computed before it is a post-op of the pooling") {
    for (const std::string type : {"Add", "Multiply", "Subtract", "Maximum", "Minimum"}) {
        for (const bool read_later : {false, true}) {
            CAPTURE(type);
            CAPTURE(read_later);
            GraphBuilder g;
            const auto x = g.input(PartialShape{1, 8, 10, 10});
            const auto skip = g.op("Convolution", {x, g.constant({16, 8, 1, 1}, -0.3f, 0.3f)},
                                   {{"strides", "2,2"},
                                    {"pads_begin", "0,0"},
                                    {"pads_end", "0,0"},
                                    {"dilations", "1,1"}},
                                   "skip");
            const auto pooled = g.op("MaxPool", {conv(g, x, 8, 16, "conv")},
                                     {{"kernel", "3,3"},
                                      {"strides", "2,2"},
                                      {"pads_begin", "1,1"},
                                      {"pads_end", "0,0"},
                                      {"rounding_type", "floor"}},
                                     "pool");
            const auto y = g.op("ReLU", {g.op(type, {pooled, skip}, {}, "residual")}, {}, "relu");
            g.output(read_later ? g.op("Multiply", {y, g.op("Sigmoid", {skip}, {}, "later")}) : y);
            CHECK(fused_names(g.finish(), "pool") == "relu,residual");
        }
    }
}

TEST_CASE("deconvolution fuses its bias, its activation runs on its own") {
    GraphBuilder g;
    const graph::Attributes attributes = {
        {"strides", "2,2"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"output_padding", "1,1"}};
    const auto y =
        g.op("ConvolutionBackpropData",
             {g.input(PartialShape{1, 6, 5, 4}), g.constant({6, 4, 3, 3})}, attributes, "deconv");
    g.output(g.op("Elu", {bias(g, y, 4)}, {{"alpha", "1"}}, "elu"));
    CHECK(fused_names(g.finish(), "deconv") == "bias");
}

TEST_CASE("a stride = kernel deconvolution runs as a 1x1 convolution with its chain fused") {
    GraphBuilder g;
    const graph::Attributes attributes = {
        {"strides", "2,2"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}};
    auto y =
        g.op("ConvolutionBackpropData",
             {g.input(PartialShape{1, 16, 5, 4}), g.constant({16, 8, 2, 2})}, attributes, "deconv");
    y = g.op("Multiply", {y, g.constant({1, 8, 1, 1})}, {}, "scale");
    y = g.op("Add", {y, g.constant({1, 8, 1, 1})}, {}, "shift");
    g.output(g.op("ReLU", {y}, {}, "relu"));
    const auto model = g.finish();
    const auto cpu =
        check_against_reference("CPU", model, {random_inputs(*model, 5)}, 1e-4, {.profile = true});
    CHECK(sorted_names(fused_into(cpu[0].profile, "deconv")) == "relu,scale,shift");
    const bool shuffled =
        std::any_of(cpu[0].profile.begin(), cpu[0].profile.end(),
                    [](const auto& layer) { return layer.type == "PixelShuffle"; });
    CHECK(shuffled);
}

// oneDNN 2.6 gives every eltwise post-op of one algorithm the constants of the first one; the
// inputs span [-20, 20] so that every clip bites.
TEST_CASE("post-op chains repeating an activation with other constants match the reference") {
    using Chain = std::vector<std::pair<std::string, float>>;
    const std::vector<Chain> chains = {
        {{"Maximum", 0}, {"Minimum", 6}},
        {{"Minimum", 6}, {"Maximum", 0}},
        {{"Maximum", -1}, {"Maximum", 2}},
        {{"Multiply", 2}, {"Add", 5}},
        {{"Multiply", 2}, {"Multiply", 3}},
        {{"Maximum", 0}, {"Multiply", 0.5f}, {"Add", 1}},
        {{"Multiply", 0.5f}, {"Maximum", 1}, {"Minimum", 4}},
        {{"Maximum", 0}, {"Minimum", 6}, {"Multiply", 2}, {"Maximum", 3}},
    };
    for (const bool convolution : {false, true}) {
        for (const Chain& chain : chains) {
            GraphBuilder g;
            const auto scalar = [&](float value) {
                return g.constant(make_tensor<float>({}, {value}));
            };
            const auto x = g.op("Multiply", {g.input(PartialShape{1, 16, 9, 7}), scalar(20)});
            graph::Output y =
                convolution ? conv(g, x, 16, 8, "head") : g.op("Add", {x, scalar(1)}, {}, "head");
            std::string description = convolution ? "Convolution" : "Add";
            for (const auto& [type, value] : chain) {
                y = g.op(type, {y, scalar(value)});
                description += fmt::format(" -> {} {}", type, value);
            }
            g.output(y);
            CAPTURE(description);
            const auto model = g.finish();
            check_against_reference("CPU", model, {random_inputs(*model, 5)});
        }
    }
}

// Chains that repeat Clamp, ReLU and scaling (as two FakeQuantize emulations in a row do): each
// op is fused, in another form where its algorithm is taken with other constants.
TEST_CASE("post-op chains repeating clamps and scales with other bounds all fuse and match") {
    struct Op {
        const char* type;
        float a;
        float b;
    };
    const std::vector<std::vector<Op>> chains = {
        {{"Clamp", -1, 8}, {"Multiply", 0.5f, 0}, {"Clamp", 1, 2}},
        {{"Clamp", -1, 8},
         {"Multiply", 0.5f, 0},
         {"Clamp", 1, 2},
         {"Multiply", 3, 0},
         {"Clamp", 4, 5}},
        {{"ReLU", 0, 0}, {"Clamp", -2, 6}},
        {{"Clamp", 0, 9}, {"Multiply", 0.25f, 0}, {"ReLU", 0, 0}, {"Multiply", 4, 0}},
    };
    for (const auto& chain : chains) {
        GraphBuilder g;
        const auto scalar = [&](float value) {
            return g.constant(make_tensor<float>({}, {value}));
        };
        const auto x = g.op("Multiply", {g.input(PartialShape{1, 16, 9, 7}), scalar(20)});
        graph::Output y = bias(g, conv(g, x, 16, 16, "conv"), 16);
        std::vector<std::string> names = {"bias"};
        std::string description = "Convolution";
        for (const Op& op : chain) {
            names.push_back(fmt::format("op{}", names.size()));
            if (std::string_view(op.type) == "Clamp")
                y = g.op("Clamp", {y},
                         {{"min", fmt::format("{}", op.a)}, {"max", fmt::format("{}", op.b)}},
                         names.back());
            else if (std::string_view(op.type) == "ReLU")
                y = g.op("ReLU", {y}, {}, names.back());
            else
                y = g.op(op.type, {y, scalar(op.a)}, {}, names.back());
            description += fmt::format(" -> {} {} {}", op.type, op.a, op.b);
        }
        g.output(y);
        CAPTURE(description);
        CHECK(fused_names(g.finish(), "conv") == sorted_names(names));
    }
}

// Two convolution outputs concatenated, then a per-channel scale and shift (a BatchNorm) fused
// into the Multiply, and pooled. The Concat of blocked values must hand on a layout whose
// consumers compute per-channel operands right: oneDNN 2.6's binary kernel reads a per-channel
// post-op operand of channel c at c mod the block when its source is blocked with the channel
// blocks outermost (Bacd16b, which concat picks by itself).
TEST_CASE("post-op chains after a Concat of blocked convolution outputs match the reference") {
    for (const int64_t channels : {8, 16, 24}) {
        for (const bool pooled : {false, true}) {
            CAPTURE(channels);
            CAPTURE(pooled);
            GraphBuilder g;
            // Three input channels: a first layer, which reads the plain input and writes
            // channel blocks.
            const auto x = g.input(PartialShape{1, 3, 8, 6});
            const auto concat =
                g.op("Concat", {conv(g, x, 3, channels, "conv"), conv(g, x, 3, channels, "other")},
                     {{"axis", "1"}}, "concat");
            auto z = g.op("Multiply", {concat, g.constant({1, 2 * channels, 1, 1})}, {}, "scale");
            z = g.op("Add", {z, g.constant({1, 2 * channels, 1, 1})}, {}, "shift");
            if (pooled)
                z = g.op("MaxPool", {z},
                         {{"kernel", "3,3"},
                          {"strides", "2,2"},
                          {"pads_begin", "1,1"},
                          {"pads_end", "1,1"},
                          {"rounding_type", "floor"},
                          {"auto_pad", "explicit"}});
            g.output(g.op("ReLU", {z}, {}, "relu"));
            const auto model = g.finish();
            const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 7)}, 1e-4,
                                                     {.profile = true});
            CHECK(sorted_names(fused_into(cpu[0].profile, "scale")) ==
                  (pooled ? "shift" : "relu,shift"));
        }
    }
}

// CReLU as IRs write it: a convolution's output and its negation (Negative, or a Multiply by
// -1) concatenated, then a per-channel scale and shift and a ReLU. One convolution with the
// weights [W; -W] computes both halves, with the rest of the chain as its post-ops.
TEST_CASE("a CReLU block runs as one convolution of stacked weights with its chain fused") {
    for (const bool multiply : {false, true}) {
        for (const bool biased : {false, true}) {
            CAPTURE(multiply);
            CAPTURE(biased);
            GraphBuilder g;
            const auto x = g.input(PartialShape{1, 3, 12, 10});
            auto y = conv(g, x, 3, 16, "conv");
            if (biased) y = bias(g, y, 16);
            const auto negation =
                multiply ? g.op("Multiply", {y, g.constant(make_tensor<float>({1}, {-1.0f}))}, {},
                                "negation")
                         : g.op("Negative", {y}, {}, "negation");
            const auto concat = g.op("Concat", {y, negation}, {{"axis", "1"}}, "concat");
            auto z = g.op("Multiply", {concat, g.constant({1, 32, 1, 1})}, {}, "scale");
            z = g.op("Add", {z, g.constant({1, 32, 1, 1})}, {}, "shift");
            g.output(g.op("ReLU", {z}, {}, "relu"));
            const auto model = g.finish();
            const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 11)},
                                                     1e-4, {.profile = true});
            CHECK(sorted_names(fused_into(cpu[0].profile, "conv")) ==
                  (biased ? "bias,relu,scale,shift" : "relu,scale,shift"));
            for (const auto& row : cpu[0].profile) {
                CAPTURE(row.name);
                CHECK(row.type != "Concat");
                CHECK(row.name != "negation");
            }
        }
    }
}
