#pragma once

#include "inference/graph/op.h"

#include <string_view>
#include <vector>

namespace es::graph {

// Every op edgesight knows, from the explicit list in op_registry.cpp.
class OpRegistry {
  public:
    OpRegistry();
    // The definition of `type` in opset `version` ("opset8"); nullptr when unknown.
    const OpDef* find(std::string_view type, std::string_view version) const;
    const std::vector<OpDef>& all() const { return m_ops; }

  private:
    std::vector<OpDef> m_ops;
};

const OpRegistry& op_registry();

}  // namespace es::graph
