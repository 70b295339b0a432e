// A convolution reading a Concat of 8-bit values on different grids (Open Model Zoo's INT8
// IRs join branches quantized with their own ranges: person-detection-retail-0002's feature
// pyramid, the inception blocks of person-attributes-recognition-crossroad-0230) cannot run as
// one int8 convolution: its source has no single step. Convolution is linear in its input
// channels, so it is the sum of one convolution per Concat input, each with its slice of the
// weights, each int8 on its own grid; the sums fuse into the convolutions as post-ops and the
// Concat is never written.
#include "devices/cpu/graph_rewrites.h"

#include <numeric>

namespace es::devices::cpu {
namespace {

// The FakeQuantize with one range for the tensor whose values `output` holds: its own, or
// through a MaxPool. (One with a range per channel is no int8 source for a convolution.)
const graph::Node* fake_quantize_behind(const graph::Output& output) {
    const graph::Node* node = output.node;
    if (node->type == "MaxPool" && output.port == 0) node = node->inputs.at(0).source.node;
    if (node->type != "FakeQuantize" || node->inputs.size() != 5) return nullptr;
    for (size_t range = 1; range < 5; ++range) {
        const graph::Node& constant = *node->inputs[range].source.node;
        if (constant.type != "Const" || constant.value.size() != 1) return nullptr;
    }
    return node;
}

bool same_constant(const graph::Output& a, const graph::Output& b) {
    return a.node->type == "Const" && b.node->type == "Const" &&
           a.node->value.shape() == b.node->value.shape() &&
           a.node->value.to_doubles() == b.node->value.to_doubles();
}

// Whether the inputs of `concat` (along the channels) are 8-bit values of FakeQuantizes of which
// at least two differ in their output grid.
bool joins_grids(const graph::Node& concat) {
    if (concat.inputs.size() < 2 || !concatenates_channels(concat)) return false;
    const graph::Node* first = fake_quantize_behind(concat.inputs[0].source);
    if (!first) return false;
    bool differ = false;
    for (size_t i = 1; i < concat.inputs.size(); ++i) {
        const graph::Node* other = fake_quantize_behind(concat.inputs[i].source);
        if (!other) return false;
        differ = differ ||
                 other->attributes.get_int("levels", 0) != first->attributes.get_int("levels", 0);
        for (size_t range = 3; range < 5; ++range)
            differ =
                differ || !same_constant(first->inputs[range].source, other->inputs[range].source);
    }
    return differ;
}

// Replaces `convolution` (reading `concat`) by the sum of one convolution per Concat input.
bool split(graph::Model& model, graph::Node& convolution, const graph::Node& concat) {
    const graph::Node& weights_node = *convolution.inputs[1].source.node;
    if (weights_node.type != "Const" || !is_float(convolution.input_type(1).type)) return false;
    const Tensor& weights = weights_node.value;
    const Shape& shape = weights.shape();
    const std::vector<double> w = weights.to_doubles();
    const auto outputs = static_cast<size_t>(shape[0]);
    const size_t row = w.size() / outputs;  // input channels x kernel
    const auto inputs = static_cast<size_t>(shape[1]);
    const size_t kernel = row / inputs;
    const graph::PortType port = convolution.outputs[0].type;
    std::vector<size_t> channels_of;
    for (const auto& input : concat.inputs) {
        const PartialShape& input_shape = input.source.type().shape;
        if (!input_shape.is_static()) return false;
        channels_of.push_back(static_cast<size_t>(input_shape.to_shape()[1]));
    }
    if (std::accumulate(channels_of.begin(), channels_of.end(), size_t{0}) != inputs) return false;

    std::optional<graph::Output> sum;
    size_t first_channel = 0;
    for (size_t i = 0; i < concat.inputs.size(); ++i) {
        const graph::Output input = concat.inputs[i].source;
        const size_t channels = channels_of[i];
        Shape slice_shape = shape;
        slice_shape[1] = static_cast<int64_t>(channels);
        Tensor slice(ElementType::f32, slice_shape);
        float* data = slice.data<float>();
        for (size_t o = 0; o < outputs; ++o)
            for (size_t k = 0; k < channels * kernel; ++k)
                data[o * channels * kernel + k] =
                    static_cast<float>(w[o * row + first_channel * kernel + k]);
        first_channel += channels;
        graph::Node& part = model.add_op(
            "Convolution", convolution.version,
            {input, model.add_constant(convert(slice, convolution.input_type(1).type))},
            convolution.attributes, fmt::format("{}/part{}", convolution.name, i));
        give_output(part, port);
        if (!sum) {
            sum = part.output();
            continue;
        }
        graph::Node& add = model.add_op("Add", "opset1", {*sum, part.output()}, {},
                                        fmt::format("{}/sum{}", convolution.name, i));
        give_output(add, port);
        sum = add.output();
    }
    model.replace_uses(convolution.output(), *sum);
    return true;
}

}  // namespace

size_t split_concat_convolutions(graph::Model& model) {
    std::vector<std::pair<graph::Node*, const graph::Node*>> found;
    for (const auto& node : model.nodes())
        if (node->type == "Convolution" && node->inputs.size() == 2 &&
            node->inputs[0].source.node->type == "Concat" &&
            joins_grids(*node->inputs[0].source.node))
            found.emplace_back(node.get(), node->inputs[0].source.node);
    size_t replaced = 0;
    for (const auto& [convolution, concat] : found)
        replaced += split(model, *convolution, *concat) ? 1 : 0;
    if (replaced > 0) {
        model.remove_unused();
        model.sort_topologically();
    }
    return replaced;
}

}  // namespace es::devices::cpu
