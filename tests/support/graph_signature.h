#pragma once

#include "inference/graph/model.h"

#include <string>

namespace es::testing {

// A canonical text of a model's structure: for every node in order its type, its inputs (as
// positions of their producers), and for constants their type, shape and values. Names and
// ids are left out, so graphs built independently compare equal when they compute the same.
std::string graph_signature(const graph::Model& model);

}  // namespace es::testing
