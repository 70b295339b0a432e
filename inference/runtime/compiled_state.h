#pragma once

#include "inference/runtime/device.h"
#include "inference/runtime/infer_request.h"
#include "inference/runtime/runtime_config.h"
#include "inference/runtime/stream_executor.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

// What a CompiledModel and every request made from it share. The last of them to go destroys
// it; by then no request is in flight, so the executor's workers are idle and just join.
struct CompiledState {
    std::shared_ptr<const graph::Model> model;  // as compiled: after batch reshaping
    std::unique_ptr<const Executable> executable;
    std::string device_name;
    std::vector<PortInfo> inputs;
    std::vector<PortInfo> outputs;
    StreamsConfig streams;
    double compile_milliseconds = 0;
    StreamExecutor executor;  // last: destroyed first

    explicit CompiledState(int nstreams) : executor(nstreams) {}
};

}  // namespace es::runtime
