#include "devices/gpu/plan.h"

#include "devices/gpu/kinds.h"

#include "inference/core/error.h"
#include "inference/graph/ops/interpolate_kernel.h"
#include "inference/graph/shape_inference.h"
#include "inference/passes/constant_folding.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <optional>
#include <set>

namespace es::devices::gpu {
namespace {

KernelArg value_arg(int value) {
    return {KernelArg::Kind::value, value, 0, 0};
}
KernelArg constant_arg(int constant) {
    return {KernelArg::Kind::constant, constant, 0, 0};
}
KernelArg int_arg(int64_t value) {
    return {KernelArg::Kind::integer, 0, static_cast<int>(value), 0};
}
KernelArg real_arg(double value) {
    return {KernelArg::Kind::real, 0, 0, static_cast<float>(value)};
}

// The padding of a window over H and W, as the reference kernels take it.
struct Pads {
    int64_t top = 0;
    int64_t left = 0;
    bool any = false;  // some side is padded (what AvgPool's divisor depends on)
};

Pads window_pads(const graph::Node& node, const Shape& src, const Shape& dst,
                 const std::array<int64_t, 2>& window, const std::vector<int64_t>& strides) {
    const std::string mode = node.attributes.get_string("auto_pad", "explicit");
    std::array<int64_t, 2> pads{0, 0};
    bool any = false;
    if (mode == "same_upper" || mode == "same_lower") {
        for (size_t a = 0; a < 2; ++a) {
            const int64_t total =
                std::max<int64_t>(0, (dst[2 + a] - 1) * strides[a] + window[a] - src[2 + a]);
            pads[a] = mode == "same_upper" ? total / 2 : total - total / 2;
            any = any || total > 0;
        }
    } else if (mode != "valid") {
        const auto begin = node.attributes.get_ints("pads_begin", {0, 0});
        if (mode == "explicit" || mode.empty()) pads = {begin.at(0), begin.at(1)};
        for (const auto& side : {begin, node.attributes.get_ints("pads_end", {0, 0})})
            for (const int64_t pad : side)
                any = any || pad != 0;
    }
    return {pads[0], pads[1], any};
}

// The nodes reading each node's outputs (Results included).
using Readers = std::map<const graph::Node*, std::vector<graph::Node*>>;

Readers readers_of(const graph::Model& model) {
    Readers readers;
    for (const auto& node : model.nodes())
        for (const auto& input : node->inputs)
            readers[input.source.node].push_back(node.get());
    return readers;
}

class Lowering {
  public:
    Lowering(Plan& plan, cl_context context, cl_command_queue queue, Readers readers)
        : m_plan(plan), m_context(context), m_queue(queue), m_readers(std::move(readers)) {}

    // Whether `node` was fused into a kernel before it.
    bool fused(const graph::Node& node) const { return m_fused.count(&node) != 0; }

    // The nodes that read `node`'s outputs.
    const std::vector<graph::Node*>& readers(const graph::Node& node) const {
        static const std::vector<graph::Node*> none;
        const auto found = m_readers.find(&node);
        return found == m_readers.end() ? none : found->second;
    }

    // Whether any node reads output `port` of `node`.
    bool read(const graph::Node& node, size_t port) const {
        for (const graph::Node* reader : readers(node))
            for (const auto& input : reader->inputs)
                if (input.source.node == &node && input.source.port == port) return true;
        return false;
    }

    // The value `output` is, registered on first sight.
    int value_of(const graph::Output& output) {
        const auto key = std::make_pair(static_cast<const graph::Node*>(output.node), output.port);
        if (const auto found = m_ids.find(key); found != m_ids.end()) return found->second;
        Value value;
        value.type = output.type();
        m_plan.values.push_back(value);
        const int id = static_cast<int>(m_plan.values.size()) - 1;
        m_ids.emplace(key, id);
        return id;
    }

