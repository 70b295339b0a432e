#pragma once

#include "inference/graph/model.h"
#include "inference/quantize/ranges.h"

#include <string>
#include <vector>

namespace es::quantize {

enum class Preset {
    performance,  // every convolution, as Open Model Zoo's INT8 IRs have them
    mixed,        // the heads, the first convolution and depthwise ones in float
};

struct QuantizeOptions {
    Preset preset = Preset::performance;
    std::vector<std::string> ignored_scope;  // node names or op types left in float
    RangeMethod ranges = RangeMethod::min_max;
};

// A convolution whose input activations and weights may become 8-bit integers.
struct Layer {
    std::string name;  // the node's
    std::string type;
    std::string float_reason;  // why it stays in float; empty while it is quantized
    bool depthwise = false;    // a GroupConvolution of one channel per group

    bool quantized() const { return float_reason.empty(); }
};

// Every Convolution and GroupConvolution with constant weights, in model order, with the
// reason it stays in float where `options` says so: the ignored scope, and for the mixed preset
// the heads (nothing but data movement between them and an output, DetectionOutput or
// SoftMax), the first and the depthwise convolutions.
std::vector<Layer> find_layers(const graph::Model& model, const QuantizeOptions& options);

// The layer named `name`'s node in `model`; throws es::Error (Runtime) when there is none.
graph::Node& layer_node(const graph::Model& model, const std::string& name);

}  // namespace es::quantize
