#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "devices/registry.h"
#include "inference/runtime/core.h"
#include "pipeline/config/config.h"
#include "pipeline/flow/outputs.h"
#include "pipeline/flow/pipeline_set.h"
#include "pipeline/metrics/metrics_server.h"
#include "pipeline/metrics/run_metrics.h"
#include "pipeline/metrics/stats_json.h"
#include "pipeline/metrics/stats_reporter.h"
#include "pipeline/service/supervisor.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <optional>

namespace es::app {
namespace {

struct RunOptions {
    std::string config;
    std::string json_summary;
    std::string snapshot_dir;
    int snapshot_every = 30;
    int snapshot_keep = 1000;
};

// `pipelines` running at once share the cores: each model computes on its part of them, so that
// one pipeline's inference threads cannot crowd out another's decoding and inference.
pipeline::RunnerStart prepare_pipeline(const runtime::Core& core,
                                       const pipeline::PipelineConfig& config, size_t pipelines,
                                       const pipeline::SnapshotOptions& snapshots) {
    auto model = std::make_shared<graph::Model>(load_model(config.model.path.string()));
    runtime::RuntimeConfig runtime_config;
    if (pipelines > 1)
        runtime_config.nthreads =
            std::max(1, runtime::available_cores() / static_cast<int>(pipelines));
    runtime_config.hint = config.model.hint == pipeline::PerformanceHint::latency
                              ? runtime::PerformanceHint::latency
                              : runtime::PerformanceHint::throughput;
    runtime::CompiledModel compiled = core.compile(model, config.model.device, runtime_config);
    if (!compiled.inputs().empty() && !compiled.inputs()[0].type.shape.is_static()) {
        runtime_config.batch = 1;
        compiled = core.compile(model, config.model.device, runtime_config);
    }
    spdlog::info("pipeline {}: {} on {}, {} streams", config.name,
                 config.model.path.filename().string(), compiled.device_name(),
                 compiled.nstreams());
    auto prepared = std::make_shared<runtime::CompiledModel>(std::move(compiled));
    auto classifiers =
        std::make_shared<std::vector<pipeline::Classifier>>(pipeline::compile_classifiers(
            core, config.classify,
            [](const std::filesystem::path& path) { return load_model(path.string()); },
            runtime_config.nthreads));
    return [config, prepared, classifiers, snapshots] {
        auto runner = std::make_unique<pipeline::PipelineRunner>(
            config, std::move(*prepared), std::move(*classifiers),
            pipeline::make_publishers(config), snapshots);
        runner->start();
        return runner;
    };
}

void print_summary(const std::vector<pipeline::PipelineSummary>& summaries) {
    for (const auto& summary : summaries)
        for (const auto& source : summary.sources) {
            const double fps = source.seconds > 0 ? source.inferred / source.seconds : 0.0;
            fmt::print(stderr,
                       "{}/{}: {} frames decoded, {} inferred, {} dropped, {} published, {} "
                       "detections, {} errors, {:.1f} fps ({}{}{})\n",
                       summary.pipeline, source.source, source.decoded, source.inferred,
                       source.dropped, source.published, source.detections, source.errors, fps,
                       source.state, source.message.empty() ? "" : ": ", source.message);
        }
    for (const auto& summary : summaries)
        for (const auto& output : summary.outputs)
            fmt::print(stderr, "{} {}: {} published, {} delivered, {} pending, {} dropped{}{}\n",
                       summary.pipeline, output.output, output.published, output.delivered,
                       output.pending, output.dropped,
                       output.failed_saves
                           ? fmt::format(", {} failed seq saves", output.failed_saves)
                           : "",
                       output.connected ? "" : " (disconnected)");
}

nlohmann::json summary_json(const std::vector<pipeline::PipelineSummary>& summaries,
                            const std::vector<std::string>& failed) {
    nlohmann::json pipelines = nlohmann::json::array();
    for (const auto& summary : summaries)
        pipelines.push_back(pipeline::summary_json(summary));
    return {{"pipelines", pipelines}, {"failed_pipelines", failed}};
}

int run_pipelines(const RunOptions& options) {
    // Before any thread starts: the device registry's OpenCL drivers start theirs.
    pipeline::block_service_signals();
    const pipeline::ConfigCheck check =
        pipeline::check_config_file(options.config, devices::device_names());
    if (!check.runnable()) {
        for (const auto& problem : check.problems)
            fmt::print(stderr, "{}: {}\n", options.config, pipeline::to_string(problem));
        fmt::print(stderr, "{} problem{}\n", check.problems.size(),
                   check.problems.size() == 1 ? "" : "s");
        return 2;
    }
    // stdout may carry the results.
    const spdlog::level::level_enum level = spdlog::get_level();
    spdlog::set_default_logger(spdlog::stderr_color_mt("edgesight"));
    spdlog::set_level(level);
    for (const auto& problem : check.problems)
        spdlog::warn("{}: {}; its pipeline starts once the file is there", options.config,
                     pipeline::to_string(problem));
    if (options.snapshot_every < 1)
        throw_bad_input("--snapshot-every {}: expected 1 or more", options.snapshot_every);
    if (options.snapshot_keep < 1)
        throw_bad_input("--snapshot-keep {}: expected 1 or more", options.snapshot_keep);
    pipeline::SnapshotOptions snapshots{options.snapshot_dir, options.snapshot_every,
                                        options.snapshot_keep};
    if (!snapshots.dir.empty()) std::filesystem::create_directories(snapshots.dir);

    const runtime::Core core(devices::make_registry());
    pipeline::PipelineSet pipelines([&](const pipeline::PipelineConfig& config, size_t count) {
        return prepare_pipeline(core, config, count, snapshots);
    });
    pipelines.start(check.config);
    bool stopped = false;
    {
        std::optional<pipeline::MetricsServer> metrics;
        std::optional<pipeline::StatsReporter> stats;
        int stats_interval = -1;
        const auto apply_settings = [&](const pipeline::Config& config) {
            if (!metrics || metrics->listen_address() != config.metrics.listen) {
                metrics.reset();  // frees the port first
                metrics.emplace(config.metrics.listen,
                                [&pipelines] { return pipeline::render_metrics(pipelines); });
            }
            if (stats_interval != config.stats_interval) {
                stats.reset();
                stats.emplace(std::chrono::seconds(config.stats_interval),
                              [&pipelines] { pipeline::publish_stats(pipelines); });
                stats_interval = config.stats_interval;
            }
        };
        apply_settings(check.config);
        stopped =
            pipeline::supervise(options.config, pipelines,
                                pipeline::SystemdNotifier::from_environment(), apply_settings);
    }
    pipelines.wait();
    const std::vector<pipeline::PipelineSummary> summaries = pipelines.summaries();
    std::vector<std::string> failed;
    for (const auto& waiting : pipelines.waiting())
        failed.push_back(waiting.pipeline);
    bool source_failed = false;
    for (const auto& summary : summaries)
        for (const auto& source : summary.sources)
            source_failed = source_failed || source.state == "failed";
    print_summary(summaries);
    if (!options.json_summary.empty()) {
        const std::string text = summary_json(summaries, failed).dump(2);
        if (options.json_summary == "-") {
            std::cout << text << '\n';
        } else {
            std::ofstream file(options.json_summary);
            file << text << '\n';
            if (!file) throw_runtime("cannot write {}", options.json_summary);
        }
    }
    return failed.empty() && (stopped || !source_failed) ? 0 : 1;
}

}  // namespace

CommandRunner add_run_command(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* command = app.add_subcommand(
        "run",
        "Run every pipeline of a config until its sources end or SIGINT/SIGTERM; SIGHUP "
        "reloads the config");
    command->add_option("CONFIG", options->config, "Pipeline config .json")->required();
    command->add_option("--json-summary", options->json_summary,
                        "Write the summary as JSON to this file ('-': stdout)");
    command->add_option("--snapshots", options->snapshot_dir,
                        "Write annotated JPEG snapshots of the frames into this folder");
    command->add_option("--snapshot-every", options->snapshot_every,
                        "A snapshot of every N-th inferred frame of each source (default 30)");
    command->add_option("--snapshot-keep", options->snapshot_keep,
                        "Keep the newest N snapshots of each pipeline, deleting older ones "
                        "(default 1000)");
    return [options] { return run_pipelines(*options); };
}

}  // namespace es::app
