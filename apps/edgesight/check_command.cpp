#include "apps/edgesight/commands.h"
#include "devices/registry.h"
#include "pipeline/config/config.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace es::app {
namespace {

struct CheckOptions {
    std::string config;
    bool json = false;
};

int run_check(const CheckOptions& options) {
    const pipeline::ConfigCheck check =
        pipeline::check_config_file(options.config, devices::device_names());
    size_t sources = 0;
    for (const auto& pipeline : check.config.pipelines)
        sources += pipeline.sources.size();

    if (options.json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& problem : check.problems)
            problems.push_back({{"path", problem.path}, {"message", problem.message}});
        const nlohmann::json report = {{"config", options.config},
                                       {"ok", check.ok()},
                                       {"pipelines", check.config.pipelines.size()},
                                       {"sources", sources},
                                       {"problems", problems}};
        std::cout << report.dump(2) << '\n';
    } else if (check.ok()) {
        fmt::print("ok: {} pipeline{}, {} source{}\n", check.config.pipelines.size(),
                   check.config.pipelines.size() == 1 ? "" : "s", sources, sources == 1 ? "" : "s");
    } else {
        for (const auto& problem : check.problems)
            fmt::print("{}: {}\n", options.config, pipeline::to_string(problem));
        fmt::print("{} problem{}\n", check.problems.size(), check.problems.size() == 1 ? "" : "s");
    }
    return check.ok() ? 0 : 2;
}

}  // namespace

CommandRunner add_check_command(CLI::App& app) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* command = app.add_subcommand(
        "check", "Validate a pipeline config: print every problem with its JSON path");
    command->add_option("CONFIG", options->config, "Pipeline config .json")->required();
    command->add_flag("--json", options->json, "Print one JSON object");
    return [options] { return run_check(*options); };
}

}  // namespace es::app
