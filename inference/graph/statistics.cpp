#include "inference/graph/statistics.h"

namespace es::graph {
namespace {

// Product of dims [first, end) of a static shape.
uint64_t product(const PartialShape& shape, size_t first, size_t end) {
    uint64_t result = 1;
    for (size_t i = first; i < end; ++i)
        result *= static_cast<uint64_t>(shape[i]);
    return result;
}

// MACs of one node, or nullopt when its shapes are not static.
std::optional<uint64_t> node_macs(const Node& node) {
    const bool conv = node.type == "Convolution" || node.type == "GroupConvolution";
    const bool deconv =
        node.type == "ConvolutionBackpropData" || node.type == "GroupConvolutionBackpropData";
    if (!conv && !deconv && node.type != "MatMul") return 0;
    if (node.inputs.size() < 2 || node.outputs.empty()) return std::nullopt;
    const PartialShape& data = node.input_type(0).shape;
    const PartialShape& weights = node.input_type(1).shape;
    const PartialShape& output = node.outputs[0].type.shape;
    if (!data.is_static() || !weights.is_static() || !output.is_static()) return std::nullopt;
    const bool grouped = node.type.starts_with("Group");
    const size_t kernel_start = grouped ? 3 : 2;
    if (conv) {
        // every output element sums C_in/groups × kernel products
        return product(output, 0, output.rank()) * weights[kernel_start - 1] *
               product(weights, kernel_start, weights.rank());
    }
    if (deconv) {
        // every input element scatters into C_out/groups × kernel outputs
        return product(data, 0, data.rank()) * weights[kernel_start - 1] *
               product(weights, kernel_start, weights.rank());
    }
    const bool transpose_a = node.attributes.get_bool("transpose_a", false);
    const int64_t k =
        data.rank() == 1 ? data[0] : data[transpose_a ? data.rank() - 2 : data.rank() - 1];
    return product(output, 0, output.rank()) * static_cast<uint64_t>(k);
}

}  // namespace

ModelStatistics model_statistics(const Model& model) {
    ModelStatistics statistics;
    for (const auto& node : model.nodes()) {
        ++statistics.op_counts[node->type + "-" + node->version];
        if (node->type == "Const") {
            statistics.parameter_count += node->value.size();
            statistics.parameter_bytes += node->value.byte_size();
        }
        const auto macs = node_macs(*node);
        if (macs)
            statistics.macs += *macs;
        else
            ++statistics.layers_with_unknown_macs;
    }
    return statistics;
}

}  // namespace es::graph
