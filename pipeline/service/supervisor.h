#pragma once

#include "pipeline/flow/pipeline_set.h"
#include "pipeline/service/systemd_notify.h"

#include <filesystem>
#include <functional>

namespace es::pipeline {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and ignores SIGXFSZ (a file output
// past the file size limit fails and recovers instead). Call it before any thread starts:
// every thread inherits the mask, so that only supervise() takes these signals.
void block_service_signals();

// The main loop of `edgesight run` over started `pipelines`: reports to systemd through
// `notifier`, retries the starts of pipelines that failed to start, stops the pipelines on SIGINT
// or SIGTERM, and on SIGHUP reloads them from `config_file` (an invalid file is logged problem by
// problem and changes nothing), then hands the new config to `apply_settings`. Returns when PipelineSet::running() turns false; true when a
// signal stopped the pipelines.
// Applies the settings of a config outside its pipelines (metrics.listen, stats_interval).
using ServiceSettings = std::function<void(const Config&)>;

bool supervise(const std::filesystem::path& config_file, PipelineSet& pipelines,
               SystemdNotifier notifier, const ServiceSettings& apply_settings = {});

}  // namespace es::pipeline
