// FakeQuantize -> Convolution runs as a oneDNN int8 convolution (the profile names the 8-bit
// source type after the implementation) and matches the reference kernels; patterns it does
// not cover keep the f32 emulation, and so does every pattern on a CPU without VNNI (ctest
// runs these cases again with oneDNN capped at AVX2).
#include "devices/cpu/dnnl_util.h"
#include "tests/support/device_testing.h"

#include <random>

using namespace es;
using namespace es::testing;

namespace {

const graph::Attributes k_same_3x3 = {
    {"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};

graph::Output scalar(GraphBuilder& g, float value) {
    return g.constant(make_tensor<float>({}, {value}));
}

graph::Output fake_quantize(GraphBuilder& g, graph::Output x, float low, float high,
                            int levels = 256, const std::string& name = "fq") {
    return g.op("FakeQuantize",
                {x, scalar(g, low), scalar(g, high), scalar(g, low), scalar(g, high)},
                {{"levels", std::to_string(levels)}}, name);
}

// A FakeQuantize with a range per channel: [low[c], high[c]] in and out.
graph::Output channel_fake_quantize(GraphBuilder& g, graph::Output x, std::vector<float> low,
                                    std::vector<float> high, int levels = 256) {
    const Shape shape{1, static_cast<int64_t>(low.size()), 1, 1};
    const auto constant = [&](const std::vector<float>& values) {
        Tensor tensor(ElementType::f32, shape);
        std::copy(values.begin(), values.end(), tensor.data<float>());
        return g.constant(tensor);
    };
    const auto lows = constant(low);
    const auto highs = constant(high);
    return g.op("FakeQuantize", {x, lows, highs, lows, highs}, {{"levels", std::to_string(levels)}},
                "fq");
}

// `count` values from `first` in steps of `step`.
std::vector<float> ramp(size_t count, float first, float step) {
    std::vector<float> values(count);
    for (size_t i = 0; i < count; ++i)
        values[i] = first + step * static_cast<float>(i);
    return values;
}

// Weights as low precision IRs store them: s8 values (each output channel reaching 127 or
// -128) converted and multiplied by a per-output-channel scale.
graph::Output s8_weights(GraphBuilder& g, const Shape& shape, uint32_t seed) {
    Tensor values(ElementType::i8, shape);
    auto* data = values.data<int8_t>();
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> distribution(-128, 127);
    const size_t channels = static_cast<size_t>(shape[0] * (shape.size() == 5 ? shape[1] : 1));
    const size_t row = values.size() / channels;
    for (size_t i = 0; i < values.size(); ++i)
        data[i] = static_cast<int8_t>(distribution(random));
    for (size_t c = 0; c < channels; ++c)
        data[c * row] = c % 2 == 0 ? 127 : -128;
    Shape scale_shape(shape.size(), 1);
    scale_shape[0] = shape[0];
    if (shape.size() == 5) scale_shape[1] = shape[1];
    const auto converted = g.op("Convert", {g.constant(values)}, {{"destination_type", "f32"}});
    return g.op("Multiply", {converted, g.constant(scale_shape, 0.001f, 0.01f)});
}

struct Int8Case {
    const char* name;
    const char* src_type;  // what the profile names after the implementation
    double tolerance;
    std::function<void(GraphBuilder&)> build;  // a convolution named "conv"
};

graph::Output bias_relu(GraphBuilder& g, graph::Output x, int64_t channels) {
    const auto biased = g.op("Add", {x, g.constant({1, channels, 1, 1})}, {}, "bias");
    return g.op("ReLU", {biased}, {}, "relu");
}

const std::vector<Int8Case> k_cases = {
    {"u8 activations after ReLU, bias and ReLU fused", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto x = g.op("ReLU", {g.input(PartialShape{1, 16, 9, 7})});
         const auto q = fake_quantize(g, x, 0, 2.55f);
         const auto y =
             g.op("Convolution", {q, s8_weights(g, {24, 16, 3, 3}, 1)}, k_same_3x3, "conv");
         g.output(bias_relu(g, y, 24));
     }},
    {"s8 activations (range symmetric around 0), strided", "s8", 1e-4,
     [](GraphBuilder& g) {
         const auto q = fake_quantize(g, g.input(PartialShape{1, 16, 10, 10}), -1.28f, 1.27f);
         const graph::Attributes strided = {
             {"strides", "2,2"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};
         g.output(g.op("Convolution", {q, s8_weights(g, {32, 16, 3, 3}, 2)}, strided, "conv"));
     }},
    // The FakeQuantize after it may round an output the other way than REF: one step of 0.01.
    {"s8 first layer: 3 channels, 7x7 stride 2, FakeQuantize after", "s8", 0.0101 / 2.55,
     [](GraphBuilder& g) {
         const auto q = fake_quantize(g, g.input(PartialShape{1, 3, 64, 64}), -2.56f, 2.54f);
         const graph::Attributes first = {
             {"strides", "2,2"}, {"pads_begin", "3,3"}, {"pads_end", "3,3"}, {"dilations", "1,1"}};
         const auto y = g.op("Convolution", {q, s8_weights(g, {32, 3, 7, 7}, 7)}, first, "conv");
         g.output(fake_quantize(g, bias_relu(g, y, 32), 0, 2.55f, 256, "fq_out"));
     }},
    // A TensorFlow model's NHWC image: the FakeQuantize runs over the transposed input's memory
    // as one row and writes the integers in its layout.
    {"s8 first layer on an NHWC image", "s8", 0.0101 / 2.55,
     [](GraphBuilder& g) {
         const auto image = g.input(PartialShape{1, 40, 36, 3});
         const auto x =
             g.op("Transpose", {image, g.constant(make_tensor<int64_t>({4}, {0, 3, 1, 2}))});
         const auto q = fake_quantize(g, x, -2.56f, 2.54f);
         const graph::Attributes first = {
             {"strides", "2,2"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};
         const auto y = g.op("Convolution", {q, s8_weights(g, {16, 3, 3, 3}, 8)}, first, "conv");
         g.output(fake_quantize(g, bias_relu(g, y, 16), 0, 2.55f, 256, "fq_out"));
     }},
    {"depthwise GroupConvolution", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto x = g.op("ReLU", {g.input(PartialShape{1, 32, 8, 8})});
         const auto q = fake_quantize(g, x, 0, 1.8f);
         const auto y =
             g.op("GroupConvolution", {q, s8_weights(g, {32, 1, 1, 3, 3}, 3)}, k_same_3x3, "conv");
         g.output(bias_relu(g, y, 32));
     }},
    {"Concat and MaxPool keep the quantization grid", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto x = g.input(PartialShape{1, 8, 10, 10});
         const auto a = fake_quantize(g, g.op("ReLU", {x}), 0, 2.55f, 256, "fq_a");
         const auto b =
             fake_quantize(g, g.op("ReLU", {g.op("Negative", {x})}), 0, 2.55f, 256, "fq_b");
         const auto concat = g.op("Concat", {a, b}, {{"axis", "1"}});
         const auto pooled = g.op(
             "MaxPool", {concat},
             {{"kernel", "3,3"}, {"strides", "2,2"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}});
         g.output(
             g.op("Convolution", {pooled, s8_weights(g, {16, 16, 3, 3}, 5)}, k_same_3x3, "conv"));
     }},
    // Padding is a real 0: the zero point in the integers.
    {"u8 activations with a zero point (a range from -1 to 2), padded", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto q = fake_quantize(g, g.input(PartialShape{1, 16, 9, 7}), -1.0f, 2.0f);
         g.output(g.op("Convolution", {q, s8_weights(g, {24, 16, 3, 3}, 11)}, k_same_3x3, "conv"));
     }},
    {"255 levels symmetric around 0", "s8", 1e-4,
     [](GraphBuilder& g) {
         const auto q = fake_quantize(g, g.input(PartialShape{1, 16, 8, 8}), -1.27f, 1.27f, 255);
         g.output(g.op("Convolution", {q, s8_weights(g, {16, 16, 3, 3}, 12)}, k_same_3x3, "conv"));
     }},
    {"255 levels from 0", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto x = g.op("ReLU", {g.input(PartialShape{1, 16, 8, 8})});
         const auto q = fake_quantize(g, x, 0, 2.54f, 255);
         g.output(g.op("Convolution", {q, s8_weights(g, {16, 16, 3, 3}, 13)}, k_same_3x3, "conv"));
     }},
    // Ranges stored in f16 put 0.0 a few hundredths of a step off a level; the bias makes up.
    {"zero 0.02 steps off a level", "s8", 1e-4,
     [](GraphBuilder& g) {
         const auto q = fake_quantize(g, g.input(PartialShape{1, 16, 8, 8}), -1.2802f, 1.2698f);
         const graph::Attributes unpadded = {
             {"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}};
         g.output(g.op("Convolution", {q, s8_weights(g, {16, 16, 3, 3}, 16)}, unpadded, "conv"));
     }},
    // MobileNetV2 as post-training quantization writes it: ReLU6, a range per channel, depthwise.
    {"a range per channel into a depthwise GroupConvolution after Clamp", "u8", 1e-4,
     [](GraphBuilder& g) {
         const auto x =
             g.op("Clamp", {g.input(PartialShape{1, 16, 9, 9})}, {{"min", "0"}, {"max", "6"}});
         const auto q =
             channel_fake_quantize(g, x, std::vector<float>(16, 0.0f), ramp(16, 0.5f, 0.35f));
         g.output(g.op("GroupConvolution", {q, s8_weights(g, {16, 1, 1, 3, 3}, 14)}, k_same_3x3,
                       "conv"));
     }},
    {"a range per channel symmetric around 0 into a depthwise GroupConvolution", "s8", 1e-4,
     [](GraphBuilder& g) {
         const std::vector<float> high = ramp(16, 0.5f, 0.25f);
         std::vector<float> low(16);
         for (size_t c = 0; c < 16; ++c)
             low[c] = -high[c] * 128.0f / 127.0f;
         const auto q = channel_fake_quantize(g, g.input(PartialShape{1, 16, 9, 9}), low, high);
         g.output(g.op("GroupConvolution", {q, s8_weights(g, {16, 1, 1, 3, 3}, 15)}, k_same_3x3,
                       "conv"));
     }},
    // f32 weights off any 8-bit grid lose up to half a step of their channel's scale.
    {"f32 weights are quantized per output channel", "u8", 2e-2,
     [](GraphBuilder& g) {
         const auto x = g.op("ReLU", {g.input(PartialShape{1, 16, 6, 6})});
         const auto q = fake_quantize(g, x, 0, 2.0f);
         g.output(g.op(
             "Convolution", {q, g.constant({16, 16, 1, 1}, -0.5f, 0.5f)},
             {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}},
             "conv"));
     }},
};

size_t steps_of_type(const std::vector<runtime::LayerProfile>& profile, const std::string& type) {
    return static_cast<size_t>(std::count_if(profile.begin(), profile.end(),
                                             [&](const auto& row) { return row.type == type; }));
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

TEST_CASE("FakeQuantize -> Convolution runs as an int8 convolution with VNNI and matches REF") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        for (const Int8Case& test : k_cases) {
            const std::string name = test.name;
            CAPTURE(name);
            GraphBuilder g;
            test.build(g);
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 7)},
                                                      test.tolerance, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const std::string implementation = implementation_of(runs[0].profile, "conv");
            CAPTURE(implementation);
            if (devices::cpu::has_int8_dot_product())
                CHECK(ends_with(implementation, std::string(" ") + test.src_type));
            else
                CHECK(!ends_with(implementation, std::string(" ") + test.src_type));
            CHECK(implementation.rfind("ref", 0) != 0);
        }
    }
}

