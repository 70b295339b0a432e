#include "inference/frontends/onnx/nn_translators.h"

#include <fmt/format.h>

#include <numeric>

namespace es::frontends::onnx_import::nn {
namespace {

struct Pooling {
    size_t spatial = 0;
    WindowAttributes window;
    bool ceil = false;
};

Pooling read_pooling(const NodeContext& context) {
    Pooling pooling;
    pooling.spatial = static_rank(context, 0, "X");
    if (pooling.spatial < 3)
        context.fail(
            fmt::format("X has rank {}, expected 3 or more (N, C, spatial axes)", pooling.spatial));
    pooling.spatial -= 2;
    pooling.window = read_window(context, pooling.spatial);
    if (pooling.window.kernel.empty()) context.fail("attribute 'kernel_shape' is required");
    pooling.ceil = context.attribute_int("ceil_mode", 0) != 0;
    return pooling;
}

// MaxPool-14 and AvgPool-14 attributes; ceil_mode is PyTorch's rule (a last window that would
// start in the end padding is dropped), as the ONNX reference has it.
graph::Attributes pool_attributes(const Pooling& pooling) {
    const WindowAttributes& window = pooling.window;
    return {{"strides", join(window.strides)},
            {"pads_begin", join(window.pads_begin)},
            {"pads_end", join(window.pads_end)},
            {"kernel", join(window.kernel)},
            {"rounding_type", pooling.ceil ? "ceil_torch" : "floor"},
            {"auto_pad", window.auto_pad}};
}

// ONNX Indices count in column-major order within each spatial plane when storage_order is 1:
// the row-major offset r = Σ c_d · S_{d+1}…S_n of the spatial coordinates becomes
// Σ c_d · S_1…S_{d-1}; the leading N·C planes keep their offset.
graph::Output column_major_indices(NodeContext& context, graph::Output indices,
                                   const std::vector<int64_t>& sizes) {
    const int64_t plane =
        std::accumulate(sizes.begin(), sizes.end(), int64_t{1}, std::multiplies<>());
    const auto scalar = [&](int64_t value) { return context.constant<int64_t>({}, {value}); };
    const auto op = [&](const char* type, graph::Output a, graph::Output b) {
        return context.add(type, "opset1", {a, b}).output();
    };
    graph::Output rest = op("FloorMod", indices, scalar(plane));
    graph::Output result = op("Subtract", indices, rest);
    int64_t row_stride = plane;
    int64_t column_stride = 1;
    for (int64_t size : sizes) {
        row_stride /= size;
        const graph::Output coordinate = op("Divide", rest, scalar(row_stride));
        rest = op("FloorMod", rest, scalar(row_stride));
        result = op("Add", result, op("Multiply", coordinate, scalar(column_stride)));
        column_stride *= size;
    }
    return result;
}

// Output size of a pooling window along one axis as ONNX defines it, with the pads it uses.
struct AxisWindow {
    int64_t out = 0;
    int64_t pad_begin = 0;
    int64_t pad_end = 0;
};

AxisWindow axis_window(const NodeContext& context, const Pooling& pooling, size_t i, int64_t in) {
    const WindowAttributes& window = pooling.window;
    const int64_t stride = window.strides[i];
    const int64_t dilated = (window.kernel[i] - 1) * window.dilations[i] + 1;
    AxisWindow axis{0, window.pads_begin[i], window.pads_end[i]};
    if (window.auto_pad == "valid") {
        axis.pad_begin = axis.pad_end = 0;
    } else if (window.auto_pad != "explicit") {
        const int64_t out = (in + stride - 1) / stride;
        const int64_t total = std::max<int64_t>(0, (out - 1) * stride + dilated - in);
        axis.pad_begin = window.auto_pad == "same_upper" ? total / 2 : total - total / 2;
        axis.pad_end = total - axis.pad_begin;
    }
    const int64_t span = in + axis.pad_begin + axis.pad_end - dilated;
    if (span < 0)
        context.fail(
            fmt::format("spatial axis {}: the dilated kernel ({}) is larger than the "
                        "padded input ({})",
                        i, dilated, span + dilated));
    axis.out = span / stride + 1;
    if (pooling.ceil && span % stride != 0) {
        ++axis.out;
        if ((axis.out - 1) * stride >= in + axis.pad_begin) --axis.out;
    }
    return axis;
}

// Average pooling as ONNX defines it where AvgPool differs (dilations, which AvgPool lacks;
// count_include_pad with ceil windows that run past the end padding, whose overflow ONNX does
// not count): the window sum is a depthwise convolution with a kernel of ones, divided by the
// number of taps inside the padded input (count_include_pad) or inside the input, a constant
// that depends only on the geometry.
graph::Output average_pool_by_convolution(NodeContext& context, const Pooling& pooling,
                                          bool count_include_pad) {
    const PartialShape& shape = context.input_type(0).shape;
    for (size_t d = 1; d < shape.rank(); ++d)
        if (shape[d] < 0)
            context.fail(
                "AveragePool with dilations needs the channel and spatial sizes of X "
                "to be known (it becomes a convolution)");
    const WindowAttributes& window = pooling.window;
    const ElementType type = context.input_type(0).type;
    std::vector<AxisWindow> axes;
    std::vector<int64_t> pads_end;
    Shape count_shape{1, 1};
    for (size_t i = 0; i < pooling.spatial; ++i) {
        const int64_t in = shape[2 + i];
        axes.push_back(axis_window(context, pooling, i, in));
        const int64_t dilated = (window.kernel[i] - 1) * window.dilations[i] + 1;
        pads_end.push_back((axes[i].out - 1) * window.strides[i] + dilated - in -
                           axes[i].pad_begin);
        count_shape.push_back(axes[i].out);
    }
    // The kernel of ones is a constant of C · kernel size elements.
    constexpr int64_t k_max_weights = int64_t{1} << 24;
    int64_t weights_size = std::max<int64_t>(shape[1], 1);
    for (int64_t k : window.kernel) {
        if (k > k_max_weights / weights_size)
            context.fail(
                fmt::format("AveragePool with dilations: {} channels x kernel {} are too "
                            "many to average as a convolution",
                            shape[1], join(window.kernel)));
        weights_size *= k;
    }
    Shape weights_shape{shape[1], 1, 1};
    weights_shape.insert(weights_shape.end(), window.kernel.begin(), window.kernel.end());
    Tensor ones(ElementType::f32, weights_shape);
    std::fill(ones.data<float>(), ones.data<float>() + ones.size(), 1.0f);
    std::vector<int64_t> pads_begin;
    for (const auto& axis : axes)
        pads_begin.push_back(axis.pad_begin);
    const graph::Output sum = context
                                  .add("GroupConvolution", "opset1",
                                       {context.input(0), context.constant(convert(ones, type))},
                                       {{"strides", join(window.strides)},
                                        {"dilations", join(window.dilations)},
                                        {"pads_begin", join(pads_begin)},
                                        {"pads_end", join(pads_end)},
                                        {"auto_pad", "explicit"}})
                                  .output();

    // taps[i][o]: how many taps of window o along axis i are counted.
    std::vector<std::vector<float>> taps(pooling.spatial);
    for (size_t i = 0; i < pooling.spatial; ++i) {
        const int64_t in = shape[2 + i];
        for (int64_t o = 0; o < axes[i].out; ++o) {
            int64_t count = 0;
            for (int64_t k = 0; k < window.kernel[i]; ++k) {
                const int64_t at =
                    o * window.strides[i] - axes[i].pad_begin + k * window.dilations[i];
                const bool counted = count_include_pad
                                         ? at >= -axes[i].pad_begin && at < in + axes[i].pad_end
                                         : at >= 0 && at < in;
                count += counted ? 1 : 0;
            }
            taps[i].push_back(static_cast<float>(count));
        }
    }
    Tensor counts(ElementType::f32, count_shape);
    float* dst = counts.data<float>();
    for (size_t at = 0; at < counts.size(); ++at) {
        size_t rest = at;
        float count = 1.0f;
        for (size_t i = pooling.spatial; i-- > 0;) {
            const auto size = static_cast<size_t>(axes[i].out);
            count *= taps[i][rest % size];
            rest /= size;
        }
        dst[at] = count;
    }
    return context.add("Divide", "opset1", {sum, context.constant(convert(counts, type))}).output();
}

bool average_pool_needs_convolution(const NodeContext& context, const Pooling& pooling,
                                    bool count_include_pad) {
    const WindowAttributes& window = pooling.window;
    if (std::any_of(window.dilations.begin(), window.dilations.end(),
                    [](int64_t d) { return d != 1; }))
        return true;
    if (!count_include_pad || !pooling.ceil) return false;
    const PartialShape& shape = context.input_type(0).shape;
    for (size_t i = 0; i < pooling.spatial; ++i) {
        const int64_t in = shape[2 + i];
        if (in < 0) return false;
        const AxisWindow axis = axis_window(context, pooling, i, in);
        if ((axis.out - 1) * window.strides[i] + window.kernel[i] >
            in + axis.pad_begin + axis.pad_end)
            return true;
    }
    return false;
}

std::vector<int64_t> spatial_axes_list(const NodeContext& context) {
    const size_t rank = static_rank(context, 0, "X");
    if (rank < 3) context.fail(fmt::format("X has rank {}, expected 3 or more", rank));
    std::vector<int64_t> axes(rank - 2);
    std::iota(axes.begin(), axes.end(), 2);
    return axes;
}

}  // namespace

// MaxPool-14 with flat indices over the whole tensor (axis 0), reordered for storage_order 1.
std::vector<graph::Output> translate_max_pool(NodeContext& context) {
    const Pooling pooling = read_pooling(context);
    graph::Attributes attributes = pool_attributes(pooling);
    attributes.set("dilations", join(pooling.window.dilations));
    attributes.set("index_element_type", "i64");
    attributes.set("axis", "0");
    graph::Node& node = context.add("MaxPool", "opset14", {context.input(0)}, attributes);
    graph::Output indices = node.output(1);
    if (context.attribute_int("storage_order", 0) != 0 && context.proto().output_size() > 1) {
        const PartialShape& shape = context.input_type(0).shape;
        std::vector<int64_t> sizes(shape.dims().begin() + 2, shape.dims().end());
        for (int64_t size : sizes)
            if (size <= 0)
                context.fail(
                    "storage_order 1 needs the spatial sizes of X to be known and non-zero");
        indices = column_major_indices(context, indices, sizes);
    }
    return {node.output(0), indices};
}

std::vector<graph::Output> translate_average_pool(NodeContext& context) {
    const Pooling pooling = read_pooling(context);
    const bool count_include_pad = context.attribute_int("count_include_pad", 0) != 0;
    if (average_pool_needs_convolution(context, pooling, count_include_pad))
        return {average_pool_by_convolution(context, pooling, count_include_pad)};
    graph::Attributes attributes = pool_attributes(pooling);
    attributes.set("exclude-pad", count_include_pad ? "false" : "true");
    return {context.add("AvgPool", "opset14", {context.input(0)}, attributes).output()};
}

std::vector<graph::Output> translate_global_average_pool(NodeContext& context) {
    return {context
                .add("ReduceMean", "opset1",
                     {context.input(0), i64_constant(context, spatial_axes_list(context))},
                     {{"keep_dims", "true"}})
                .output()};
}

std::vector<graph::Output> translate_global_max_pool(NodeContext& context) {
    return {context
                .add("ReduceMax", "opset1",
                     {context.input(0), i64_constant(context, spatial_axes_list(context))},
                     {{"keep_dims", "true"}})
                .output()};
}

}  // namespace es::frontends::onnx_import::nn