    // The value `output` is, with a device buffer (constants uploaded once).
    int on_gpu(const graph::Output& output) {
        const int id = value_of(output);
        Value& value = m_plan.values[id];
        if (value.on_gpu) return id;
        value.on_gpu = true;
        if (output.node->type == "Const") {
            const Tensor& data = output.node->value;
            value.constant = upload(data.bytes(), data.byte_size());
        }
        return id;
    }

    int on_host(const graph::Output& output) {
        const int id = value_of(output);
        Value& value = m_plan.values[id];
        value.on_host = true;
        if (output.node->type == "Const") value.host_constant = output.node->value;
        return id;
    }

    // The output `port` of a node computed on the device.
    int computed(graph::Node& node, size_t port = 0) {
        const int id = on_gpu(node.output(port));
        m_plan.values[id].from_gpu = true;
        return id;
    }

    int upload(const void* data, size_t bytes) {
        Buffer buffer = make_buffer(m_context, bytes, CL_MEM_READ_ONLY);
        check(clEnqueueWriteBuffer(m_queue, buffer.get(), CL_TRUE, 0, bytes, data, 0, nullptr,
                                   nullptr),
              "clEnqueueWriteBuffer");
        m_plan.constants.push_back(std::move(buffer));
        return static_cast<int>(m_plan.constants.size()) - 1;
    }

    void add(Step step) { m_plan.steps.push_back(std::move(step)); }

    void lower(graph::Node& node, Kind kind) {
        switch (kind) {
            case Kind::convolution:
                return convolution(node);
            case Kind::binary:
                return binary(node, binary_op(node), node.input_type(1).shape.to_shape());
            case Kind::prelu:
                return prelu(node);
            case Kind::unary:
                return unary(node);
            case Kind::pooling:
                return pooling(node);
            case Kind::concat:
                return concat(node);
            case Kind::view:
                return view(node);
            case Kind::softmax:
                return softmax(node);
            case Kind::fake_quantize:
                return fake_quantize(node);
            case Kind::transpose:
                return transpose(node);
            case Kind::normalize_l2:
                return normalize_l2(node);
            case Kind::reduce:
                return reduce(node);
            case Kind::matmul:
                return matmul(node);
            case Kind::resize:
                return resize(node);
            case Kind::none:
                break;
        }
    }

  private:
    void kernel(graph::Node& node, std::string name, std::vector<KernelArg> args,
                std::vector<size_t> global) {
        add({KernelStep{std::move(name), std::move(args), std::move(global)}, {&node}});
    }

    // The one node that reads `node` (which has one output), or null.
    graph::Node* only_reader(const graph::Node& node) const {
        const auto& nodes = readers(node);
        return nodes.size() == 1 && node.outputs.size() == 1 ? nodes[0] : nullptr;
    }

    // The values of a per-channel constant `add` adds to `conv`'s output, or empty.
    static std::vector<float> bias_of(const graph::Node& add, const graph::Node& conv) {
        if (add.type != "Add" || kind_of(add) != Kind::binary) return {};
        const size_t other = add.inputs[0].source.node == &conv ? 1 : 0;
        const graph::Node* constant = constant_input(add, other);
        const Shape dst = conv.outputs[0].type.shape.to_shape();
        if (!constant || add.outputs[0].type.shape.to_shape() != dst) return {};
        const Shape& shape = constant->value.shape();
        Shape channel(dst.size() - 1, 1);
        channel[0] = dst[1];
        if (shape != channel && shape != Shape{1, dst[1], 1, 1}) return {};
        const auto values = constant->value.to_doubles();
        return std::vector<float>(values.begin(), values.end());
    }

