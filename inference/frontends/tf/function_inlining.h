#pragma once

#include "inference/frontends/tf/proto/graph.pb.h"

#include <string>

namespace es::frontends::tf_import {

// Replaces every call of a library function (PartitionedCall, StatefulPartitionedCall, or a node
// whose op names a function) by the function's body, with node names prefixed by the caller's
// name and "/". The caller's name stays valid: it becomes an IdentityN of the function's
// results, and each argument an Identity of the caller's input. Nested calls are inlined too.
// Functional control flow (If, StatelessIf, While, StatelessWhile) is lowered as TensorFlow
// lowers it, to Switch/Merge and Enter/Exit/NextIteration around its inlined functions.
// Throws es::Error (BadInput) for a call of a function the library lacks, and for nesting or
// fan-out that would make an absurd number of nodes.
void inline_functions(tensorflow::GraphDef& graph, const std::string& where);

}  // namespace es::frontends::tf_import
