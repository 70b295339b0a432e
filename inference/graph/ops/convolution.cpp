#include "inference/graph/ops/families.h"

namespace es::graph::ops {

void add_convolution_ops(std::vector<OpDef>&) {}

}  // namespace es::graph::ops
