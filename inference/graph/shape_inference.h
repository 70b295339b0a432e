#pragma once

#include "inference/graph/model.h"

namespace es::graph {

enum class DeclaredShapes {
    check,   // the ports carry shapes from a file: inferred ones must agree with them
    replace  // the ports are stale (after a reshape): overwrite them
};

// Resolves each node's op definition, then infers every output type and shape in topological
// order, folding small constant subgraphs (ShapeOf chains) so that shape-dependent ops such as
// Reshape get static shapes. Throws es::Error naming the first node whose inputs its op rejects.
void infer_shapes(Model& model, DeclaredShapes declared = DeclaredShapes::replace);

// Infers one node's output types from its inputs' current types, using the values of inputs
// produced directly by Const nodes. For building graphs node by node (frontends, passes).
void infer_node(Node& node);

// Every node whose type/version has no definition, as "Type-opsetN: count (first names)" lines;
// empty when all are known.
std::vector<std::string> unsupported_ops(const Model& model);

// Sets new shapes for Parameters by name, then re-infers the model.
void reshape(Model& model, const std::vector<std::pair<std::string, PartialShape>>& shapes);

}  // namespace es::graph