// The convolution is the sum of one convolution per Concat input, each int8 on its own grid.
TEST_CASE(
    "a convolution of a Concat of values on different grids runs as int8 parts, one per "
    "input") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        GraphBuilder g;
        const auto x = g.op("ReLU", {g.input(PartialShape{1, 8, 6, 6})});
        const auto a = fake_quantize(g, x, 0, 2.55f, 256, "fq_a");
        const auto b = fake_quantize(g, x, 0, 1.0f, 256, "fq_b");
        const auto c = g.op("MaxPool", {fake_quantize(g, x, 0, 4.0f, 256, "fq_c")},
                            {{"kernel", "3,3"},
                             {"strides", "1,1"},
                             {"pads_begin", "1,1"},
                             {"pads_end", "1,1"},
                             {"rounding_type", "floor"},
                             {"auto_pad", "explicit"}});
        const auto concat = g.op("Concat", {a, b, c}, {{"axis", "1"}}, "concat");
        const auto y =
            g.op("Convolution", {concat, s8_weights(g, {8, 24, 3, 3}, 6)}, k_same_3x3, "conv");
        g.output(bias_relu(g, y, 8));
        const auto model = g.finish();
        const auto runs = check_against_reference(device, model, {random_inputs(*model, 2)}, 1e-4,
                                                  {.profile = true});
        if (device != "CPU") continue;  // what follows is the CPU's own form
        const auto& profile = runs[0].profile;
        if (!devices::cpu::has_int8_dot_product()) {
            CHECK(!ends_with(implementation_of(profile, "conv"), " u8"));
            continue;
        }
        CHECK(steps_of_type(profile, "Concat") == 0);
        for (const std::string part : {"conv/part0", "conv/part1", "conv/part2"}) {
            CAPTURE(part);
            CHECK(ends_with(implementation_of(profile, part), " u8"));
        }
        CHECK(fused_into(profile, "conv/part1") == std::vector<std::string>{"conv/sum1"});
        CHECK(fused_into(profile, "conv/part2") ==
              std::vector<std::string>{"conv/sum2", "bias", "relu"});
    }
}

