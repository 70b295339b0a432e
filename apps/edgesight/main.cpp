#include "apps/edgesight/commands.h"
#include "inference/core/error.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <new>

int main(int argc, char** argv) {
    CLI::App app{"edgesight: edge vision pipelines, model conversion and inference"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "edgesight 0.1.0");
    bool verbose = false;
    app.add_flag("-v,--verbose", verbose, "Log at debug level");

    std::vector<std::pair<CLI::App*, es::app::CommandRunner>> commands;
    auto add = [&](es::app::CommandRunner runner) {
        commands.emplace_back(app.get_subcommands({}).back(), std::move(runner));
    };
    add(es::app::add_inspect_command(app));
    add(es::app::add_infer_command(app));
    add(es::app::add_convert_command(app));
    add(es::app::add_quantize_command(app));
    add(es::app::add_bench_command(app));
    add(es::app::add_devices_command(app));
    add(es::app::add_check_command(app));
    add(es::app::add_run_command(app));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;
    }
    spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    try {
        for (auto& [command, runner] : commands)
            if (command->parsed()) return runner();
    } catch (const es::Error& error) {
        fmt::print(stderr, "error: {}\n", error.what());
        return error.kind() == es::ErrorKind::BadInput ? 2 : 1;
    } catch (const std::bad_alloc&) {
        fmt::print(stderr, "error: out of memory\n");
        return 1;
    } catch (const std::exception& error) {
        fmt::print(stderr, "error: {}\n", error.what());
        return 1;
    }
    return 2;
}
