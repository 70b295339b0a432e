#pragma once

#include "inference/graph/model.h"
#include "inference/runtime/device.h"

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace es::testing {

// Builds small graphs for device-versus-REF cases: Parameters get random values when run,
// constants get random values at build time (fixed seeds).
class GraphBuilder {
  public:
    explicit GraphBuilder(uint32_t seed = 1);

    graph::Output input(PartialShape shape, ElementType type = ElementType::f32);
    // A constant of random values in [low, high).
    graph::Output constant(const Shape& shape, float low = -1.0f, float high = 1.0f);
    graph::Output constant(const Tensor& value);
    graph::Output op(const std::string& type, std::vector<graph::Output> inputs,
                     graph::Attributes attributes = {}, const std::string& name = "",
                     const std::string& version = "opset1");
    void output(const graph::Output& source);
    // Infers shapes and returns the model.
    std::shared_ptr<graph::Model> finish();

  private:
    std::shared_ptr<graph::Model> m_model = std::make_shared<graph::Model>();
    uint32_t m_state;
};

// Random f32 inputs (fixed seed) for every Parameter, with these shapes where given.
std::vector<Tensor> random_inputs(const graph::Model& model, uint32_t seed,
                                  const std::vector<Shape>& shapes = {});

struct DeviceRun {
    std::vector<Tensor> outputs;
    std::vector<runtime::LayerProfile> profile;
};

// The devices of the registry that tests check against REF: all but AUTO and REF itself. The
// GPU is among them on a machine without one where PoCL is installed (EDGESIGHT_OPENCL_CPU=1).
std::vector<std::string> devices_under_test();

// Compiles `model` on the registry's `device` and runs it on each input set in turn (one
// context).
std::vector<DeviceRun> run_on(const std::string& device, std::shared_ptr<const graph::Model> model,
                              const std::vector<std::vector<Tensor>>& inputs,
                              const runtime::CompileOptions& options = {});

// CHECKs that `device` and REF agree on `model` for these inputs: max |device - ref| <=
// tolerance * max(1, max |ref|). Returns the device's runs.
std::vector<DeviceRun> check_against_reference(const std::string& device,
                                               std::shared_ptr<const graph::Model> model,
                                               const std::vector<std::vector<Tensor>>& inputs,
                                               double tolerance = 1e-4,
                                               const runtime::CompileOptions& options = {});

// Names of the layers the profile reports as "fused into <into>".
std::vector<std::string> fused_into(const std::vector<runtime::LayerProfile>& profile,
                                    const std::string& into);
// The implementation the profile reports for the layer `name` ("" when absent).
std::string implementation_of(const std::vector<runtime::LayerProfile>& profile,
                              const std::string& name);

}  // namespace es::testing