TEST_CASE("FakeQuantize ranges without an 8-bit form keep the f32 convolution") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        struct Range {
            float low;
            float high;
            int levels;
        };
        // Zero between two levels, and more levels than 8 bits hold.
        for (const Range& range : {Range{-0.3f, 1.0f, 256}, Range{0.0f, 2.0f, 1024}}) {
            CAPTURE(range.low);
            CAPTURE(range.levels);
            {
                GraphBuilder g;
                const auto q = fake_quantize(g, g.input(PartialShape{1, 8, 6, 6}), range.low,
                                             range.high, range.levels);
                g.output(
                    g.op("Convolution", {q, s8_weights(g, {8, 8, 3, 3}, 4)}, k_same_3x3, "conv"));
                const auto model = g.finish();
                const auto runs = check_against_reference(device, model, {random_inputs(*model, 9)},
                                                          1e-4, {.profile = true});
                if (device != "CPU") continue;  // what follows is the CPU's own form
                const std::string implementation = implementation_of(runs[0].profile, "conv");
                CAPTURE(implementation);
                CHECK(!ends_with(implementation, " u8"));
                CHECK(!ends_with(implementation, " s8"));
            }
        }
    }
}

namespace {

// conv -> bias, ReLU, FakeQuantize named `name`: a layer of a low precision IR.
graph::Output quantized_layer(GraphBuilder& g, graph::Output x, int64_t in, int64_t out,
                              uint32_t seed, const std::string& name, float low = 0,
                              float high = 2.55f) {
    const auto y =
        g.op("Convolution", {x, s8_weights(g, {out, in, 3, 3}, seed)}, k_same_3x3, name + "_conv");
    const auto biased = g.op("Add", {y, g.constant({1, out, 1, 1})});
    return fake_quantize(g, g.op("ReLU", {biased}), low, high, 256, name);
}

}  // namespace

TEST_CASE(
    "int8 convolutions and binary ops write 8-bit values for MaxPool, Concat and int8 readers") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        struct Chain {
            const char* name;
            float low;  // of the FakeQuantize after each layer: 0 (u8) or -1.28 (s8)
            float high;
        };
        for (const Chain& test : {Chain{"u8", 0, 2.55f}, Chain{"s8", -1.28f, 1.27f}}) {
            const std::string name = test.name;
            CAPTURE(name);
            GraphBuilder g;
            // Input normalization as the Open Model Zoo IRs have it: the Multiply writes s8 too.
            const auto scaled =
                g.op("Multiply", {g.input(PartialShape{2, 8, 12, 10}), scalar(g, 0.5f)});
            const auto x = fake_quantize(g, scaled, -1.28f, 1.27f);
            const auto stem = quantized_layer(g, x, 8, 16, 1, "stem", test.low, test.high);
            const auto pooled = g.op("MaxPool", {stem},
                                     {{"kernel", "3,3"},
                                      {"strides", "2,2"},
                                      {"pads_begin", "1,1"},
                                      {"pads_end", "1,1"}});
            const auto left = quantized_layer(g, pooled, 16, 8, 2, "left", test.low, test.high);
            const auto right = quantized_layer(g, pooled, 16, 24, 3, "right", test.low, test.high);
            const auto concat = g.op("Concat", {left, right}, {{"axis", "1"}});
            g.output(
                g.op("Convolution", {concat, s8_weights(g, {8, 32, 3, 3}, 4)}, k_same_3x3, "conv"));
            const auto model = g.finish();
            // A FakeQuantize rounding an output the other way than REF moves it one step (0.01),
            // which the next layers spread.
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 3)},
                                                      2e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            // No value is quantized by a reorder of its own (nor without VNNI, where all is f32).
            CHECK(steps_of_type(runs[0].profile, "Quantize") == 0);
            CHECK(steps_of_type(runs[0].profile, "Dequantize") == 0);
            if (devices::cpu::has_int8_dot_product()) {
                CHECK(steps_of_type(runs[0].profile, "MaxPool") == 1);
                CHECK(steps_of_type(runs[0].profile, "Concat") == 1);
            }
            for (const auto& row : runs[0].profile) {
                CAPTURE(row.name);
                CHECK(row.implementation.rfind("ref", 0) != 0);
            }
        }
    }
}

