#include "devices/gpu/kinds.h"

#include "inference/core/error.h"
#include "inference/graph/ops/interpolate_kernel.h"

#include <algorithm>
#include <map>

namespace es::devices::gpu {
namespace {

const std::map<std::string, int> k_binary_ops = {
    {"Add", 0},     {"Subtract", 1}, {"Multiply", 2},          {"Divide", 3},
    {"Maximum", 4}, {"Minimum", 5},  {"SquaredDifference", 6}, {"Power", 7}};

const std::map<std::string, int> k_unary_ops = {
    {"ReLU", 0},  {"Clamp", 1},  {"Sigmoid", 2},   {"Tanh", 3},      {"Exp", 4},
    {"Elu", 5},   {"HSwish", 6}, {"HSigmoid", 7},  {"Swish", 8},     {"Abs", 9},
    {"Sqrt", 10}, {"Log", 11},   {"Negative", 12}, {"SoftPlus", 13}, {"Mish", 14},
    {"Gelu", 15}, {"Floor", 17}, {"Ceiling", 18}};
constexpr int k_gelu_tanh_op = 16;

bool is_f32_static(const graph::PortType& type) {
    return type.type == ElementType::f32 && type.shape.is_static();
}

// Whether the first `data` inputs and every output are f32 with static shapes.
bool f32_static(const graph::Node& node, size_t data) {
    for (size_t i = 0; i < data && i < node.inputs.size(); ++i)
        if (!is_f32_static(node.input_type(i))) return false;
    for (const auto& output : node.outputs)
        if (!is_f32_static(output.type)) return false;
    return true;
}

bool numpy_broadcast(const graph::Node& node) {
    const std::string mode = node.attributes.get_string("auto_broadcast", "numpy");
    return mode == "numpy" || mode == "none";
}

bool quantizable(const graph::Node& node) {
    if (!f32_static(node, 1) || node.inputs.size() != 5 || !numpy_broadcast(node)) return false;
    const Shape data = node.input_type(0).shape.to_shape();
    for (size_t i = 1; i < 5; ++i) {
        const graph::Node* range = constant_input(node, i);
        if (!range || !channel_values(range->value, data)) return false;
    }
    return true;
}

const std::map<std::string, int> k_reduce_ops = {
    {"ReduceSum", 0}, {"ReduceMean", 1}, {"ReduceMax", 2}, {"ReduceMin", 3}, {"ReduceProd", 4}};

// Whether a MatMul's inputs are matrices, or stacks of them of the output's batch, or a matrix
// every batch shares.
bool plain_matmul(const graph::Node& node) {
    if (!f32_static(node, 2)) return false;
    const Shape out = node.outputs[0].type.shape.to_shape();
    for (size_t i = 0; i < 2; ++i) {
        const Shape shape = node.input_type(i).shape.to_shape();
        if (shape.size() < 2 || out.size() < 2) return false;
        const bool shared = shape_size(shape) == size_t(shape[shape.size() - 2] * shape.back());
        const bool stacked =
            shape.size() == out.size() && std::equal(shape.begin(), shape.end() - 2, out.begin());
        if (!shared && !stacked) return false;
    }
    return true;
}

// Whether an Interpolate resizes the H and W of an image with taps the kernel can sum: no
// antialiasing, no padding, sizes (not scales) deciding the coordinates.
bool plain_resize(const graph::Node& node) {
    if (!f32_static(node, 1) || node.input_type(0).shape.rank() != 4) return false;
    const Shape src = node.input_type(0).shape.to_shape();
    const Shape dst = node.outputs[0].type.shape.to_shape();
    if (src[0] != dst[0] || src[1] != dst[1] || shape_size(src) == 0) return false;
    for (const char* key : {"pads_begin", "pads_end"})
        for (const int64_t pad : node.attributes.get_ints(key, {0}))
            if (pad != 0) return false;
    try {
        const auto config = graph::ops::interpolate::config_of(node);
        return !config.antialias && !config.use_scales;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

const graph::Node* constant_input(const graph::Node& node, size_t index) {
    if (index >= node.inputs.size()) return nullptr;
    const graph::Node* source = node.inputs[index].source.node;
    return source->type == "Const" ? source : nullptr;
}

std::optional<std::vector<float>> channel_values(const Tensor& range, const Shape& data) {
    const auto values = range.to_doubles();
    if (values.size() == 1) return std::vector<float>{static_cast<float>(values[0])};
    const Shape& shape = range.shape();
    if (data.size() < 2 || shape.size() > data.size() || values.size() != size_t(data[1]))
        return std::nullopt;
    const size_t offset = data.size() - shape.size();  // right-aligned
    for (size_t d = 0; d < shape.size(); ++d)
        if (shape[d] != 1 && d + offset != 1) return std::nullopt;
    return std::vector<float>(values.begin(), values.end());
}

std::vector<int64_t> consecutive_axes(const graph::Node& node) {
    const graph::Node* axes = constant_input(node, 1);
    if (!axes) return {};
    auto order = axes->value.to_int64s();
    const auto rank = static_cast<int64_t>(node.input_type(0).shape.rank());
    for (int64_t& axis : order)
        if (axis < 0) axis += rank;
    std::sort(order.begin(), order.end());
    if (order.empty() || order.back() - order.front() + 1 != int64_t(order.size()) ||
        std::adjacent_find(order.begin(), order.end()) != order.end())
        return {};
    return order;
}

Kind kind_of(const graph::Node& node) {
    const std::string& type = node.type;
    if (type == "Convolution" || type == "GroupConvolution") {
        const graph::Node* weights = constant_input(node, 1);
        const size_t weights_rank = type == "Convolution" ? 4 : 5;
        return f32_static(node, 2) && node.input_type(0).shape.rank() == 4 && weights &&
                       weights->outputs[0].type.shape.rank() == weights_rank &&
                       node.attributes.get_string("auto_pad", "explicit") != "notset"
                   ? Kind::convolution
                   : Kind::none;
    }
    if (k_binary_ops.count(type))
        return node.inputs.size() == 2 && f32_static(node, 2) && numpy_broadcast(node) &&
                       node.input_type(0).shape.rank() <= k_max_rank &&
                       node.input_type(1).shape.rank() <= k_max_rank
                   ? Kind::binary
                   : Kind::none;
    if (type == "PReLU")
        return f32_static(node, 2) && node.input_type(0).shape.rank() <= k_max_rank ? Kind::prelu
                                                                                    : Kind::none;
    if (k_unary_ops.count(type)) {
        if (!f32_static(node, 1)) return Kind::none;
        if (type == "Swish" && node.inputs.size() == 2) {
            const graph::Node* beta = constant_input(node, 1);
            return beta && beta->value.size() == 1 ? Kind::unary : Kind::none;
        }
        return node.inputs.size() == 1 ? Kind::unary : Kind::none;
    }
    if ((type == "MaxPool" || type == "AvgPool") && node.version == "opset1")
        return f32_static(node, 1) && node.input_type(0).shape.rank() == 4 ? Kind::pooling
                                                                           : Kind::none;
    if (type == "MaxPool" && node.version == "opset8")  // the indices: see make_plan
        return is_f32_static(node.input_type(0)) && is_f32_static(node.outputs[0].type) &&
                       node.input_type(0).shape.rank() == 4
                   ? Kind::pooling
                   : Kind::none;
    if (type == "NormalizeL2")
        return f32_static(node, 1) && !consecutive_axes(node).empty() ? Kind::normalize_l2
                                                                      : Kind::none;
    if (k_reduce_ops.count(type))
        return f32_static(node, 1) && !consecutive_axes(node).empty() ? Kind::reduce : Kind::none;
    if (type == "MatMul") return plain_matmul(node) ? Kind::matmul : Kind::none;
    if (type == "Interpolate") return plain_resize(node) ? Kind::resize : Kind::none;
    if (type == "Concat") return f32_static(node, node.inputs.size()) ? Kind::concat : Kind::none;
    if (type == "Reshape" || type == "Squeeze" || type == "Unsqueeze")
        return f32_static(node, 1) ? Kind::view : Kind::none;
    if (type == "SoftMax" && (node.version == "opset1" || node.version == "opset8"))
        return f32_static(node, 1) ? Kind::softmax : Kind::none;
    if (type == "FakeQuantize") return quantizable(node) ? Kind::fake_quantize : Kind::none;
    if (type == "Transpose")
        return f32_static(node, 1) && constant_input(node, 1) &&
                       node.input_type(0).shape.rank() <= k_max_rank
                   ? Kind::transpose
                   : Kind::none;
    return Kind::none;
}

bool has_kernel(const graph::Node& node) {
    return kind_of(node) != Kind::none;
}

int binary_op(const graph::Node& node) {
    return k_binary_ops.at(node.type);
}

int reduce_op(const graph::Node& node) {
    return k_reduce_ops.at(node.type);
}

Activation activation_of(const graph::Node& node) {
    Activation activation{k_unary_ops.at(node.type)};
    if (node.type == "Clamp") {
        activation.alpha = node.attributes.get_float("min");
        activation.beta = node.attributes.get_float("max");
    } else if (node.type == "Elu") {
        activation.alpha = node.attributes.get_float("alpha");
    } else if (node.type == "Swish") {
        activation.alpha =
            node.inputs.size() == 2 ? constant_input(node, 1)->value.to_doubles().at(0) : 1.0;
    } else if (node.type == "Gelu" &&
               node.attributes.get_string("approximation_mode", "erf") == "tanh") {
        activation.op = k_gelu_tanh_op;
    }
    return activation;
}

}  // namespace es::devices::gpu
