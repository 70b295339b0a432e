#pragma once

#include "inference/graph/model.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

struct CompileOptions {
    std::string hint = "latency";  // "latency" or "throughput"
    int nstreams = 0;              // 0: from the hint
    int nthreads = 0;              // 0: all cores
};

// A model compiled for one device. run() is called by one thread at a time per executable.
class Executable {
  public:
    virtual ~Executable() = default;
    // `inputs` in the order of the model's Parameters; returns one tensor per Result, in order.
    virtual std::vector<Tensor> run(const std::vector<Tensor>& inputs) = 0;
};

// A backend: says which nodes it can run and compiles whole models.
class Device {
  public:
    virtual ~Device() = default;
    virtual std::string name() const = 0;
    virtual bool supports(const graph::Node& node) const = 0;
    virtual std::unique_ptr<Executable> compile(std::shared_ptr<const graph::Model> model,
                                                const CompileOptions& options) const = 0;
};

}  // namespace es::runtime