TEST_CASE("a residual Add of two quantized branches reads their integers, as a sum with VNNI") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        struct Residual {
            const char* name;
            float low[2];  // the ranges of the Add's inputs
            float high[2];
            bool shortcut;  // the first input is the block's input, read by the convolution too
            bool f32_sum;   // the sum goes to the caller as f32 alone: the branches write f32
        };
        const Residual cases[] = {
            // road-segmentation-adas-0001: s8, zero a millionth of a step off a level.
            {"two branches on s8 grids",
             {-4.295602f, -9.000102f},
             {4.262043f, 8.929789f},
             false,
             false},
            {"two branches on s8 grids summed for the caller",
             {-4.295602f, -9.000102f},
             {4.262043f, 8.929789f},
             false,
             true},
            // person-detection-action-recognition-0005: u8 with zero points 16 and 195.
            {"a shortcut and a branch on u8 grids with zero points",
             {-2.697019f, -61.002304f},
             {40.286720f, 18.769939f},
             true,
             false},
        };
        for (const Residual& test : cases) {
            const std::string name = test.name;
            CAPTURE(name);
            GraphBuilder g;
            const auto input = g.input(PartialShape{1, 16, 10, 10});
            const auto x = fake_quantize(g, input, test.low[0], test.high[0], 256, "block_in");
            const auto branch = [&](graph::Output source, uint32_t seed, float low, float high) {
                const auto y =
                    g.op("Convolution", {source, s8_weights(g, {16, 16, 3, 3}, seed)}, k_same_3x3);
                return fake_quantize(g, g.op("Add", {y, g.constant({1, 16, 1, 1})}), low, high);
            };
            graph::Output left = x;
            graph::Output right = x;
            if (test.shortcut) {  // as models have it: written by a convolution, read by the branch
                left = branch(x, 30, test.low[0], test.high[0]);
                right = branch(left, 34, 0, 2.55f);
            } else {
                left = branch(x, 31, test.low[0], test.high[0]);
            }
            const auto sum =
                g.op("Add", {left, branch(right, 32, test.low[1], test.high[1])}, {}, "sum");
            if (test.f32_sum) g.output(sum);
            const auto activated = g.op("PReLU", {sum, scalar(g, 0.1f)});
            const auto next = fake_quantize(g, activated, -0.96f, 6.69f, 256, "next");
            g.output(g.op("Convolution", {next, s8_weights(g, {8, 16, 3, 3}, 33)}, k_same_3x3));
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 5)},
                                                      2e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            CHECK(steps_of_type(runs[0].profile, "Quantize") <= 1);  // the Parameter's
            CHECK(steps_of_type(runs[0].profile, "Dequantize") == 0);
            const std::string added = implementation_of(runs[0].profile, "sum");
            CHECK(added.rfind("ref", 0) != 0);
            // With VNNI the second branch's convolution adds its result to the first branch's
            // integers in place, and writes the integers of the FakeQuantize after the PReLU.
            if (devices::cpu::has_int8_dot_product() && !test.f32_sum)
                CHECK(added.rfind("fused into", 0) == 0);
        }
    }
}

TEST_CASE("8-bit values reach f32 readers, the caller and mixed Concats dequantized") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        struct Case {
            const char* name;
            size_t quantize_steps;
            size_t dequantize_steps;
            std::function<void(GraphBuilder&, graph::Output)> build;  // from a quantized input
        };
        const std::vector<Case> cases = {
            // The Sigmoid takes no integers, so the stem writes f32 and the convolution quantizes.
            // (The input's FakeQuantize writes the stem's integers itself.)
            {"an f32 reader", 1, 0,
             [](GraphBuilder& g, graph::Output x) {
                 const auto stem = quantized_layer(g, x, 8, 16, 5, "stem");
                 g.output(g.op("Convolution", {stem, s8_weights(g, {8, 16, 3, 3}, 6)}, k_same_3x3,
                               "conv"));
                 g.output(g.op("Sigmoid", {stem}));
             }},
            // `first` goes to `second` as u8; `second` is a model output, so it stays f32.
            {"a model output", 1, 0,
             [](GraphBuilder& g, graph::Output x) {
                 const auto first = quantized_layer(g, x, 8, 16, 5, "first");
                 const auto second = quantized_layer(g, first, 16, 16, 7, "second");
                 g.output(second);
                 g.output(g.op("Convolution", {second, s8_weights(g, {8, 16, 3, 3}, 8)}, k_same_3x3,
                               "conv"));
             }},
            // The stem writes u8 for the Concat, whose other input is a model output and so f32:
            // the Concat runs in f32 on the stem's dequantized output. The ReLU takes the input as
            // f32, so the stem quantizes it.
            {"a Concat with an input no step wrote as integers", 2, 1,
             [](GraphBuilder& g, graph::Output x) {
                 const auto stem = quantized_layer(g, x, 8, 16, 5, "stem");
                 const auto other = fake_quantize(g, g.op("ReLU", {x}), 0, 2.55f, 256, "other");
                 g.output(other);
                 const auto concat = g.op("Concat", {stem, other}, {{"axis", "1"}});
                 g.output(g.op("Convolution", {concat, s8_weights(g, {8, 24, 3, 3}, 9)}, k_same_3x3,
                               "conv"));
             }},
        };
        for (const Case& test : cases) {
            const std::string name = test.name;
            CAPTURE(name);
            GraphBuilder g;
            test.build(g, fake_quantize(g, g.input(PartialShape{1, 8, 9, 9}), -1.28f, 1.27f));
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 4)},
                                                      2e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const bool int8 = devices::cpu::has_int8_dot_product();
            CHECK(steps_of_type(runs[0].profile, "Quantize") == (int8 ? test.quantize_steps : 0));
            CHECK(steps_of_type(runs[0].profile, "Dequantize") ==
                  (int8 ? test.dequantize_steps : 0));
        }
    }
}

