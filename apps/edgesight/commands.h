#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace es::app {

// Each subcommand registers its options on `app` and returns the function that runs it,
// which returns the process exit code.
using CommandRunner = std::function<int()>;

CommandRunner add_inspect_command(CLI::App& app);
CommandRunner add_infer_command(CLI::App& app);
CommandRunner add_convert_command(CLI::App& app);
CommandRunner add_quantize_command(CLI::App& app);
CommandRunner add_bench_command(CLI::App& app);
CommandRunner add_devices_command(CLI::App& app);
CommandRunner add_check_command(CLI::App& app);
CommandRunner add_run_command(CLI::App& app);

}  // namespace es::app
