// CReLU blocks (PVANet and the Open Model Zoo networks built on it) concatenate a convolution's
// output with its negation: Concat(y, -y), and in INT8 IRs Concat(FQ_a(y), FQ_b(-y)) or
// Concat(FQ_a(y), FQ_b(-FQ_a(y))). A convolution with the weights [W; -W] and the bias [b; -b]
// computes both halves at once, and per-channel FakeQuantizes give each half its own ranges.
// A negation moves ahead of a FakeQuantize as the FakeQuantize with its ranges negated and
// swapped: -FQ(x; il, ih, ol, oh) = FQ(-x; -ih, -il, -oh, -ol). Where one half passes through
// fewer FakeQuantizes, it takes its last one again, which leaves values on its grid unchanged.
#include "devices/cpu/graph_rewrites.h"

#include <map>
#include <set>

namespace es::devices::cpu {
namespace {

using Readers = std::map<std::pair<const graph::Node*, size_t>, std::vector<graph::Node*>>;

// A FakeQuantize's four ranges, one value per channel.
struct Ranges {
    std::vector<double> in_low, in_high, out_low, out_high;
    int64_t levels = 0;
    ElementType type = ElementType::f32;
};

// One half of the Concat: y times `sign` through `fake_quantizes` (in order).
struct Half {
    double sign = 1;
    std::vector<Ranges> fake_quantizes;
};

// The values of a constant input with one value or one per channel (axis 1 of a tensor of
// rank `rank`), as `channels` values; nullopt for other shapes.
std::optional<std::vector<double>> per_channel(const graph::Node& node, size_t input,
                                               int64_t channels, size_t rank) {
    const graph::Node& constant = *node.inputs.at(input).source.node;
    if (constant.type != "Const" || !is_float(constant.value.type())) return std::nullopt;
    const std::vector<double> values = constant.value.to_doubles();
    if (values.size() == 1) return std::vector<double>(static_cast<size_t>(channels), values[0]);
    const Shape& shape = constant.value.shape();
    if (static_cast<int64_t>(values.size()) != channels || shape.size() > rank ||
        shape.size() + 1 < rank || shape[shape.size() + 1 - rank] != channels)
        return std::nullopt;
    return values;
}

std::optional<Ranges> ranges_of(const graph::Node& node, int64_t channels, size_t rank) {
    Ranges ranges;
    std::vector<double>* fields[] = {&ranges.in_low, &ranges.in_high, &ranges.out_low,
                                     &ranges.out_high};
    for (size_t i = 0; i < 4; ++i) {
        const auto values = per_channel(node, i + 1, channels, rank);
        if (!values) return std::nullopt;
        *fields[i] = *values;
    }
    for (size_t c = 0; c < ranges.in_low.size(); ++c)
        if (!(ranges.in_low[c] < ranges.in_high[c])) return std::nullopt;
    ranges.levels = node.attributes.get_int("levels", 0);
    ranges.type = node.inputs[1].source.type().type;
    return ranges;
}

// Whether `node` negates its input: Negative, or a Multiply by the constant -1.
bool is_negation(const graph::Node& node) {
    if (node.type == "Negative") return true;
    if (node.type != "Multiply" || node.inputs.size() != 2) return false;
    const graph::Node& factor = *node.inputs[1].source.node;
    return factor.type == "Const" && factor.value.size() == 1 && is_float(factor.value.type()) &&
           factor.value.to_doubles()[0] == -1.0;
}

// What Concat input `input` computes from the tensor it reaches through FakeQuantizes and
// negations; `path` collects the nodes passed.
std::optional<std::pair<graph::Output, Half>> walk_back(graph::Output input, int64_t channels,
                                                        size_t rank,
                                                        std::set<const graph::Node*>& path) {
    std::vector<const graph::Node*> ops;
    for (;;) {
        const graph::Node& node = *input.node;
        const bool fake_quantize = node.type == "FakeQuantize" && node.inputs.size() == 5;
        if (!fake_quantize && !is_negation(node)) break;
        ops.push_back(&node);
        path.insert(&node);
        input = node.inputs[0].source;
    }
    Half half;
    for (auto op = ops.rbegin(); op != ops.rend(); ++op) {
        if ((*op)->type != "FakeQuantize") {
            half.sign = -half.sign;
            for (Ranges& ranges : half.fake_quantizes) {
                std::swap(ranges.in_low, ranges.in_high);
                std::swap(ranges.out_low, ranges.out_high);
                for (auto* field :
                     {&ranges.in_low, &ranges.in_high, &ranges.out_low, &ranges.out_high})
                    for (double& value : *field)
                        value = -value;
            }
            continue;
        }
        auto ranges = ranges_of(**op, channels, rank);
        if (!ranges) return std::nullopt;
        half.fake_quantizes.push_back(std::move(*ranges));
    }
    return std::pair{input, std::move(half)};
}

// The convolution (with constant weights) computing `y`, and the Add of its bias where there
// is one.
struct Producer {
    graph::Node* convolution = nullptr;
    graph::Node* bias = nullptr;
};

std::optional<Producer> producer_of(const graph::Output& y, const Readers& readers) {
    graph::Node* node = y.node;
    Producer producer;
    if (node->type == "Add" && node->inputs.size() == 2 &&
        node->inputs[1].source.node->type == "Const") {
        producer.bias = node;
        node = node->inputs[0].source.node;
        const auto found = readers.find({node, 0});
        if (found == readers.end() || found->second.size() != 1) return std::nullopt;
    }
    if (node->type != "Convolution" || node->inputs.size() != 2 ||
        node->inputs[1].source.node->type != "Const" || !is_float(node->input_type(1).type))
        return std::nullopt;
    producer.convolution = node;
    return producer;
}

Tensor stacked(const std::vector<double>& first, const std::vector<double>& second,
               const Shape& shape, ElementType type) {
    Tensor values(ElementType::f32, shape);
    float* data = values.data<float>();
    for (size_t i = 0; i < first.size(); ++i)
        data[i] = static_cast<float>(first[i]);
    for (size_t i = 0; i < second.size(); ++i)
        data[first.size() + i] = static_cast<float>(second[i]);
    return convert(values, type);
}

std::vector<double> times(std::vector<double> values, double factor) {
    for (double& value : values)
        value *= factor;
    return values;
}

// `fake_quantizes` made `count` long by repeating the last one on its own grid (in ranges =
// out ranges), where it changes nothing.
void pad(std::vector<Ranges>& fake_quantizes, size_t count) {
    while (fake_quantizes.size() < count) {
        Ranges again = fake_quantizes.back();
        again.in_low = again.out_low;
        again.in_high = again.out_high;
        fake_quantizes.push_back(std::move(again));
    }
}

// Replaces `concat` by one convolution and its chain; false where it is no CReLU block.
bool fold(graph::Model& model, graph::Node& concat, const Readers& readers) {
    if (concat.inputs.size() != 2) return false;
    const graph::Output first = concat.inputs[0].source;
    const PartialShape& partial = first.type().shape;
    if (!partial.is_static() || first.type().shape != concat.inputs[1].source.type().shape)
        return false;
    if (!concatenates_channels(concat)) return false;
    const Shape shape = partial.to_shape();
    const int64_t channels = shape[1];

    std::set<const graph::Node*> path;
    auto positive = walk_back(first, channels, shape.size(), path);
    auto negative = walk_back(concat.inputs[1].source, channels, shape.size(), path);
    if (!positive || !negative || positive->first != negative->first) return false;
    Half& a = positive->second;
    Half& b = negative->second;
    if (a.sign == b.sign || a.fake_quantizes.empty() != b.fake_quantizes.empty()) return false;
    pad(a.fake_quantizes, b.fake_quantizes.size());
    pad(b.fake_quantizes, a.fake_quantizes.size());
    for (size_t i = 0; i < a.fake_quantizes.size(); ++i)
        if (a.fake_quantizes[i].levels != b.fake_quantizes[i].levels) return false;
    const graph::Output y = positive->first;
    const auto producer = producer_of(y, readers);
    if (!producer) return false;
    const auto bias =
        producer->bias ? per_channel(*producer->bias, 1, channels, shape.size()) : std::nullopt;
    if (producer->bias && !bias) return false;
    // Nothing else may read y or the values between it and the Concat.
    std::set<const graph::Node*> allowed = path;
    allowed.insert(&concat);
    for (const graph::Node* node : path)
        for (const graph::Node* reader : readers.at({node, 0}))
            if (!allowed.count(reader)) return false;
    for (const graph::Node* reader : readers.at({y.node, y.port}))
        if (!allowed.count(reader)) return false;

    graph::Node& convolution = *producer->convolution;
    const Tensor& weights = convolution.inputs[1].source.node->value;
    const std::vector<double> w = weights.to_doubles();
    Shape weights_shape = weights.shape();
    weights_shape[0] *= 2;
    const graph::Output stacked_weights = model.add_constant(
        stacked(times(w, a.sign), times(w, b.sign), weights_shape, convolution.input_type(1).type));
    graph::Node& doubled = model.add_op("Convolution", convolution.version,
                                        {convolution.inputs[0].source, stacked_weights},
                                        convolution.attributes, convolution.name);
    Shape channel_shape(shape.size(), 1);
    channel_shape[1] = 2 * channels;
    Shape doubled_shape = shape;
    doubled_shape[1] = 2 * channels;
    const graph::PortType port{y.type().type, PartialShape(doubled_shape)};
    give_output(doubled, port);
    graph::Output result = doubled.output();
    if (bias) {
        const ElementType type = producer->bias->input_type(1).type;
        graph::Node& add = model.add_op(
            "Add", producer->bias->version,
            {result, model.add_constant(
                         stacked(times(*bias, a.sign), times(*bias, b.sign), channel_shape, type))},
            producer->bias->attributes, producer->bias->name);
        give_output(add, port);
        result = add.output();
    }
    for (size_t i = 0; i < a.fake_quantizes.size(); ++i) {
        const Ranges& top = a.fake_quantizes[i];
        const Ranges& bottom = b.fake_quantizes[i];
        std::vector<graph::Output> inputs = {result};
        for (const auto field :
             {&Ranges::in_low, &Ranges::in_high, &Ranges::out_low, &Ranges::out_high})
            inputs.push_back(
                model.add_constant(stacked(top.*field, bottom.*field, channel_shape, top.type)));
        graph::Node& fake_quantize =
            model.add_op("FakeQuantize", "opset1", std::move(inputs),
                         {{"levels", std::to_string(top.levels)}, {"auto_broadcast", "numpy"}},
                         fmt::format("{}/fq{}", concat.name, i));
        give_output(fake_quantize, port);
        result = fake_quantize.output();
    }
    model.replace_uses(concat.output(), result);
    return true;
}

}  // namespace

size_t fold_crelu(graph::Model& model) {
    Readers readers;
    std::vector<graph::Node*> concats;
    for (const auto& node : model.nodes()) {
        for (const auto& input : node->inputs)
            readers[{input.source.node, input.source.port}].push_back(node.get());
        if (node->type == "Concat") concats.push_back(node.get());
    }
    size_t folded = 0;
    for (graph::Node* concat : concats)
        folded += fold(model, *concat, readers) ? 1 : 0;
    if (folded > 0) {
        model.remove_unused();
        model.sort_topologically();
    }
    return folded;
}

}  // namespace es::devices::cpu
