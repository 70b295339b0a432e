#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "inference/graph/statistics.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace es::app {
namespace {

struct InspectOptions {
    std::string model;
    ImportOptions import;
    bool json = false;
};

nlohmann::json port_json(const std::string& name, const graph::PortType& type) {
    nlohmann::json shape = nullptr;  // unknown rank
    if (type.shape.rank_known()) {
        shape = nlohmann::json::array();
        for (int64_t dim : type.shape.dims())
            shape.push_back(dim);
    }
    return {{"name", name}, {"element_type", to_string(type.type)}, {"shape", shape}};
}

int run_inspect(const InspectOptions& options) {
    graph::Model model = load_model(options.model, options.import);
    const auto statistics = graph::model_statistics(model);

    nlohmann::json inputs = nlohmann::json::array();
    for (graph::Node* parameter : model.parameters())
        inputs.push_back(
            port_json(graph::output_name(parameter->output()), parameter->outputs[0].type));
    nlohmann::json outputs = nlohmann::json::array();
    for (graph::Node* result : model.results())
        outputs.push_back(port_json(graph::output_name(result->inputs[0].source),
                                    result->inputs[0].source.type()));

    if (options.json) {
        nlohmann::json report = {
            {"name", model.name},
            {"ir_version", model.ir_version},
            {"inputs", inputs},
            {"outputs", outputs},
            {"ops", statistics.op_counts},
            {"layers", model.nodes().size()},
            {"parameters", statistics.parameter_count},
            {"parameter_bytes", statistics.parameter_bytes},
            {"macs", statistics.macs},
            {"layers_with_unknown_macs", statistics.layers_with_unknown_macs},
        };
        std::cout << report.dump(2) << '\n';
        return 0;
    }
    auto print_ports = [](const char* title, const nlohmann::json& ports) {
        fmt::print("{}:\n", title);
        for (const auto& port : ports) {
            std::string dims = port["shape"].is_null() ? "..." : "";
            for (const auto& dim : port["shape"])
                dims += (dims.empty() ? "" : ",") +
                        (dim.get<int64_t>() < 0 ? std::string("?") : dim.dump());
            fmt::print("  {}  {} [{}]\n", port["name"].get<std::string>(),
                       port["element_type"].get<std::string>(), dims);
        }
    };
    fmt::print("model: {} (IR v{}, {} layers)\n", model.name, model.ir_version,
               model.nodes().size());
    print_ports("inputs", inputs);
    print_ports("outputs", outputs);
    fmt::print("ops:\n");
    for (const auto& [op, count] : statistics.op_counts)
        fmt::print("  {:<32} {}\n", op, count);
    fmt::print("parameters: {} ({:.2f} MB)\n", statistics.parameter_count,
               static_cast<double>(statistics.parameter_bytes) / 1e6);
    fmt::print(
        "MACs: {:.3f} G{}\n", static_cast<double>(statistics.macs) / 1e9,
        statistics.layers_with_unknown_macs
            ? fmt::format(" (+{} layers with dynamic shapes)", statistics.layers_with_unknown_macs)
            : "");
    return 0;
}

}  // namespace

CommandRunner add_inspect_command(CLI::App& app) {
    auto options = std::make_shared<InspectOptions>();
    CLI::App* command =
        app.add_subcommand("inspect", "Show a model's inputs, outputs, ops, size and MACs");
    command->add_option("MODEL", options->model, "IR .xml")->required();
    command->add_flag("--json", options->json, "Print one JSON object");
    add_model_options(*command, options->import);
    return [options] { return run_inspect(*options); };
}

}  // namespace es::app