    void convolution(graph::Node& node) {
        const Shape src = node.input_type(0).shape.to_shape();
        const Shape weights = node.input_type(1).shape.to_shape();
        const Shape dst = node.outputs[0].type.shape.to_shape();
        const bool grouped = node.type == "GroupConvolution";
        const int64_t groups = grouped ? weights[0] : 1;
        const int64_t kernel_h = weights[weights.size() - 2];
        const int64_t kernel_w = weights[weights.size() - 1];
        const auto strides = node.attributes.get_ints("strides", {1, 1});
        const auto dilations = node.attributes.get_ints("dilations", {1, 1});
        const auto [pad_top, pad_left, padded] = window_pads(
            node, src, dst, {(kernel_h - 1) * dilations[0] + 1, (kernel_w - 1) * dilations[1] + 1},
            strides);
        // a bias and an activation after it run in the same kernel
        std::vector<const graph::Node*> nodes = {&node};
        graph::Node* last = &node;
        int bias = -1;
        if (graph::Node* add = only_reader(*last)) {
            const std::vector<float> values = bias_of(*add, node);
            if (!values.empty()) {
                bias = upload(values.data(), values.size() * sizeof(float));
                nodes.push_back(last = add);
            }
        }
        Activation activation{-1};
        if (graph::Node* reader = only_reader(*last); reader && kind_of(*reader) == Kind::unary) {
            activation = activation_of(*reader);
            nodes.push_back(last = reader);
        }
        for (const graph::Node* fused : nodes)
            m_fused.insert(fused);
        const int input = on_gpu(node.inputs[0].source);
        const int filter = on_gpu(node.inputs[1].source);
        const int output = computed(*last);
        const KernelArg bias_arg = bias >= 0 ? constant_arg(bias) : value_arg(filter);
        const bool quads = (dst[1] / groups) % 4 == 0;
        add({KernelStep{quads ? "convolution4" : "convolution",
                        {value_arg(input),
                         value_arg(filter),
                         bias_arg,
                         value_arg(output),
                         int_arg(bias >= 0),
                         int_arg(activation.op),
                         real_arg(activation.alpha),
                         real_arg(activation.beta),
                         int_arg(src[1]),
                         int_arg(src[2]),
                         int_arg(src[3]),
                         int_arg(dst[1]),
                         int_arg(dst[2]),
                         int_arg(dst[3]),
                         int_arg(kernel_h),
                         int_arg(kernel_w),
                         int_arg(strides[0]),
                         int_arg(strides[1]),
                         int_arg(dilations[0]),
                         int_arg(dilations[1]),
                         int_arg(pad_top),
                         int_arg(pad_left),
                         int_arg(groups)},
                        {static_cast<size_t>(dst[3]), static_cast<size_t>(dst[2]),
                         static_cast<size_t>(dst[0] * dst[1] / (quads ? 4 : 1))}},
             nodes});
    }

    // `b_shape` is how input 1 lines up with the output (right-aligned, NumPy style).
    void binary(graph::Node& node, int op, const Shape& b_shape) {
        const Shape a_shape = node.input_type(0).shape.to_shape();
        const Shape dst = node.outputs[0].type.shape.to_shape();
        std::array<int, 3 * k_max_rank> layout{};
        const auto fill = [&](const Shape& shape, size_t offset) {
            int64_t stride = 1;
            for (size_t d = 0; d < k_max_rank; ++d) {
                const size_t axis = k_max_rank - 1 - d;  // from the last
                const int64_t dim = d < shape.size() ? shape[shape.size() - 1 - d] : 1;
                layout[offset + axis] = dim == 1 ? 0 : static_cast<int>(stride);
                stride *= dim;
            }
        };
        for (size_t d = 0; d < k_max_rank; ++d)
            layout[k_max_rank - 1 - d] =
                d < dst.size() ? static_cast<int>(dst[dst.size() - 1 - d]) : 1;
        fill(a_shape, k_max_rank);
        fill(b_shape, 2 * k_max_rank);
        const int a = on_gpu(node.inputs[0].source);
        const int b = on_gpu(node.inputs[1].source);
        const int output = computed(node);
        const int table = upload(layout.data(), sizeof(layout));
        kernel(node, "binary",
               {value_arg(a), value_arg(b), value_arg(output), constant_arg(table), int_arg(op)},
               {shape_size(dst)});
    }

