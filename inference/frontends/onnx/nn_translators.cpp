#include "inference/frontends/onnx/nn_translators.h"

#include "inference/frontends/onnx/translators.h"

#include <fmt/format.h>

#include <limits>

namespace es::frontends::onnx_import {
namespace nn {

std::string join(const std::vector<int64_t>& values) {
    return fmt::format("{}", fmt::join(values, ","));
}

graph::Output i64_constant(NodeContext& context, const std::vector<int64_t>& values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return context.constant(tensor);
}

size_t static_rank(const NodeContext& context, size_t i, const char* what) {
    const PartialShape& shape = context.input_type(i).shape;
    if (!shape.rank_known())
        context.fail(fmt::format("the rank of input {} ({}) must be known", i, what));
    return shape.rank();
}

graph::Output channel_vector(NodeContext& context, graph::Output vector, size_t rank) {
    std::vector<int64_t> target(rank, 1);
    if (rank > 1)
        target[1] = -1;
    else
        target[0] = -1;
    return context
        .add("Reshape", "opset1", {vector, i64_constant(context, target)},
             {{"special_zero", "false"}})
        .output();
}

WindowAttributes read_window(const NodeContext& context, size_t spatial) {
    WindowAttributes window;
    const auto per_axis = [&](const char* name, int64_t fill) {
        auto values = context.attribute_ints(name);
        if (values.empty()) return std::vector<int64_t>(spatial, fill);
        if (values.size() != spatial)
            context.fail(
                fmt::format("attribute '{}' has {} values, expected {} (one per spatial axis)",
                            name, values.size(), spatial));
        return values;
    };
    window.kernel = context.attribute_ints("kernel_shape");
    if (!window.kernel.empty() && window.kernel.size() != spatial)
        context.fail(fmt::format("attribute 'kernel_shape' has {} values, expected {}",
                                 window.kernel.size(), spatial));
    window.strides = per_axis("strides", 1);
    window.dilations = per_axis("dilations", 1);
    const auto pads = context.attribute_ints("pads");
    if (!pads.empty() && pads.size() != 2 * spatial)
        context.fail(
            fmt::format("attribute 'pads' has {} values, expected {} (begin and end per "
                        "spatial axis)",
                        pads.size(), 2 * spatial));
    window.pads_begin.assign(spatial, 0);
    window.pads_end.assign(spatial, 0);
    if (!pads.empty()) {
        std::copy(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(spatial),
                  window.pads_begin.begin());
        std::copy(pads.begin() + static_cast<ptrdiff_t>(spatial), pads.end(),
                  window.pads_end.begin());
    }
    // Bounds keep the window maths here and in the IR ops inside int64.
    constexpr int64_t k_max = std::numeric_limits<int32_t>::max();
    const auto check = [&](const char* name, const std::vector<int64_t>& values, int64_t low) {
        for (int64_t value : values)
            if (value < low || value > k_max)
                context.fail(fmt::format("attribute '{}': value {} is out of range [{}, {}]", name,
                                         value, low, k_max));
    };
    check("kernel_shape", window.kernel, 1);
    check("strides", window.strides, 1);
    check("dilations", window.dilations, 1);
    check("pads", window.pads_begin, 0);
    check("pads", window.pads_end, 0);
    const std::string auto_pad = context.attribute_string("auto_pad", "NOTSET");
    if (auto_pad == "NOTSET" || auto_pad.empty())
        window.auto_pad = "explicit";
    else if (auto_pad == "SAME_UPPER")
        window.auto_pad = "same_upper";
    else if (auto_pad == "SAME_LOWER")
        window.auto_pad = "same_lower";
    else if (auto_pad == "VALID")
        window.auto_pad = "valid";
    else
        context.fail(
            fmt::format("attribute 'auto_pad' is '{}', expected NOTSET, SAME_UPPER, "
                        "SAME_LOWER or VALID",
                        auto_pad));
    return window;
}

}  // namespace nn

namespace {

using nn::i64_constant;

// A scalar constant of `type` (the type of the tensor it combines with).
graph::Output scalar(NodeContext& context, ElementType type, float value) {
    return context.constant(convert(make_tensor<float>({}, {value}), type));
}

// Y = alpha * A' B' + beta * C, as MatMul, Multiply and Add.
std::vector<graph::Output> translate_gemm(NodeContext& context) {
    const graph::Output a = context.input(0);
    const graph::Output b = context.input(1);
    for (size_t i : {0, 1}) {
        const PartialShape& shape = context.input_type(i).shape;
        if (shape.rank_known() && shape.rank() != 2)
            context.fail(
                fmt::format("input {} has shape {}, expected a matrix", i, to_string(shape)));
    }
    const ElementType type = context.input_type(0).type;
    const float alpha = context.attribute_float("alpha", 1.0f);
    const float beta = context.attribute_float("beta", 1.0f);
    const bool transpose_a = context.attribute_int("transA", 0) != 0;
    const bool transpose_b = context.attribute_int("transB", 0) != 0;
    graph::Output y = context
                          .add("MatMul", "opset1", {a, b},
                               {{"transpose_a", transpose_a ? "true" : "false"},
                                {"transpose_b", transpose_b ? "true" : "false"}})
                          .output();
    if (alpha != 1.0f)
        y = context.add("Multiply", "opset1", {y, scalar(context, type, alpha)}).output();
    if (context.has_input(2) && beta != 0.0f) {
        graph::Output c = context.input(2);
        if (beta != 1.0f)
            c = context.add("Multiply", "opset1", {c, scalar(context, type, beta)}).output();
        y = context.add("Add", "opset1", {y, c}).output();
    }
    return {y};
}

std::vector<graph::Output> translate_matmul(NodeContext& context) {
    return {context
                .add("MatMul", "opset1", {context.input(0), context.input(1)},
                     {{"transpose_a", "false"}, {"transpose_b", "false"}})
                .output()};
}

// opset 16 spells the modes bilinear/bicubic, opset 20 linear/cubic (and allows 3-D).
std::vector<graph::Output> translate_grid_sample(NodeContext& context) {
    std::string mode =
        context.attribute_string("mode", context.opset() >= 20 ? "linear" : "bilinear");
    if (mode == "linear")
        mode = "bilinear";
    else if (mode == "cubic")
        mode = "bicubic";
    if (mode != "bilinear" && mode != "bicubic" && mode != "nearest")
        context.fail(
            fmt::format("attribute 'mode' is '{}', expected linear, cubic or nearest", mode));
    const std::string padding = context.attribute_string("padding_mode", "zeros");
    if (padding != "zeros" && padding != "border" && padding != "reflection")
        context.fail(
            fmt::format("attribute 'padding_mode' is '{}', expected zeros, border or "
                        "reflection",
                        padding));
    const bool align_corners = context.attribute_int("align_corners", 0) != 0;
    return {context
                .add("GridSample", "opset9", {context.input(0), context.input(1)},
                     {{"align_corners", align_corners ? "true" : "false"},
                      {"mode", mode},
                      {"padding_mode", padding}})
                .output()};
}

int64_t block_size(const NodeContext& context) {
    if (!context.has_attribute("blocksize")) context.fail("attribute 'blocksize' is required");
    const int64_t block = context.attribute_int("blocksize", 1);
    if (block < 1) context.fail(fmt::format("attribute 'blocksize' is {}, expected >= 1", block));
    return block;
}

// DCR (depth, column, row: blocks first) or CRD (column, row, depth: depth first).
std::vector<graph::Output> translate_depth_to_space(NodeContext& context) {
    const std::string mode = context.attribute_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD")
        context.fail(fmt::format("attribute 'mode' is '{}', expected DCR or CRD", mode));
    return {context
                .add("DepthToSpace", "opset1", {context.input(0)},
                     {{"block_size", std::to_string(block_size(context))},
                      {"mode", mode == "DCR" ? "blocks_first" : "depth_first"}})
                .output()};
}

std::vector<graph::Output> translate_space_to_depth(NodeContext& context) {
    return {
        context
            .add("SpaceToDepth", "opset1", {context.input(0)},
                 {{"block_size", std::to_string(block_size(context))}, {"mode", "blocks_first"}})
            .output()};
}

}  // namespace

void add_nn_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Conv", nn::translate_conv});
    table.push_back({"ConvTranspose", nn::translate_conv_transpose});
    table.push_back({"DeformConv", nn::translate_deform_conv});
    table.push_back({"MaxPool", nn::translate_max_pool});
    table.push_back({"AveragePool", nn::translate_average_pool});
    table.push_back({"GlobalAveragePool", nn::translate_global_average_pool});
    table.push_back({"GlobalMaxPool", nn::translate_global_max_pool});
    table.push_back({"BatchNormalization", nn::translate_batch_normalization});
    table.push_back({"InstanceNormalization", nn::translate_instance_normalization});
    table.push_back({"LRN", nn::translate_lrn});
    table.push_back({"Gemm", translate_gemm});
    table.push_back({"MatMul", translate_matmul});
    table.push_back({"GridSample", translate_grid_sample});
    table.push_back({"Resize", nn::translate_resize});
    table.push_back({"Upsample", nn::translate_upsample});
    table.push_back({"DepthToSpace", translate_depth_to_space});
    table.push_back({"SpaceToDepth", translate_space_to_depth});
}

}  // namespace es::frontends::onnx_import
