#pragma once

#include "inference/frontends/tf/proto/node_def.pb.h"
#include "inference/graph/model.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace es::frontends::tf_import {

// Translates one node given its data inputs; `name` is the node's name, suffixed inside loops
// with the iteration, so that every unrolled copy has its own.
using TranslateFn = std::function<std::vector<graph::Output>(
    const tensorflow::NodeDef&, std::vector<graph::Output> inputs, const std::string& name)>;

// Runs a GraphDef's dataflow at conversion time, as TensorFlow's executor runs it, translating
// each node once per loop iteration it runs in. TF1 control flow (Switch, Merge, Enter, Exit,
// NextIteration, LoopCond) and TensorArray/TensorList ops are resolved here: a condition and a
// loop's trip count must fold to constants, so the graph built holds no control flow. A node
// outside every loop whose inputs are all such nodes is translated once, in producer order.
class Dataflow {
  public:
    // `nodes`: every node the outputs need; `fed`: values of the Placeholders that are inputs.
    Dataflow(std::vector<const tensorflow::NodeDef*> nodes,
             std::unordered_map<std::string, graph::Output> fed, graph::Model& model,
             TranslateFn translate, std::string where);
    ~Dataflow();

    // Translates every node that runs; throws es::Error (BadInput) naming the node whose
    // condition or index is not constant, or a loop that does not end.
    void run();

    // The nodes whose op this class translates itself, besides the op table's.
    static bool handles(const std::string& op);

    // Output `index` of `node` outside every loop; fails naming the node when it did not run or
    // its value is on a branch not taken.
    graph::Output output(const std::string& node, size_t index) const;
    // Whether `node` ran outside every loop with a live value: a loose end inside a loop or on
    // a branch not taken is no output of the model.
    bool ran(const std::string& node) const;
    size_t output_count(const std::string& node) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::frontends::tf_import