    void prelu(graph::Node& node) {
        const Shape data = node.input_type(0).shape.to_shape();
        Shape slope = node.input_type(1).shape.to_shape();
        if (slope.size() == 1 && data.size() >= 2 && slope[0] == data[1]) {
            Shape channel(data.size() - 1, 1);
            channel[0] = data[1];
            slope = channel;
        }
        binary(node, k_prelu_op, slope);
    }

    void unary(graph::Node& node) {
        const Activation activation = activation_of(node);
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        kernel(node, "unary",
               {value_arg(input), value_arg(output), int_arg(activation.op),
                real_arg(activation.alpha), real_arg(activation.beta)},
               {shape_size(node.outputs[0].type.shape.to_shape())});
    }

    void pooling(graph::Node& node) {
        const Shape src = node.input_type(0).shape.to_shape();
        const Shape dst = node.outputs[0].type.shape.to_shape();
        const auto kernel_size = node.attributes.get_ints("kernel");
        const auto strides = node.attributes.get_ints("strides", {1, 1});
        const auto dilations = node.attributes.get_ints("dilations", {1, 1});
        const std::array<int64_t, 2> window = {(kernel_size[0] - 1) * dilations[0] + 1,
                                               (kernel_size[1] - 1) * dilations[1] + 1};
        const auto [pad_top, pad_left, padded] = window_pads(node, src, dst, window, strides);
        const bool is_max = node.type == "MaxPool";
        const bool by_kernel = !is_max && padded && !node.attributes.get_bool("exclude-pad", false);
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        kernel(
            node, "pooling",
            {value_arg(input), value_arg(output), int_arg(src[2]), int_arg(src[3]), int_arg(dst[2]),
             int_arg(dst[3]), int_arg(kernel_size[0]), int_arg(kernel_size[1]), int_arg(strides[0]),
             int_arg(strides[1]), int_arg(dilations[0]), int_arg(dilations[1]), int_arg(pad_top),
             int_arg(pad_left), int_arg(is_max), int_arg(by_kernel)},
            {static_cast<size_t>(dst[3]), static_cast<size_t>(dst[2]),
             static_cast<size_t>(dst[0] * dst[1])});
    }

    void concat(graph::Node& node) {
        const Shape dst = node.outputs[0].type.shape.to_shape();
        int64_t axis = node.attributes.get_int("axis");
        if (axis < 0) axis += static_cast<int64_t>(dst.size());
        const size_t rows = static_cast<size_t>(
            std::accumulate(dst.begin(), dst.begin() + axis, int64_t{1}, std::multiplies<>()));
        const size_t row_bytes = shape_size(dst) / std::max<size_t>(rows, 1) * sizeof(float);
        const int output = computed(node);
        size_t offset = 0;
        for (const auto& input : node.inputs) {
            const size_t bytes = shape_size(input.source.type().shape.to_shape()) /
                                 std::max<size_t>(rows, 1) * sizeof(float);
            const int source = on_gpu(input.source);
            if (bytes > 0)
                add({CopyStep{source, output, rows, bytes, bytes, row_bytes, offset}, {&node}});
            offset += bytes;
        }
    }

    void view(graph::Node& node) {
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        m_plan.values[output].view_of = input;
        m_plan.views.push_back(&node);
    }

    void fake_quantize(graph::Node& node) {
        const Shape data = node.input_type(0).shape.to_shape();
        std::vector<std::vector<float>> ranges;
        size_t channels = 1;
        for (size_t i = 1; i < 5; ++i) {
            ranges.push_back(*channel_values(constant_input(node, i)->value, data));
            channels = std::max(channels, ranges.back().size());
        }
        std::vector<float> table;
        for (const auto& range : ranges)
            for (size_t c = 0; c < channels; ++c)
                table.push_back(range[range.size() == 1 ? 0 : c]);
        const size_t inner = channels == 1 ? 1 : shape_size(data) / size_t(data[0] * data[1]);
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        const int constants = upload(table.data(), table.size() * sizeof(float));
        kernel(node, "fake_quantize",
               {value_arg(input), value_arg(output), constant_arg(constants), int_arg(channels),
                int_arg(inner), real_arg(node.attributes.get_int("levels") - 1)},
               {shape_size(data)});
    }

