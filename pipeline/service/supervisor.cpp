#include "pipeline/service/supervisor.h"

#include "pipeline/service/service_reporter.h"

#include "devices/registry.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <ctime>

namespace es::pipeline {
namespace {

sigset_t service_signals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    return signals;
}

void reload(const std::filesystem::path& config_file, PipelineSet& pipelines,
            ServiceReporter& service, const ServiceSettings& apply_settings) {
    spdlog::info("SIGHUP: reloading {}", config_file.string());
    service.reloading();
    const ConfigCheck check = check_config_file(config_file, devices::device_names());
    if (!check.runnable()) {
        for (const auto& problem : check.problems)
            spdlog::error("reload: {}: {}", config_file.string(), to_string(problem));
        spdlog::error("reload: {} problem{}; the running pipelines continue unchanged",
                      check.problems.size(), check.problems.size() == 1 ? "" : "s");
    } else {
        for (const auto& problem : check.problems)
            spdlog::warn("reload: {}: {}", config_file.string(), to_string(problem));
        ReloadCounts counts;
        service.while_busy([&] {
            counts = pipelines.reload(check.config);
            if (apply_settings) apply_settings(check.config);
        });
        spdlog::info("reload: {} unchanged, {} restarted, {} added, {} removed{}{}",
                     counts.unchanged, counts.restarted, counts.added, counts.removed,
                     counts.failed > 0 ? fmt::format(", {} failed to start", counts.failed) : "",
                     counts.kept > 0
                         ? fmt::format(", {} kept running with the previous config", counts.kept)
                         : "");
    }
    service.ready(pipelines);
}

}  // namespace

void block_service_signals() {
    const sigset_t signals = service_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    // A write past the file size limit then fails with EFBIG, which the file output survives,
    // instead of killing the service.
    std::signal(SIGXFSZ, SIG_IGN);
}

bool supervise(const std::filesystem::path& config_file, PipelineSet& pipelines,
               SystemdNotifier notifier, const ServiceSettings& apply_settings) {
    ServiceReporter service(std::move(notifier));
    service.ready(pipelines);
    const sigset_t signals = service_signals();
    const auto tick_ns = std::chrono::nanoseconds(service.poll_interval()).count();
    const timespec tick{tick_ns / 1'000'000'000, tick_ns % 1'000'000'000};
    bool stopped = false;
    while (pipelines.running()) {
        service.poll(pipelines);
        if (const auto retry = pipelines.next_retry();
            retry && !stopped && *retry <= PipelineSet::Clock::now()) {
            service.while_busy([&] { pipelines.retry_due(PipelineSet::Clock::now()); });
            service.status(pipelines);
        }
        const int signal = sigtimedwait(&signals, nullptr, &tick);
        if (signal <= 0 || stopped) continue;
        if (signal == SIGHUP) {
            reload(config_file, pipelines, service, apply_settings);
            continue;
        }
        spdlog::info("{}: stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
        service.stopping();
        stopped = true;
        pipelines.stop();
    }
    service.stopping();
    return stopped;
}

}  // namespace es::pipeline
