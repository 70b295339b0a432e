#include "pipeline/flow/pipeline_runner.h"

#include "inference/core/error.h"
#include "pipeline/classify/classify_stage.h"
#include "pipeline/flow/admit_stage.h"
#include "pipeline/flow/infer_stage.h"
#include "pipeline/flow/publish_stage.h"
#include "pipeline/flow/request_pool.h"
#include "pipeline/flow/result_counters.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/preprocess/preprocessor.h"
#include "pipeline/source/source.h"
#include "pipeline/track/track_stage.h"

#include <oneapi/tbb/flow_graph.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace es::pipeline {
namespace {

using Clock = std::chrono::steady_clock;
namespace flow = oneapi::tbb::flow;

// Results wait here until every earlier frame of their source has passed.
using OrderNode = flow::sequencer_node<RequestSlot*>;
// Rejecting: a busy node leaves the next result in the sequencer, which hands them out in order.
using PublishNode = flow::function_node<RequestSlot*, flow::continue_msg, flow::rejecting>;

// For all outputs of a run that ends together.
constexpr std::chrono::milliseconds k_flush_timeout{20000};
constexpr std::chrono::milliseconds k_flush_step{100};
constexpr std::chrono::milliseconds k_disconnected_wait{5000};

// Waits until `output` delivered everything, `deadline` passed or it has been disconnected for
// k_disconnected_wait: what a broker that is away has not acknowledged stays persisted for the
// next connection.
bool flush_while_connected(Publisher& output, Clock::time_point deadline) {
    auto connected_at = Clock::now();
    while (!output.flush(k_flush_step)) {
        const auto now = Clock::now();
        if (output.stats().connected) connected_at = now;
        if (now >= deadline || now - connected_at >= k_disconnected_wait) return false;
    }
    return true;
}

SourceSpec source_spec(const SourceConfig& config) {
    SourceSpec spec;
    spec.id = config.id;
    spec.uri = config.uri;
    spec.fps = config.fps.value_or(0.0);
    spec.loop = config.loop;
    spec.realtime = config.realtime;
    spec.resolution = config.resolution;
    return spec;
}

std::string describe(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& exception) {
        return exception.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

struct PipelineRunner::Impl {
    struct SourceRun {
        SourceConfig config;
        std::unique_ptr<Preprocessor> preprocessor;  // `source` calls it: destroyed after it
        std::unique_ptr<Source> source;
        ResultCounters counters;
        std::optional<AdmitStage> admit;
        // The stages after inference, run by `publish_node` in frame order.
        std::optional<TrackStage> track;
        std::optional<ClassifyStage> classify;
        std::optional<PublishStage> publish;
        std::unique_ptr<OrderNode> order;
        std::unique_ptr<PublishNode> publish_node;
        std::thread admission;
    };

    Impl(PipelineConfig config, runtime::CompiledModel model, std::vector<Classifier> classifiers,
         std::vector<std::unique_ptr<Publisher>> outputs, SnapshotOptions snapshots);

    void start();
    void admit(SourceRun& run);
    void publish(SourceRun& run, RequestSlot& slot);
    std::span<const TrackEvent> track(SourceRun& run, RequestSlot& slot);
    std::span<const TrackEvent> classify(SourceRun& run, RequestSlot& slot);
    void count_error(SourceRun& run, const RequestSlot& slot, const std::string& message);
    void on_status(SourceRun& run, const SourceStatus& status);
    void finish();

    PipelineConfig config;
    runtime::CompiledModel model;
    std::vector<Classifier> classifiers;
    std::vector<std::unique_ptr<Publisher>> outputs;
    SnapshotOptions snapshots;
    std::optional<SnapshotWriter> snapshot_writer;
    std::unique_ptr<RequestPool> pool;
    std::optional<InferStage> infer;
    flow::graph graph;
    std::vector<std::unique_ptr<SourceRun>> sources;  // after `graph`: its nodes go first

    int64_t started_at_ns = 0;  // steady clock
    bool started = false;
    std::atomic<bool> stopping{false};
    std::thread finisher;
    std::mutex done_mutex;
    std::condition_variable done_changed;
    bool done = false;
};

PipelineRunner::Impl::Impl(PipelineConfig config_, runtime::CompiledModel model_,
                           std::vector<Classifier> classifiers_,
                           std::vector<std::unique_ptr<Publisher>> outputs_,
                           SnapshotOptions snapshots_)
    : config(std::move(config_)),
      model(std::move(model_)),
      classifiers(std::move(classifiers_)),
      outputs(std::move(outputs_)),
      snapshots(std::move(snapshots_)) {
    if (!snapshots.dir.empty()) snapshot_writer.emplace(snapshots, config.name);
    if (model.inputs().size() != 1)
        throw_bad_input("model {}: {} inputs; expected one image input", config.model.path.string(),
                        model.inputs().size());
    if (classifiers.size() != config.classify.size())
        throw_bad_input("pipeline {}: {} classifiers compiled for {} in its config", config.name,
                        classifiers.size(), config.classify.size());
    const runtime::PortInfo& input = model.inputs()[0];
    DecoderOptions decoding = DecoderOptions::from(config.model);
    decoding.threshold = decoder_threshold(config.model.threshold, config.track);
    const int nireq = config.model.nireq > 0 ? config.model.nireq : model.optimal_nireq();
    pool = std::make_unique<RequestPool>(model, std::max(1, nireq));
    for (auto& slot : pool->slots())
        slot->result.pipeline = config.name;
    infer.emplace(*pool, make_decoder(std::move(decoding), model.outputs()),
                  [this](RequestSlot& slot) { sources[slot.source]->order->try_put(&slot); });
    for (const SourceConfig& source_config : config.sources) {
        auto run = std::make_unique<SourceRun>();
        run->config = source_config;
        if (config.track) run->track.emplace(*config.track, config.events, config.model.threshold);
        if (!classifiers.empty())
            run->classify.emplace(classifiers, config.events.has_value(), run->counters.classified);
        run->publish.emplace(config.name, source_config.id, config.publish_empty, outputs,
                             run->counters);
        run->preprocessor = std::make_unique<Preprocessor>(
            config.model.preprocess, input.type.shape, input.type.type, input.name);
        run->order = std::make_unique<OrderNode>(
            graph, [](RequestSlot* const& slot) { return static_cast<size_t>(slot->order); });
        run->publish_node = std::make_unique<PublishNode>(
            graph, flow::serial, [this, run = run.get()](RequestSlot* slot) {
                publish(*run, *slot);
                return flow::continue_msg();
            });
        flow::make_edge(*run->order, *run->publish_node);
        sources.push_back(std::move(run));
    }
}

void PipelineRunner::Impl::start() {
    started = true;
    started_at_ns = steady_ns();
    for (size_t i = 0; i < sources.size(); ++i) {
        SourceRun& run = *sources[i];
        try {
            SourceSpec spec = source_spec(run.config);
            // Snapshots show the frames as decoded and classifiers crop them: at the stream's size.
            if (snapshots.dir.empty() && classifiers.empty())
                spec.decode_size = [preprocessor = run.preprocessor.get()](Resolution stream) {
                    const auto transform = preprocessor->transform_for(stream.width, stream.height);
                    return Resolution{transform.resized_width(), transform.resized_height()};
                };
            run.source = std::make_unique<Source>(std::move(spec));
            run.source->start({},
                              [this, &run](const SourceStatus& status) { on_status(run, status); });
        } catch (const std::exception& error) {
            spdlog::error("pipeline {}: source {}: {}", config.name, run.config.id, error.what());
            run.counters.set_failure(error.what());
            run.source.reset();
            continue;
        }
        run.admit.emplace(
            AdmitStage::Options{i, run.config.id, config.inference_interval, run.track.has_value(),
                                snapshots.dir.empty() ? 0 : static_cast<uint64_t>(snapshots.every)},
            *run.source, *pool, run.counters);
        run.admission = std::thread([this, &run] { admit(run); });
    }
    finisher = std::thread([this] { finish(); });
}

void PipelineRunner::Impl::admit(SourceRun& run) {
    const bool keep_frames = run.classify.has_value();
    run.admit->run(
        stopping,
        [&](RequestSlot& slot, Frame& frame) {
            infer->start(slot, frame, *run.preprocessor, keep_frames);
        },
        [&](RequestSlot& slot) { run.order->try_put(&slot); });
}

void PipelineRunner::Impl::publish(SourceRun& run, RequestSlot& slot) {
    if (slot.error) {
        count_error(run, slot, describe(slot.error));
    } else {
        run.publish->events(slot.result, track(run, slot));
        if (run.classify) run.publish->events(slot.result, classify(run, slot));
        if (!slot.skipped) ++run.counters.inferred;
        run.publish->results(slot.result);
        const int64_t now = steady_ns();
        run.counters.count_result(now, slot.decoded_ns, now - started_at_ns);
        if (slot.take_snapshot) snapshot_writer->write(slot.result, slot.snapshot);
    }
    slot.frame.release();
    pool->release(slot);
}

// The frame's objects: tracked, or the detections as they are.
std::span<const TrackEvent> PipelineRunner::Impl::track(SourceRun& run, RequestSlot& slot) {
    if (slot.skipped) return run.track->predict(slot.pts_ns, slot.decoded_ns, slot.result);
    if (run.track)
        return run.track->run(slot.detections, slot.pts_ns, slot.decoded_ns, slot.result);
    set_objects(slot.detections, slot.result);
    return {};
}

// A frame whose classification failed is published without attributes.
std::span<const TrackEvent> PipelineRunner::Impl::classify(SourceRun& run, RequestSlot& slot) {
    try {
        return run.classify->run(slot.frame.bgr, slot.result,
                                 run.track ? run.track->ended() : std::span<const int64_t>());
    } catch (const std::exception& error) {
        count_error(run, slot, error.what());
        for (ObjectResult& object : slot.result.objects)
            object.tensors.clear();
        return {};
    }
}

void PipelineRunner::Impl::count_error(SourceRun& run, const RequestSlot& slot,
                                       const std::string& message) {
    if (run.counters.errors++ == 0)
        spdlog::error("pipeline {}: source {}: frame {}: {}", config.name, run.config.id,
                      slot.result.frame, message);
}

void PipelineRunner::Impl::on_status(SourceRun& run, const SourceStatus& status) {
    switch (status.state) {
        case SourceState::Retrying:
            spdlog::debug("pipeline {}: source {}: {}; retrying in {} ms", config.name,
                          run.config.id, status.message, status.retry_in.count());
            break;
        case SourceState::Failed: {
            spdlog::debug("pipeline {}: source {}: failed: {}", config.name, run.config.id,
                          status.message);
            run.counters.set_failure(status.message);
            break;
        }
        case SourceState::Ended:
            spdlog::debug("pipeline {}: source {}: ended", config.name, run.config.id);
            break;
        default:
            break;
    }
}

void PipelineRunner::Impl::finish() {
    for (auto& run : sources)
        if (run->admission.joinable()) run->admission.join();
    pool->wait_idle();
    graph.wait_for_all();
    for (auto& run : sources)
        if (run->track) run->publish->final_events(run->track->finish());
    const auto flush_deadline = Clock::now() + k_flush_timeout;
    for (auto& output : outputs) {
        try {
            if (!flush_while_connected(*output, flush_deadline))
                spdlog::warn(
                    "pipeline {}: an output still has undelivered messages; they stay "
                    "queued",
                    config.name);
            output->close();
        } catch (const std::exception& error) {
            spdlog::error("pipeline {}: {}", config.name, error.what());
        }
    }
    {
        std::lock_guard lock(done_mutex);
        done = true;
    }
    done_changed.notify_all();
}

PipelineRunner::PipelineRunner(PipelineConfig config, runtime::CompiledModel model,
                               std::vector<Classifier> classifiers,
                               std::vector<std::unique_ptr<Publisher>> outputs,
                               SnapshotOptions snapshots)
    : m_impl(std::make_unique<Impl>(std::move(config), std::move(model), std::move(classifiers),
                                    std::move(outputs), std::move(snapshots))) {}

PipelineRunner::~PipelineRunner() {
    stop();
    wait();
}

void PipelineRunner::start() {
    if (!m_impl->started) m_impl->start();
}

void PipelineRunner::stop() {
    m_impl->stopping = true;
    for (auto& run : m_impl->sources)
        if (run->source) run->source->stop();
}

bool PipelineRunner::wait_for(std::chrono::milliseconds timeout) {
    if (!m_impl->started) return true;
    std::unique_lock lock(m_impl->done_mutex);
    return m_impl->done_changed.wait_for(lock, timeout, [&] { return m_impl->done; });
}

void PipelineRunner::wait() {
    if (!m_impl->started) return;
    {
        std::unique_lock lock(m_impl->done_mutex);
        m_impl->done_changed.wait(lock, [&] { return m_impl->done; });
    }
    if (m_impl->finisher.joinable()) m_impl->finisher.join();
}

const std::string& PipelineRunner::name() const {
    return m_impl->config.name;
}

PipelineSummary PipelineRunner::summary() const {
    PipelineSummary summary;
    summary.pipeline = m_impl->config.name;
    for (const auto& run : m_impl->sources) {
        SourceSummary source;
        source.source = run->config.id;
        if (run->source) {
            const SourceCounters counters = run->source->counters();
            source.decoded = counters.frames;
            source.dropped = counters.dropped;
            source.reconnects = counters.reconnects;
            source.state = to_string(run->source->status().state);
        } else {
            source.state = to_string(SourceState::Failed);
        }
        run->counters.fill(source, steady_ns());
        summary.sources.push_back(std::move(source));
    }
    for (const auto& output : m_impl->outputs)
        summary.outputs.push_back(output->stats());
    summary.inference_latency = m_impl->infer->latency();
    summary.requests_in_flight = m_impl->infer->in_flight();
    return summary;
}

void PipelineRunner::publish_stats(const std::string& payload) {
    for (auto& output : m_impl->outputs)
        output->publish_stats(payload);
}

}  // namespace es::pipeline