    void transpose(graph::Node& node) {
        const Shape src = node.input_type(0).shape.to_shape();
        const Shape dst = node.outputs[0].type.shape.to_shape();
        std::vector<int64_t> order = constant_input(node, 1)->value.to_int64s();
        if (order.empty())  // reverses the axes
            for (size_t d = src.size(); d-- > 0;)
                order.push_back(static_cast<int64_t>(d));
        std::vector<int64_t> strides(src.size(), 1);
        for (size_t d = src.size(); d-- > 1;)
            strides[d - 1] = strides[d] * src[d];
        std::array<int, 2 * k_max_rank> layout{};
        const size_t lead = k_max_rank - dst.size();
        for (size_t d = 0; d < k_max_rank; ++d) {
            layout[d] = d < lead ? 1 : static_cast<int>(dst[d - lead]);
            layout[k_max_rank + d] = d < lead ? 0 : static_cast<int>(strides[order[d - lead]]);
        }
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        const int table = upload(layout.data(), sizeof(layout));
        kernel(node, "strided_copy", {value_arg(input), value_arg(output), constant_arg(table)},
               {shape_size(dst)});
    }

    // The values before, along and after the node's (consecutive) axes.
    static std::array<size_t, 3> outer_axis_inner(const graph::Node& node) {
        const Shape shape = node.input_type(0).shape.to_shape();
        const auto axes = consecutive_axes(node);
        const auto product = [&](int64_t from, int64_t to) {
            return static_cast<size_t>(std::accumulate(shape.begin() + from, shape.begin() + to,
                                                       int64_t{1}, std::multiplies<>()));
        };
        return {product(0, axes.front()), product(axes.front(), axes.back() + 1),
                product(axes.back() + 1, static_cast<int64_t>(shape.size()))};
    }

    void reduce(graph::Node& node) {
        const auto [outer, axis_size, inner] = outer_axis_inner(node);
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        kernel(node, "reduce",
               {value_arg(input), value_arg(output), int_arg(axis_size), int_arg(reduce_op(node))},
               {inner, outer});
    }

    void resize(graph::Node& node) {
        namespace interpolate = graph::ops::interpolate;
        const Shape src = node.input_type(0).shape.to_shape();
        const Shape dst = node.outputs[0].type.shape.to_shape();
        const interpolate::Config config = interpolate::config_of(node);
        std::vector<KernelArg> args;
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        args = {value_arg(input), value_arg(output)};
        for (const size_t axis : {size_t{2}, size_t{3}}) {
            interpolate::AxisTaps taps;
            if (src[axis] == dst[axis]) {
                for (int64_t i = 0; i < src[axis]; ++i) {
                    taps.add(i, 1.0f);
                    taps.next();
                }
            } else {
                taps = interpolate::taps_of(
                    config, {axis, src[axis], dst[axis],
                             static_cast<float>(dst[axis]) / static_cast<float>(src[axis])});
            }
            const std::vector<int> offsets(taps.offsets.begin(), taps.offsets.end());
            const std::vector<int> index(taps.index.begin(), taps.index.end());
            args.push_back(constant_arg(upload(offsets.data(), offsets.size() * sizeof(int))));
            args.push_back(constant_arg(upload(index.data(), index.size() * sizeof(int))));
            args.push_back(
                constant_arg(upload(taps.weight.data(), taps.weight.size() * sizeof(float))));
        }
        args.push_back(int_arg(src[2]));
        args.push_back(int_arg(src[3]));
        kernel(node, "resize", std::move(args),
               {static_cast<size_t>(dst[3]), static_cast<size_t>(dst[2]),
                static_cast<size_t>(dst[0] * dst[1])});
    }

