// Convolutions and deconvolutions on the CPU device against the reference kernels: odd sizes,
// padding modes, strides, dilations, groups.
#include "tests/support/device_testing.h"

#include <functional>

using namespace es;
using namespace es::testing;

namespace {

struct OpCase {
    const char* name;
    std::function<void(GraphBuilder&)> build;
};

graph::Attributes window(const std::string& strides, const std::string& pads_begin,
                         const std::string& pads_end, const std::string& dilations,
                         const std::string& auto_pad = "explicit") {
    return {{"strides", strides},
            {"pads_begin", pads_begin},
            {"pads_end", pads_end},
            {"dilations", dilations},
            {"auto_pad", auto_pad}};
}

void conv(GraphBuilder& g, Shape src, Shape weights, graph::Attributes attributes) {
    const bool grouped = weights.size() == src.size() + 1;
    g.output(g.op(grouped ? "GroupConvolution" : "Convolution",
                  {g.input(PartialShape(src)), g.constant(weights)}, std::move(attributes), "op"));
}

void deconv(GraphBuilder& g, Shape src, Shape weights, graph::Attributes attributes) {
    const bool grouped = weights.size() == src.size() + 1;
    g.output(g.op(grouped ? "GroupConvolutionBackpropData" : "ConvolutionBackpropData",
                  {g.input(PartialShape(src)), g.constant(weights)}, std::move(attributes), "op"));
}

const std::vector<OpCase> k_cases = {
    {"conv 3x3 pad 1, 3 -> 17 channels, 7x9",
     [](auto& g) {
         conv(g, {1, 3, 7, 9}, {17, 3, 3, 3}, window("1,1", "1,1", "1,1", "1,1"));
     }},
    {"conv 1x1, 16 -> 32",
     [](auto& g) {
         conv(g, {1, 16, 5, 5}, {32, 16, 1, 1}, window("1,1", "0,0", "0,0", "1,1"));
     }},
    {"conv stride 2, asymmetric pads",
     [](auto& g) {
         conv(g, {1, 5, 9, 7}, {8, 5, 3, 3}, window("2,2", "0,1", "1,0", "1,1"));
     }},
    {"conv stride (2,1), no pads, floor rounding",
     [](auto& g) {
         conv(g, {1, 4, 10, 6}, {6, 4, 3, 2}, window("2,1", "0,0", "0,0", "1,1"));
     }},
    {"conv dilation 2",
     [](auto& g) {
         conv(g, {1, 3, 11, 9}, {5, 3, 3, 3}, window("1,1", "2,2", "2,2", "2,2"));
     }},
    {"conv same_upper stride 2",
     [](auto& g) {
         conv(g, {1, 3, 8, 7}, {4, 3, 3, 3}, window("2,2", "0,0", "0,0", "1,1", "same_upper"));
     }},
    {"conv same_lower 4x4 kernel",
     [](auto& g) {
         conv(g, {1, 2, 9, 9}, {3, 2, 4, 4}, window("1,1", "0,0", "0,0", "1,1", "same_lower"));
     }},
    {"conv valid",
     [](auto& g) {
         conv(g, {1, 3, 7, 8}, {4, 3, 3, 3}, window("1,1", "5,5", "5,5", "1,1", "valid"));
     }},
    {"conv batch 2, 17 -> 3 channels",
     [](auto& g) {
         conv(g, {2, 17, 6, 5}, {3, 17, 3, 3}, window("1,1", "1,1", "1,1", "1,1"));
     }},
    {"conv 1-D",
     [](auto& g) {
         conv(g, {1, 4, 11}, {6, 4, 3}, window("2", "1", "0", "1"));
     }},
    {"conv 3-D",
     [](auto& g) {
         conv(g, {1, 2, 4, 5, 6}, {3, 2, 2, 3, 3}, window("1,1,2", "0,1,1", "1,1,0", "1,1,1"));
     }},
    {"group conv, 3 groups",
     [](auto& g) {
         conv(g, {1, 6, 8, 8}, {3, 4, 2, 3, 3}, window("1,1", "1,1", "1,1", "1,1"));
     }},
    {"depthwise conv, 17 channels, stride 2",
     [](auto& g) {
         conv(g, {1, 17, 9, 7}, {17, 1, 1, 3, 3}, window("2,2", "1,1", "1,1", "1,1"));
     }},
    {"depthwise conv dilation 2",
     [](auto& g) {
         conv(g, {1, 8, 10, 10}, {8, 1, 1, 3, 3}, window("1,1", "2,2", "2,2", "2,2"));
     }},
    {"deconv stride 2, output_padding 1",
     [](auto& g) {
         auto attributes = window("2,2", "1,1", "1,1", "1,1");
         attributes.set("output_padding", "1,1");
         deconv(g, {1, 4, 5, 5}, {4, 6, 3, 3}, attributes);
     }},
    {"deconv 2x2 stride 2, 24 -> 24 (a 1x1 convolution and a pixel shuffle)",
     [](auto& g) {
         deconv(g, {1, 24, 6, 5}, {24, 24, 2, 2}, window("2,2", "0,0", "0,0", "1,1"));
     }},
    {"deconv 3x2 stride (3,2), batch 2, 5 -> 8",
     [](auto& g) {
         deconv(g, {2, 5, 4, 3}, {5, 8, 3, 2}, window("3,2", "0,0", "0,0", "1,1"));
     }},
    {"deconv asymmetric pads, 7x9",
     [](auto& g) {
         deconv(g, {1, 3, 7, 9}, {3, 5, 3, 3}, window("1,1", "0,1", "1,0", "1,1"));
     }},
    {"deconv dilation 2, stride 2",
     [](auto& g) {
         deconv(g, {1, 2, 4, 5}, {2, 3, 3, 3}, window("2,2", "1,1", "1,1", "2,2"));
     }},
    {"group deconv, 2 groups",
     [](auto& g) {
         deconv(g, {1, 6, 4, 4}, {2, 3, 4, 4, 4}, window("2,2", "1,1", "1,1", "1,1"));
     }},
    {"depthwise deconv",
     [](auto& g) {
         deconv(g, {1, 5, 6, 6}, {5, 1, 1, 2, 2}, window("2,2", "0,0", "0,0", "1,1"));
     }},
    {"deconv with output_shape, same_upper",
     [](auto& g) {
         g.output(g.op("ConvolutionBackpropData",
                       {g.input(PartialShape{1, 4, 5, 5}), g.constant({4, 3, 3, 3}),
                        g.constant(make_tensor<int64_t>({2}, {10, 11}))},
                       window("2,2", "0,0", "0,0", "1,1", "same_upper"), "op"));
     }},
};

}  // namespace

TEST_CASE("every device's convolutions and deconvolutions match the reference kernels") {
    for (const std::string& device : devices_under_test())
        for (const OpCase& test : k_cases) {
            CAPTURE(device);
            CAPTURE(test.name);
            GraphBuilder g;
            test.build(g);
            const auto model = g.finish();
            const auto runs = check_against_reference(device, model, {random_inputs(*model, 42)},
                                                      1e-4, {.profile = true});
            const std::string implementation = implementation_of(runs[0].profile, "op");
            CHECK(!implementation.empty());
            CHECK(implementation != "ref");
        }
}
