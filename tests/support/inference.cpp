#include "tests/support/inference.h"

#include "devices/registry.h"
#include "inference/runtime/core.h"

#include <memory>

namespace es::testing {

std::vector<Tensor> infer(const runtime::CompiledModel& compiled,
                          const std::vector<Tensor>& inputs) {
    auto request = compiled.create_infer_request();
    for (size_t i = 0; i < inputs.size(); ++i)
        request.set_input(i, inputs[i]);
    request.infer();
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < compiled.outputs().size(); ++i)
        outputs.push_back(request.output(i).clone());
    return outputs;
}

std::vector<Tensor> run_on(graph::Model model, const std::vector<Tensor>& inputs,
                           const std::string& device) {
    static const runtime::Core core(devices::make_registry());
    return infer(core.compile(std::make_shared<graph::Model>(std::move(model)), device), inputs);
}

std::vector<Tensor> run_reference(graph::Model model, const std::vector<Tensor>& inputs) {
    return run_on(std::move(model), inputs, "REF");
}

}  // namespace es::testing