    void matmul(graph::Node& node) {
        const Shape a = node.input_type(0).shape.to_shape();
        const Shape b = node.input_type(1).shape.to_shape();
        const Shape out = node.outputs[0].type.shape.to_shape();
        const bool transpose_a = node.attributes.get_bool("transpose_a", false);
        const bool transpose_b = node.attributes.get_bool("transpose_b", false);
        const int64_t rows = out[out.size() - 2];
        const int64_t columns = out.back();
        const int64_t depth = transpose_a ? a[a.size() - 2] : a.back();
        const size_t batches = shape_size(out) / size_t(rows * columns);
        const auto batch_stride = [&](const Shape& shape) {
            const int64_t matrix = shape[shape.size() - 2] * shape.back();
            return shape_size(shape) == size_t(matrix) ? 0 : matrix;
        };
        // a[m, k] at m * a_row + k * a_col; b[k, n] at k * b_row + n * b_col
        const int64_t a_row = transpose_a ? 1 : depth;
        const int64_t a_col = transpose_a ? rows : 1;
        const int64_t b_row = transpose_b ? 1 : columns;
        const int64_t b_col = transpose_b ? depth : 1;
        const int left = on_gpu(node.inputs[0].source);
        const int right = on_gpu(node.inputs[1].source);
        const int output = computed(node);
        kernel(node, "matmul",
               {value_arg(left), value_arg(right), value_arg(output), int_arg(depth),
                int_arg(batch_stride(a)), int_arg(a_row), int_arg(a_col), int_arg(batch_stride(b)),
                int_arg(b_row), int_arg(b_col)},
               {static_cast<size_t>(columns), static_cast<size_t>(rows), batches});
    }

    void normalize_l2(graph::Node& node) {
        const auto [outer, axis_size, inner] = outer_axis_inner(node);
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        kernel(node, "normalize_l2",
               {value_arg(input), value_arg(output), int_arg(axis_size),
                real_arg(node.attributes.get_float("eps")),
                int_arg(node.attributes.get_string("eps_mode") == "max")},
               {inner, outer});
    }

    void softmax(graph::Node& node) {
        const Shape shape = node.outputs[0].type.shape.to_shape();
        int64_t axis = node.attributes.get_int("axis", 1);
        if (axis < 0) axis += static_cast<int64_t>(shape.size());
        const auto product = [&](size_t from, size_t to) {
            return static_cast<size_t>(std::accumulate(shape.begin() + from, shape.begin() + to,
                                                       int64_t{1}, std::multiplies<>()));
        };
        const size_t outer = product(0, static_cast<size_t>(axis));
        const size_t inner = product(static_cast<size_t>(axis) + 1, shape.size());
        const int input = on_gpu(node.inputs[0].source);
        const int output = computed(node);
        kernel(node, "softmax", {value_arg(input), value_arg(output), int_arg(shape[axis])},
               {inner, outer});
    }

