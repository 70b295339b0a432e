#pragma once

#include "inference/runtime/device.h"
#include "inference/runtime/infer_request.h"
#include "inference/runtime/runtime_config.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

struct CompiledState;

// A model compiled once for a device, with the streams that run its requests. Copies share the
// compiled model. Destroying it while requests are in flight is safe: each request keeps the
// executable and the streams alive until it is destroyed (see InferRequest).
class CompiledModel {
  public:
    // Compiles `model` on `device`'s `instance` now; Core::compile resolves `streams` and the
    // batch.
    CompiledModel(std::shared_ptr<const graph::Model> model, const Device& device,
                  const std::string& instance, const StreamsConfig& streams,
                  const RuntimeConfig& config);

    // The device its requests run on now: the one compiled on, or where that was AUTO, the one
    // AUTO runs them on at this moment.
    std::string device_name() const;
    const std::vector<PortInfo>& inputs() const;
    const std::vector<PortInfo>& outputs() const;
    // The model as compiled (after batch reshaping).
    const graph::Model& model() const;

    int nstreams() const;
    int threads_per_stream() const;
    int nthreads() const;
    int optimal_nireq() const;
    size_t peak_memory_bytes() const;
    double compile_milliseconds() const;

    InferRequest create_infer_request() const;

  private:
    std::shared_ptr<CompiledState> m_state;
};

}  // namespace es::runtime
