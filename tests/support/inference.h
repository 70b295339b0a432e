#pragma once

#include "inference/graph/model.h"
#include "inference/runtime/compiled_model.h"

#include <string>
#include <vector>

namespace es::testing {

// One inference of `compiled` with `inputs` in the model's input order; its outputs in order.
std::vector<Tensor> infer(const runtime::CompiledModel& compiled,
                          const std::vector<Tensor>& inputs);

// Compiles `model` on `device` and runs it once with `inputs`.
std::vector<Tensor> run_on(graph::Model model, const std::vector<Tensor>& inputs,
                           const std::string& device);

// run_on REF.
std::vector<Tensor> run_reference(graph::Model model, const std::vector<Tensor>& inputs);

}  // namespace es::testing