    Plan& m_plan;
    cl_context m_context;
    cl_command_queue m_queue;
    std::map<std::pair<const graph::Node*, size_t>, int> m_ids;
    Readers m_readers;
    std::set<const graph::Node*> m_fused;
};

// The nodes of `segment` as a model of their own: Parameters for the values they read from
// outside it, Results for those read after it. `inputs` and `outputs` receive those values.
std::shared_ptr<graph::Model> sub_model(const std::vector<graph::Node*>& segment,
                                        const graph::Model& model, Lowering& lowering,
                                        std::vector<int>& inputs, std::vector<int>& outputs) {
    auto sub = std::make_shared<graph::Model>();
    sub->name = model.name;
    std::map<std::pair<const graph::Node*, size_t>, graph::Output> mapped;
    const std::set<const graph::Node*> members(segment.begin(), segment.end());
    for (graph::Node* node : segment) {
        std::vector<graph::Output> sources;
        for (const auto& input : node->inputs) {
            const auto key = std::make_pair(static_cast<const graph::Node*>(input.source.node),
                                            input.source.port);
            auto found = mapped.find(key);
            if (found == mapped.end()) {
                graph::Output source;
                if (input.source.node->type == "Const") {
                    source = sub->add_constant(input.source.node->value, input.source.node->name);
                } else {
                    inputs.push_back(lowering.on_host(input.source));
                    source = sub->add_parameter(
                        fmt::format("{}.{}", input.source.node->name, input.source.port),
                        input.source.type().type, input.source.type().shape);
                }
                found = mapped.emplace(key, source).first;
            }
            sources.push_back(found->second);
        }
        graph::Node& copy =
            sub->add_op(node->type, node->version, sources, node->attributes, node->name);
        for (size_t port = 0; port < node->outputs.size(); ++port)
            mapped.emplace(std::make_pair(static_cast<const graph::Node*>(node), port),
                           copy.output(port));
    }
    // Values read after the segment: by a node outside it.
    for (const graph::Node* node : segment)
        for (const graph::Node* reader : lowering.readers(*node)) {
            if (members.count(reader)) continue;
            for (const auto& input : reader->inputs) {
                if (input.source.node != node) continue;
                const int value = lowering.value_of(input.source);
                if (std::find(outputs.begin(), outputs.end(), value) != outputs.end()) continue;
                outputs.push_back(value);
                sub->add_result(mapped.at({node, input.source.port}));
            }
        }
    graph::infer_shapes(*sub);
    return sub;
}

// Computes in f32 what the model declares f16, as the CPU device does: every port and Convert.
void compute_f16_in_f32(graph::Model& model) {
    for (const auto& node : model.nodes()) {
        for (auto& output : node->outputs)
            if (output.type.type == ElementType::f16) output.type.type = ElementType::f32;
        if (node->type == "Convert" && node->attributes.get_string("destination_type", "") == "f16")
            node->attributes.set("destination_type", "f32");
    }
}

}  // namespace

size_t Value::bytes() const {
    return shape_size(type.shape.to_shape()) * element_size(type.type);
}

Plan make_plan(std::shared_ptr<const graph::Model> model, cl_context context,
               cl_command_queue queue, const runtime::Device& host,
               const runtime::CompileOptions& options) {
    Plan plan;
    plan.model = std::make_shared<graph::Model>(model->clone());
    // in the model's order, which folding's topological sort may change
    const auto parameters = plan.model->parameters();
    const auto results = plan.model->results();
    passes::fold_constants(*plan.model, {.for_device = true});
    compute_f16_in_f32(*plan.model);
    Lowering lowering(plan, context, queue, readers_of(*plan.model));
    for (size_t i = 0; i < parameters.size(); ++i) {
        const int value = lowering.value_of(parameters[i]->output());
        plan.values[value].parameter = static_cast<int>(i);
        plan.inputs.push_back(value);
    }

    std::vector<graph::Node*> segment;
    const auto flush = [&] {
        if (segment.empty()) return;
        HostStep step;
        const auto sub = sub_model(segment, *plan.model, lowering, step.inputs, step.outputs);
        step.executable = host.compile(sub, options);
        lowering.add({std::move(step), {segment.begin(), segment.end()}});
        segment.clear();
    };
    for (const auto& owned : plan.model->nodes()) {
        graph::Node& node = *owned;
        if (node.type == "Parameter" || node.type == "Const" || node.type == "Result" ||
            lowering.fused(node))
            continue;
        Kind kind = kind_of(node);
        if (kind == Kind::pooling && node.outputs.size() > 1 && lowering.read(node, 1))
            kind = Kind::none;  // the indices of MaxPool-8 are the host's to compute
        if (kind == Kind::none) {
            segment.push_back(&node);
            continue;
        }
        flush();
        lowering.lower(node, kind);
    }
    flush();
    for (const graph::Node* result : results)
        plan.outputs.push_back(lowering.on_host(result->inputs[0].source));
    assign_slots(plan);
    return plan;
}

}  // namespace es::devices::gpu