// MobileNet's expansion: ReLU6, then a range per channel from 0 for the depthwise convolution.
// Ranges with a zero point per channel (a PReLU before them) have no integer form: levels over
// their steps, as floats, on every CPU.
TEST_CASE("FakeQuantize per channel into a depthwise convolution: u8 with VNNI, levels without") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        for (const bool zero_points : {false, true})
            for (const int64_t channels : {32, 20}) {
                CAPTURE(zero_points);
                CAPTURE(channels);
                const auto count = static_cast<size_t>(channels);
                GraphBuilder g;
                const auto in =
                    fake_quantize(g, g.input(PartialShape{1, 16, 10, 9}), -2.56f, 2.54f);
                const auto expand =
                    g.op("Convolution", {in, s8_weights(g, {channels, 16, 1, 1}, 41)},
                         {{"strides", "1,1"},
                          {"pads_begin", "0,0"},
                          {"pads_end", "0,0"},
                          {"dilations", "1,1"}});
                const auto biased = g.op("Add", {expand, g.constant({1, channels, 1, 1})});
                const auto activation = zero_points
                                            ? g.op("PReLU", {biased, scalar(g, 0.1f)})
                                            : g.op("Clamp", {biased}, {{"min", "0"}, {"max", "6"}});
                const auto dw_in = channel_fake_quantize(
                    g, activation,
                    zero_points ? ramp(count, -0.3f, 0.01f) : std::vector<float>(count, 0),
                    ramp(count, 1.0f, 0.2f));
                const auto dw =
                    g.op("GroupConvolution", {dw_in, s8_weights(g, {channels, 1, 1, 3, 3}, 42)},
                         k_same_3x3, "dw");
                g.output(g.op("Add", {dw, g.constant({1, channels, 1, 1})}));
                const auto model = g.finish();
                const auto runs = check_against_reference(device, model, {random_inputs(*model, 9)},
                                                          2e-2, {.profile = true});
                if (device != "CPU") continue;  // what follows is the CPU's own form
                const std::string implementation = implementation_of(runs[0].profile, "dw");
                CAPTURE(implementation);
                const bool integers = devices::cpu::has_int8_dot_product() && !zero_points;
                CHECK(implementation.ends_with(integers ? " u8" : " levels"));
                CHECK(steps_of_type(runs[0].profile, "Dequantize") == 0);
            }
    }
}

TEST_CASE("FakeQuantize after Clamp, Add and ReLU, into convolutions and Add, never runs on REF") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        struct Pattern {
            const char* name;
            std::function<void(GraphBuilder&, graph::Output)> build;  // from an f32 [1, 16, 8, 8]
        };
        const std::vector<Pattern> patterns = {
            {"an inverted residual block with a quantized residual Add",
             [](GraphBuilder& g, graph::Output x) {
                 const auto in = fake_quantize(g, x, -2.56f, 2.54f, 256, "in");
                 const auto expand = g.op("Clamp", {quantized_layer(g, in, 16, 32, 21, "expand")},
                                          {{"min", "0"}, {"max", "6"}});
                 const auto dw_in = channel_fake_quantize(g, expand, std::vector<float>(32, 0.0f),
                                                          ramp(32, 1.0f, 0.15f));
                 const auto dw = g.op("GroupConvolution",
                                      {dw_in, s8_weights(g, {32, 1, 1, 3, 3}, 22)}, k_same_3x3);
                 const auto project_in =
                     fake_quantize(g, g.op("Clamp", {dw}, {{"min", "0"}, {"max", "6"}}), 0, 6.0f);
                 const auto project =
                     g.op("Convolution", {project_in, s8_weights(g, {16, 32, 1, 1}, 23)},
                          {{"strides", "1,1"},
                           {"pads_begin", "0,0"},
                           {"pads_end", "0,0"},
                           {"dilations", "1,1"}});
                 const auto sum =
                     fake_quantize(g, g.op("Add", {project, in}), -4.0f, 3.97f, 256, "sum");
                 g.output(g.op("Add", {sum, fake_quantize(g, g.op("ReLU", {x}), 0, 2.55f)}));
                 g.output(g.op("Convolution", {sum, s8_weights(g, {8, 16, 3, 3}, 24)}, k_same_3x3));
             }},
            {"a FakeQuantize of a transposed tensor for f32 readers, with its chain",
             [](GraphBuilder& g, graph::Output x) {
                 const auto nhwc =
                     g.op("Transpose", {x, g.constant(make_tensor<int64_t>({4}, {0, 2, 3, 1}))});
                 const auto q = fake_quantize(g, nhwc, -1.0f, 2.0f);
                 g.output(g.op("Sigmoid", {g.op("Multiply", {q, scalar(g, 0.5f)})}));
             }},
            {"a range per channel with a zero point per channel (no 8-bit form for the "
             "convolution)",
             [](GraphBuilder& g, graph::Output x) {
                 const auto q =
                     channel_fake_quantize(g, x, ramp(16, -1.0f, 0.05f), ramp(16, 1.0f, 0.1f));
                 g.output(g.op("GroupConvolution", {q, s8_weights(g, {16, 1, 1, 3, 3}, 25)},
                               k_same_3x3));
             }},
            {"a range per channel into a Convolution (per-tensor integers only)",
             [](GraphBuilder& g, graph::Output x) {
                 const auto q = channel_fake_quantize(
                     g, g.op("ReLU", {x}), std::vector<float>(16, 0.0f), ramp(16, 1.0f, 0.2f));
                 g.output(g.op("Convolution", {q, s8_weights(g, {8, 16, 3, 3}, 26)}, k_same_3x3));
             }},
            // road-segmentation-adas-0001: without VNNI, oneDNN runs it as a GEMM, which applies
            // post-ops in a pass of its own.
            {"a FakeQuantize after a dilated depthwise convolution",
             [](GraphBuilder& g, graph::Output x) {
                 const auto q = channel_fake_quantize(
                     g, g.op("ReLU", {x}), std::vector<float>(16, 0.0f), ramp(16, 1, 0.1f));
                 const graph::Attributes dilated = {{"strides", "1,1"},
                                                    {"pads_begin", "6,6"},
                                                    {"pads_end", "6,6"},
                                                    {"dilations", "6,6"}};
                 const auto dw = g.op("GroupConvolution", {q, s8_weights(g, {16, 1, 1, 3, 3}, 28)},
                                      dilated, "dilated");
                 const auto next = fake_quantize(g, g.op("ReLU", {dw}), 0, 3.1f, 256, "next");
                 g.output(
                     g.op("Convolution", {next, s8_weights(g, {8, 16, 3, 3}, 29)}, k_same_3x3));
             }},
            // person-detection-action-recognition-0005: a PReLU between a convolution and the
            // FakeQuantize of the depthwise convolution's input, ranges and zero points per
            // channel.
            {"a leaky ReLU, then a range and zero point per channel",
             [](GraphBuilder& g, graph::Output x) {
                 const auto in = fake_quantize(g, x, -2.56f, 2.54f, 256, "in");
                 const auto reduce =
                     g.op("Convolution", {in, s8_weights(g, {24, 16, 3, 3}, 30)}, k_same_3x3);
                 const auto leaky = g.op("PReLU", {g.op("Add", {reduce, g.constant({1, 24, 1, 1})}),
                                                   g.constant(make_tensor<float>({1}, {0.1f}))});
                 const auto q =
                     channel_fake_quantize(g, leaky, ramp(24, -0.5f, 0.02f), ramp(24, 1.0f, 0.1f));
                 g.output(g.op("GroupConvolution", {q, s8_weights(g, {24, 1, 1, 3, 3}, 31)},
                               k_same_3x3));
             }},
            {"a channel whose range is a single value",
             [](GraphBuilder& g, graph::Output x) {
                 std::vector<float> high = ramp(16, 1.0f, 0.2f);
                 high[3] = 0;
                 const auto q = channel_fake_quantize(g, g.op("ReLU", {x}),
                                                      std::vector<float>(16, 0.0f), high);
                 g.output(g.op("Convolution", {q, s8_weights(g, {8, 16, 3, 3}, 27)}, k_same_3x3));
             }},
        };
        for (const Pattern& pattern : patterns) {
            const std::string name = pattern.name;
            CAPTURE(name);
            GraphBuilder g;
            pattern.build(g, g.input(PartialShape{1, 16, 8, 8}));
            const auto model = g.finish();
            // A FakeQuantize may round a value the other way than REF: one step, spread by the
            // layers after it.
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 8)},
                                                      5e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const auto& profile = runs[0].profile;
            const auto is_fake_quantize = [&](const std::string& layer) {
                return std::any_of(profile.begin(), profile.end(), [&](const auto& row) {
                    return row.name == layer && row.type == "FakeQuantize";
                });
            };
            for (const auto& row : profile) {
                CAPTURE(row.name);
                CAPTURE(row.type);
                CHECK(row.implementation.rfind("ref", 0) != 0);
                // A GEMM takes no FakeQuantize: its post-op pass would cost more than a step.
                if (row.implementation.find("gemm") != std::string::npos)
                    for (const std::string& fused : fused_into(profile, row.name)) {
                        CAPTURE(fused);
                        CHECK(!is_fake_quantize(fused));
                    }
            }
        }
    }
}

