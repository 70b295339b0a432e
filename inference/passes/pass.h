#pragma once

#include "inference/graph/model.h"

#include <string_view>

namespace es::passes {

// One graph rewrite that matches one pattern. run() returns how many places it rewrote
// (0: the graph is unchanged). Passes keep tensor names and log each rewrite at debug level.
class Pass {
  public:
    virtual ~Pass() = default;
    virtual std::string_view name() const = 0;
    virtual size_t run(graph::Model& model) = 0;
};

}  // namespace es::passes
