#include "inference/passes/rewrite_util.h"
#include "inference/passes/simple_passes.h"

#include <cmath>

namespace es::passes {
namespace {

bool fits_f16(const Tensor& value) {
    const float* data = value.data<float>();
    for (size_t i = 0; i < value.size(); ++i)
        if (std::isfinite(data[i]) && std::abs(data[i]) > 65504.0f) return false;
    return true;
}

}  // namespace

size_t Fp16Compression::run(graph::Model& model) {
    size_t compressed = 0;
    for (graph::Node* node : node_list(model)) {
        if (node->type != "Const" || node->value.type() != ElementType::f32) continue;
        if (!fits_f16(node->value)) continue;
        const graph::Output half =
            model.add_constant(convert(node->value, ElementType::f16), node->name + "_compressed");
        graph::Node& decompress =
            model.add_op("Convert", "opset1", {half}, {{"destination_type", "f32"}}, node->name);
        decompress.rt_info.push_back({{{"name", "decompression"}, {"version", "0"}}});
        decompress.outputs.push_back(
            {graph::PortType{ElementType::f32, PartialShape(node->value.shape())}, {}, {}});
        node->name += "_uncompressed";
        model.replace_uses(node->output(), decompress.output());
        ++compressed;
    }
    if (compressed) model.remove_unused();
    return compressed;
}

}  // namespace es::passes
