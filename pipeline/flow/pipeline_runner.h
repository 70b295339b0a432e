#pragma once

#include "inference/runtime/compiled_model.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/config/config.h"
#include "pipeline/flow/snapshot_writer.h"
#include "pipeline/metrics/histogram.h"
#include "pipeline/publish/publisher.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace es::pipeline {

struct SourceSummary {
    std::string source;
    uint64_t decoded = 0;     // frames the source decoded
    uint64_t dropped = 0;     // live frames replaced by newer ones while inference was busy
    uint64_t inferred = 0;    // frames the model ran on
    uint64_t published = 0;   // messages handed to the outputs
    uint64_t detections = 0;  // objects in those messages
    uint64_t events = 0;      // track events handed to the outputs
    uint64_t classified = 0;  // object crops the classifiers ran on
    uint64_t errors = 0;      // frames lost to preprocessing, inference or output failures
    double seconds = 0;       // from start to the last result
    std::string state;        // the source's last state: "ended", "failed", "stopped" ...
    std::string message;      // why it failed, if it did

    uint64_t reconnects = 0;  // new attempts after the source failed
    double fps = 0;           // results per second over about the last second; 0 when stalled
    // From the frame leaving the decoder to its result being handed to the outputs.
    HistogramSnapshot latency;
};

struct PipelineSummary {
    std::string pipeline;
    std::vector<SourceSummary> sources;
    std::vector<OutputStats> outputs;
    HistogramSnapshot inference_latency;  // from starting an infer request to its completion
    int requests_in_flight = 0;           // infer requests running now
};

// Runs one pipeline of a config: its sources share one compiled model through a pool of async
// infer requests. A frame's way is a row of stages:
//   admit (admit_stage.h: a thread per source; a request slot for the frame)
//   -> preprocess, infer, decode (infer_stage.h: into the request, on its stream thread)
//   -> in frame order per source through a oneTBB flow graph (a sequencer and a serial node):
//      track (pipeline/track/track_stage.h) -> classify (pipeline/classify/classify_stage.h)
//      -> publish (publish_stage.h).
class PipelineRunner {
  public:
    // `classifiers`: those of config.classify, in its order (compile_classifiers()). `outputs`
    // receive every result; they are flushed and closed when the run ends.
    PipelineRunner(PipelineConfig config, runtime::CompiledModel model,
                   std::vector<Classifier> classifiers,
                   std::vector<std::unique_ptr<Publisher>> outputs, SnapshotOptions snapshots = {});
    ~PipelineRunner();  // stops and waits
    PipelineRunner(const PipelineRunner&) = delete;
    PipelineRunner& operator=(const PipelineRunner&) = delete;

    // Starts the sources; throws es::Error (BadInput) for a source it cannot open.
    void start();
    // Stops the sources; frames already admitted are still published.
    void stop();
    // Waits until every source has ended (or failed, or was stopped), every result reached the
    // outputs and they were flushed and closed; false when `timeout` passed first.
    bool wait_for(std::chrono::milliseconds timeout);
    void wait();

    const std::string& name() const;
    PipelineSummary summary() const;
    // Publishes the stats JSON `payload` retained on the stats topic of each of the pipeline's
    // MQTT outputs that is connected; the others skip it.
    void publish_stats(const std::string& payload);

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::pipeline
