#pragma once

#include "pipeline/flow/pipeline_set.h"
#include "pipeline/service/systemd_notify.h"

#include <filesystem>

namespace es::pipeline {

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread, and ignores SIGXFSZ (a file output
// past the file size limit fails and recovers instead). Call it before any thread starts:
// every thread inherits the mask, so that only supervise() takes these signals.
void block_service_signals();

// The main loop of `edgesight run` over started `pipelines`: reports to systemd through
// `notifier`, retries the starts of pipelines that failed to start, stops the pipelines on SIGINT
// or SIGTERM, and on SIGHUP reloads them from `config_file` (an invalid file is logged problem by
// problem and changes nothing). Returns when PipelineSet::running() turns false; true when a
// signal stopped the pipelines.
bool supervise(const std::filesystem::path& config_file, PipelineSet& pipelines,
               SystemdNotifier notifier);

}  // namespace es::pipeline