// An INT8 IR on a CPU with an 8-bit dot product runs int8 kernels; on one without (ctest runs
// this case with oneDNN capped at AVX2, with and without EDGESIGHT_EXACT_INT8=1) it runs the
// float network its FakeQuantizes approximate, and the profile names them skipped, unless the
// compile or the environment asks for them exactly.
namespace {

// Two convolutions, with FakeQuantizes on their inputs where `quantized`; the same weights
// either way.
std::shared_ptr<graph::Model> two_layers(bool quantized) {
    GraphBuilder g(5);
    const auto fake_quantize = [&](graph::Output x, float low, float high) {
        if (!quantized) return x;
        return g.op("FakeQuantize",
                    {x, scalar(g, low), scalar(g, high), scalar(g, low), scalar(g, high)},
                    {{"levels", "256"}});
    };
    const auto x = fake_quantize(g.input(PartialShape{1, 16, 10, 10}), -2.56f, 2.54f);
    const auto y =
        g.op("Convolution", {x, g.constant({32, 16, 3, 3}, -0.1f, 0.1f)}, k_same_3x3, "first");
    const auto relu = g.op("ReLU", {g.op("Add", {y, g.constant({1, 32, 1, 1})})});
    g.output(g.op("Convolution",
                  {fake_quantize(relu, 0, 2.55f), g.constant({8, 32, 3, 3}, -0.1f, 0.1f)},
                  k_same_3x3, "second"));
    return g.finish();
}

}  // namespace

TEST_CASE("INT8 IRs on a CPU without an 8-bit dot product run their float network") {
    const auto quantized = two_layers(true);
    const std::vector<std::vector<Tensor>> inputs = {random_inputs(*quantized, 3)};
    const auto cpu = run_on("CPU", quantized, inputs, {.profile = true});
    const auto& profile = cpu[0].profile;
    if (devices::cpu::has_int8_dot_product()) {
        CHECK(implementation_of(profile, "first").ends_with(" s8"));
        CHECK(implementation_of(profile, "second").ends_with(" u8"));
        return;
    }
    if (devices::cpu::exact_int8_requested()) {
        // EDGESIGHT_EXACT_INT8=1: the FakeQuantizes computed exactly, as REF does.
        check_against_reference("CPU", quantized, inputs, 1e-4);
        return;
    }
    size_t skipped = 0;
    for (const auto& row : profile)
        if (row.type == "FakeQuantize") {
            CAPTURE(row.name);
            CHECK(row.implementation == "skipped: no 8-bit dot product");
            ++skipped;
        }
    CHECK(skipped == 2);
    const auto float_network = run_on("REF", two_layers(false), inputs);
    const auto actual = cpu[0].outputs.at(0).to_doubles();
    const auto expected = float_network[0].outputs.at(0).to_doubles();
    REQUIRE(actual.size() == expected.size());
    for (size_t i = 0; i < actual.size(); ++i)
        CHECK(std::abs(actual[i] - expected[i]) <= 1e-4 * std::max(1.0, std::abs(expected[i])));

    // What quantize asks for to measure the int8 accuracy: the FakeQuantizes computed exactly.
    const auto exact = check_against_reference("CPU", quantized, inputs, 1e-4,
                                               {.profile = true, .exact_int8 = true});
    for (const auto& row : exact[0].profile) {
        CAPTURE(row.name);
        CHECK(row.implementation.find("skipped") == std::string::npos);
    }
}

