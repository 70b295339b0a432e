#include "apps/edgesight/commands.h"
#include "devices/registry.h"
#include "inference/runtime/core.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

namespace es::app {
namespace {

int run_devices(bool json) {
    const runtime::Core core(devices::make_registry());
    nlohmann::json list = nlohmann::json::array();
    for (const runtime::Device* device : core.devices()) {
        nlohmann::json instances = nlohmann::json::array();
        for (const runtime::DeviceInstance& instance : device->instances())
            instances.push_back({{"name", instance.name},
                                 {"state", instance.state},
                                 {"description", instance.description}});
        list.push_back({{"name", device->name()},
                        {"description", device->description()},
                        {"compute_units", device->compute_units()},
                        {"instances", instances}});
    }
    if (json) {
        std::cout << nlohmann::json{{"devices", list}}.dump(2) << '\n';
        return 0;
    }
    for (const auto& device : list) {
        fmt::print("{:<8} {}\n", device["name"].get<std::string>(),
                   device["description"].get<std::string>());
        for (const auto& instance : device["instances"])
            if (instance["name"] != device["name"] || instance["state"] != "ready")
                fmt::print("  {:<6} {:<6} {}\n", instance["name"].get<std::string>(),
                           instance["state"].get<std::string>(),
                           instance["description"].get<std::string>());
    }
    return 0;
}

}  // namespace

CommandRunner add_devices_command(CLI::App& app) {
    auto json = std::make_shared<bool>(false);
    CLI::App* command = app.add_subcommand("devices", "List the devices models can run on");
    command->add_flag("--json", *json, "Print one JSON object");
    return [json] { return run_devices(*json); };
}

}  // namespace es::app
