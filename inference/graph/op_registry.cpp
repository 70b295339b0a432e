#include "inference/graph/op_registry.h"

#include "inference/graph/ops/families.h"

#include <charconv>

namespace es::graph {
namespace {

// "opset8" -> 8; 0 for versions outside the standard opsets.
int opset_number(std::string_view version) {
    constexpr std::string_view prefix = "opset";
    if (!version.starts_with(prefix)) return 0;
    version.remove_prefix(prefix.size());
    int number = 0;
    auto [end, error] = std::from_chars(version.data(), version.data() + version.size(), number);
    if (error != std::errc() || end != version.data() + version.size()) return 0;
    return number;
}

}  // namespace

OpRegistry::OpRegistry() {
    ops::add_io_ops(m_ops);
    ops::add_eltwise_ops(m_ops);
    ops::add_activation_ops(m_ops);
    ops::add_convolution_ops(m_ops);
    ops::add_pooling_ops(m_ops);
    ops::add_matmul_ops(m_ops);
    ops::add_shape_ops(m_ops);
    ops::add_movement_ops(m_ops);
    ops::add_normalization_ops(m_ops);
    ops::add_reduction_ops(m_ops);
    ops::add_interpolate_ops(m_ops);
    ops::add_detection_ops(m_ops);
    ops::add_grid_sample_ops(m_ops);
    ops::add_deformable_convolution_ops(m_ops);
    ops::add_roi_align_ops(m_ops);
    ops::add_gather_elements_ops(m_ops);
    ops::add_scatter_nd_ops(m_ops);
    ops::add_trigonometric_ops(m_ops);
    ops::add_ctc_decoder_ops(m_ops);
    ops::add_proposal_ops(m_ops);
    ops::add_psroi_pooling_ops(m_ops);
}

const OpDef* OpRegistry::find(std::string_view type, std::string_view version) const {
    const int opset = opset_number(version);
    if (opset == 0) return nullptr;
    const OpDef* best = nullptr;
    for (const auto& op : m_ops)
        if (op.type == type && op.since_opset <= opset &&
            (!best || op.since_opset > best->since_opset))
            best = &op;
    return best;
}

const OpRegistry& op_registry() {
    static const OpRegistry registry;
    return registry;
}

}  // namespace es::graph