// CReLU as Open Model Zoo's INT8 IRs write it (person-attributes-recognition-crossroad-0230,
// person-detection-retail-0002): a convolution's output and its negation, each through its own
// FakeQuantize (the negation before or after the first one), concatenated, scaled and shifted per
// channel, then quantized for the next convolution.
TEST_CASE("CReLU blocks of INT8 IRs run as one int8 convolution writing 8-bit values") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        for (const bool negated_after_quantize : {false, true}) {
            CAPTURE(negated_after_quantize);
            GraphBuilder g;
            const auto in = fake_quantize(g, g.input(PartialShape{1, 16, 8, 8}), -2.56f, 2.54f);
            const auto y = g.op("Add", {g.op("Convolution", {in, s8_weights(g, {12, 16, 3, 3}, 41)},
                                             k_same_3x3, "conv"),
                                        g.constant({1, 12, 1, 1})});
            const auto positive = fake_quantize(g, y, -3.0f, 2.98f, 256, "positive");
            const auto negated =
                negated_after_quantize
                    ? g.op("Multiply", {positive, scalar(g, -1.0f)}, {}, "negation")
                    : g.op("Negative", {y}, {}, "negation");
            const auto negative = fake_quantize(g, negated, -2.9f, 3.1f, 256, "negative");
            const auto concat = g.op("Concat", {positive, negative}, {{"axis", "1"}}, "concat");
            const auto scaled = g.op("Multiply", {concat, g.constant({1, 24, 1, 1}, 0.5f, 1.5f)});
            const auto shifted = g.op("Add", {scaled, g.constant({1, 24, 1, 1})});
            const auto next_in =
                fake_quantize(g, g.op("ReLU", {shifted}), 0, 2.55f, 256, "next_in");
            g.output(g.op("Convolution", {next_in, s8_weights(g, {8, 24, 3, 3}, 42)}, k_same_3x3,
                          "next"));
            const auto model = g.finish();
            // A FakeQuantize may round a value the other way than REF: one step, spread by the
            // convolution after it.
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 9)},
                                                      5e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const auto& profile = runs[0].profile;
            CHECK(steps_of_type(profile, "Concat") == 0);
            CHECK(steps_of_type(profile, "Negative") == 0);
            for (const auto& row : profile) {
                CAPTURE(row.name);
                CHECK(row.implementation.rfind("ref", 0) != 0);
                if (row.type == "FakeQuantize" && row.name != "fq")
                    CHECK(row.implementation.rfind("fused into conv", 0) == 0);
            }
            if (!devices::cpu::has_int8_dot_product()) continue;
            CHECK(ends_with(implementation_of(profile, "conv"), " s8"));
            CHECK(ends_with(implementation_of(profile, "next"), " u8"));
            CHECK(steps_of_type(profile, "Quantize") == 0);
        }
    }
}

// text-image-super-resolution-0001: a 3×3 stride 3 deconvolution (a 1×1 convolution and a
// pixel shuffle on the CPU), then ReLU and the FakeQuantize of an int8 convolution.
TEST_CASE("a subpixel deconvolution writes 8-bit values for the int8 convolution after it") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        for (const bool per_channel : {false, true}) {
            CAPTURE(per_channel);
            GraphBuilder g;
            const auto x = g.input(PartialShape{1, 8, 6, 5});
            const graph::Attributes subpixel = {{"strides", "3,3"},
                                                {"pads_begin", "0,0"},
                                                {"pads_end", "0,0"},
                                                {"dilations", "1,1"},
                                                {"output_padding", "0,0"}};
            const auto up =
                g.op("ConvolutionBackpropData", {x, g.constant({8, 6, 3, 3})}, subpixel, "up");
            const auto activation = bias_relu(g, up, 6);
            const auto q = per_channel
                               ? channel_fake_quantize(g, activation, std::vector<float>(6, 0.0f),
                                                       ramp(6, 1.0f, 0.3f))
                               : fake_quantize(g, activation, 0, 2.55f);
            g.output(g.op("Convolution", {q, s8_weights(g, {8, 6, 3, 3}, 51)}, k_same_3x3, "conv"));
            const auto model = g.finish();
            // A value on a rounding boundary may land one step of the input grid away from REF.
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 10)},
                                                      2e-2, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const auto& profile = runs[0].profile;
            // A range per channel reaches a Convolution (not depthwise) as f32.
            const bool integers = devices::cpu::has_int8_dot_product() && !per_channel;
            const std::string implementation = implementation_of(profile, "conv");
            CAPTURE(implementation);
            CHECK(ends_with(implementation, " u8") == integers);
            const auto shuffle = std::find_if(profile.begin(), profile.end(), [](const auto& row) {
                return row.type == "PixelShuffle";
            });
            // (oneDNN's AVX2 kernels run the deconvolution as it is.)
            if (integers) REQUIRE(shuffle != profile.end());
            if (shuffle != profile.end())
                CHECK(shuffle->implementation == (integers ? "copy to integers" : "copy"));
            CHECK(steps_of_type(profile, "Quantize") == 0);
        }
    }
}

