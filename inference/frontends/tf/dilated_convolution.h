#pragma once

#include "inference/core/tensor.h"
#include "inference/frontends/tf/proto/graph.pb.h"

#include <map>
#include <set>
#include <string>

namespace es::frontends::tf_import {

// TensorFlow writes a dilated 2-D convolution as SpaceToBatchND → Conv2D or
// DepthwiseConv2dNative (VALID, stride 1) → BatchToSpaceND. Where block shape, paddings and
// crops are constant (Const nodes, or values bound to them by name as TF.js weights are), the
// BatchToSpaceND node becomes the convolution itself, dilated by the block shape and padded
// explicitly by paddings minus crops. The replaced Conv2D and SpaceToBatchND nodes are removed
// unless another node reads them or they are `fetched` (outputs named by a signature). Other
// patterns are left for the general translations. Returns how many were folded.
size_t fold_dilated_convolutions(tensorflow::GraphDef& graph,
                                 const std::map<std::string, Tensor>& bound_values,
                                 const std::set<std::string>& fetched, const std::string& where);

}  // namespace es::frontends::tf_import