// The last layers of super-resolution networks: 1 to 4 output channels from 4, 8 or 16 quantized
// ones, megapixels wide (single-image-super-resolution-1032, text-image-super-resolution-0001).
// With AVX-512 VNNI the project's own kernel runs them (oneDNN computes 16 output channels for
// each one asked); rows not a multiple of its vectors wide, padding, a zero point, a batch, and
// the chains after them: a bias alone, a Sigmoid, a residual Add, an 8-bit write for the next
// int8 convolution.
TEST_CASE("int8 convolutions with at most 4 output channels run as the narrow kernel") {
    struct NarrowCase {
        const char* name;
        double tolerance;
        std::function<void(GraphBuilder&)> build;  // a convolution named "conv"
    };
    const graph::Attributes asymmetric_5x5 = {
        {"strides", "1,1"}, {"pads_begin", "2,1"}, {"pads_end", "2,3"}, {"dilations", "1,1"}};
    const graph::Attributes unpadded_1x1 = {
        {"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}, {"dilations", "1,1"}};
    const std::vector<NarrowCase> cases = {
        {"1 from 4, 3x3, bias", 1e-4,
         [&](GraphBuilder& g) {
             const auto x = g.op("ReLU", {g.input(PartialShape{1, 4, 13, 37})});
             const auto y = g.op("Convolution",
                                 {fake_quantize(g, x, 0, 2.55f), s8_weights(g, {1, 4, 3, 3}, 61)},
                                 k_same_3x3, "conv");
             g.output(g.op("Add", {y, g.constant({1, 1, 1, 1})}, {}, "bias"));
         }},
        {"3 from 8 with a zero point, a batch of 2, Sigmoid", 1e-4,
         [&](GraphBuilder& g) {
             const auto q = fake_quantize(g, g.input(PartialShape{2, 8, 7, 50}), -1.0f, 2.0f);
             const auto y =
                 g.op("Convolution", {q, s8_weights(g, {3, 8, 3, 3}, 62)}, k_same_3x3, "conv");
             g.output(g.op("Sigmoid", {g.op("Add", {y, g.constant({1, 3, 1, 1})})}));
         }},
        {"2 from 16, 5x5 padded unevenly", 1e-4,
         [&](GraphBuilder& g) {
             const auto x = g.op("ReLU", {g.input(PartialShape{1, 16, 9, 40})});
             g.output(g.op("Convolution",
                           {fake_quantize(g, x, 0, 2.55f), s8_weights(g, {2, 16, 5, 5}, 63)},
                           asymmetric_5x5, "conv"));
         }},
        {"4 from 8, 1x1, exactly one vector wide", 1e-4,
         [&](GraphBuilder& g) {
             const auto x = g.op("ReLU", {g.input(PartialShape{1, 8, 3, 16})});
             g.output(g.op("Convolution",
                           {fake_quantize(g, x, 0, 2.55f), s8_weights(g, {4, 8, 1, 1}, 64)},
                           unpadded_1x1, "conv"));
         }},
        {"3 from 8 added to the image (a residual)", 1e-4,
         [&](GraphBuilder& g) {
             const auto image = g.input(PartialShape{1, 3, 11, 45});
             const auto features = g.op("ReLU", {g.input(PartialShape{1, 8, 11, 45})});
             const auto y =
                 g.op("Convolution",
                      {fake_quantize(g, features, 0, 2.55f), s8_weights(g, {3, 8, 3, 3}, 65)},
                      k_same_3x3, "conv");
             g.output(g.op("Add", {g.op("Add", {y, g.constant({1, 3, 1, 1})}), image}));
         }},
        // The FakeQuantize after it may round an output the other way than REF: one step of 0.01.
        {"4 from 4 into an int8 convolution", 0.0101 / 2.55,
         [&](GraphBuilder& g) {
             const auto x = g.op("ReLU", {g.input(PartialShape{1, 4, 10, 33})});
             const auto y = g.op("Convolution",
                                 {fake_quantize(g, x, 0, 2.55f), s8_weights(g, {4, 4, 3, 3}, 66)},
                                 k_same_3x3, "conv");
             const auto q = fake_quantize(g, bias_relu(g, y, 4), 0, 2.55f, 256, "fq_out");
             g.output(
                 g.op("Convolution", {q, s8_weights(g, {16, 4, 3, 3}, 67)}, k_same_3x3, "next"));
         }},
    };
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        for (const NarrowCase& test : cases) {
            const std::string name = test.name;
            CAPTURE(name);
            GraphBuilder g;
            test.build(g);
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 8)},
                                                      test.tolerance, {.profile = true});
            if (device != "CPU") continue;  // what follows is the CPU's own form
            const auto& profile = runs[0].profile;
            const std::string implementation = implementation_of(profile, "conv");
            CAPTURE(implementation);
            CHECK(implementation.rfind("ref", 0) != 0);
            if (!devices::cpu::has_int8_dot_product()) {
                CHECK(!ends_with(implementation, " u8"));
                continue;
            }
            CHECK(ends_with(implementation, " u8"));
            CHECK((implementation.rfind("narrow", 0) == 0) ==
                  devices::cpu::has_avx512_int8_dot_product());
            if (name.find("into an int8") != std::string::npos) {
                // The ReLU and FakeQuantize after the bias run as one step writing the integers
                // the next convolution reads.
                CHECK(fused_into(profile, "conv") ==
                      std::vector<std::string>{"bias", "relu", "fq_out"});
                CHECK(ends_with(implementation_of(profile, "next"), " u8"));
                CHECK(steps_of_type(profile, "Quantize") == 0);
            }
        }
    }
}

// A depth-to-space upsampler as single-image-super-resolution-1032 has it: an int8 convolution,
// its bias, Reshape -> Transpose -> Reshape, then ReLU and the FakeQuantize of the next int8
// convolution. The ReLU and FakeQuantize move ahead of the moves into the first convolution's
// post-ops, which then writes the 8-bit values the moves carry to the second.
TEST_CASE("a depth-to-space between int8 convolutions carries 8-bit values") {
    for (const std::string& device : devices_under_test()) {
        CAPTURE(device);
        GraphBuilder g;
        const auto x = g.op("ReLU", {g.input(PartialShape{1, 8, 6, 5})});
        const auto y =
            g.op("Convolution", {fake_quantize(g, x, 0, 2.55f), s8_weights(g, {16, 8, 3, 3}, 71)},
                 k_same_3x3, "conv");
        const auto biased = g.op("Add", {y, g.constant({1, 16, 1, 1})}, {}, "bias");
        const auto split =
            g.op("Reshape", {biased, g.constant(make_tensor<int64_t>({6}, {1, 4, 2, 2, 6, 5}))},
                 {{"special_zero", "false"}}, "split");
        const auto moved =
            g.op("Transpose", {split, g.constant(make_tensor<int64_t>({6}, {0, 1, 4, 2, 5, 3}))},
                 {}, "interleave");
        const auto up =
            g.op("Reshape", {moved, g.constant(make_tensor<int64_t>({4}, {1, 4, 12, 10}))},
                 {{"special_zero", "false"}}, "join");
        const auto q = fake_quantize(g, g.op("ReLU", {up}, {}, "relu"), 0, 2.55f, 256, "fq_up");
        g.output(g.op("Convolution", {q, s8_weights(g, {16, 4, 3, 3}, 72)}, k_same_3x3, "next"));
        const auto model = g.finish();
        // The FakeQuantize after the first convolution may round an output the other way than REF.
        const auto runs = check_against_reference(device, model, {random_inputs(*model, 12)},
                                                  0.0101 / 2.55, {.profile = true});
        if (device != "CPU") continue;  // what follows is the CPU's own form
        const auto& profile = runs[0].profile;
        if (!devices::cpu::has_int8_dot_product()) continue;
        CHECK(ends_with(implementation_of(profile, "conv"), " u8"));
        CHECK(fused_into(profile, "conv") == std::vector<std::string>{"bias", "relu", "fq_up"});
        CHECK(ends_with(implementation_of(profile, "next"), " u8"));
        CHECK(steps_of_type(profile, "Quantize") == 0);
    }
}
