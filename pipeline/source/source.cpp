#include "pipeline/source/source.h"

#include "inference/core/error.h"
#include "pipeline/config/uri_redaction.h"
#include "pipeline/source/frame_queue.h"
#include "pipeline/source/gst_pipeline.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace es::pipeline {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int64_t now_ns(Clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

// "Resource not found. (detail)": GStreamer's message, plus the debug text's detail lines
// (its first line only names the C function and the element path).
std::string describe(GstMessage* message, std::string* debug_text) {
    GError* error = nullptr;
    gchar* debug = nullptr;
    if (GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR)
        gst_message_parse_error(message, &error, &debug);
    else
        gst_message_parse_warning(message, &error, &debug);
    std::string text = error ? error->message : "unknown GStreamer error";
    if (debug) {
        *debug_text = redact_uri(debug);
        const size_t line_end = debug_text->find('\n');
        if (line_end != std::string::npos) {
            std::string detail = debug_text->substr(line_end + 1);
            while (!detail.empty() && detail.back() == '\n')
                detail.pop_back();
            for (char& c : detail)
                if (c == '\n') c = ' ';
            if (!detail.empty()) text += " (" + detail + ")";
        }
    }
    g_clear_error(&error);
    g_free(debug);
    return redact_uri(text);
}

bool from_decoder(GstMessage* message) {
    GstObject* source = GST_MESSAGE_SRC(message);
    if (!source || !GST_IS_ELEMENT(source)) return false;
    const char* klass = gst_element_get_metadata(GST_ELEMENT(source), GST_ELEMENT_METADATA_KLASS);
    return klass && std::string_view(klass).find("Decoder") != std::string_view::npos;
}

}  // namespace

const char* to_string(SourceState state) {
    switch (state) {
        case SourceState::Idle:
            return "idle";
        case SourceState::Connecting:
            return "connecting";
        case SourceState::Playing:
            return "playing";
        case SourceState::Retrying:
            return "retrying";
        case SourceState::Ended:
            return "ended";
        case SourceState::Failed:
            return "failed";
        case SourceState::Stopped:
            return "stopped";
    }
    return "unknown";
}

struct Source::Impl {
    enum class Outcome { Stopped, Ended, Failed };
    struct Attempt {
        Outcome outcome;
        std::string error;
    };

    Impl(SourceSpec spec_, RetryPolicy retry_)
        : spec(std::move(spec_)),
          retry(retry_),
          leaky(pipeline::is_live(spec.uri.kind) || spec.realtime),
          queue(leaky ? 1 : 2, leaky) {
        status.source_id = spec.id;
    }

    void run();
    // Runs one pipeline until it ends, fails or is stopped; `announced`: Playing is already
    // reported (a file that loops).
    Attempt play(GstSourcePipeline& pipeline, bool announced);
    void on_decoded(Frame&& frame);
    void set_status(SourceState state, std::string message = {}, milliseconds retry_in = {});
    void log_warning(GstMessage* message);
    bool sleep(milliseconds delay);

    const SourceSpec spec;
    const RetryPolicy retry;
    const bool leaky;
    FrameQueue queue;
    FrameCallback on_frame;
    StatusCallback on_status;

    std::atomic<bool> stopping{false};
    std::mutex sleep_mutex;
    std::condition_variable wake;
    std::thread control;
    std::thread delivery;
    bool started = false;

    mutable std::mutex status_mutex;
    SourceStatus status;
    std::string last_logged_problem;  // a repeated error or warning is logged at debug level

    std::atomic<uint64_t> frames{0}, dropped{0}, restarts{0}, reconnects{0}, decode_errors{0};
    std::atomic<int64_t> last_frame_time{0};
    std::atomic<int> width{0}, height{0};
};

void Source::Impl::run() {
    milliseconds delay = retry.first_delay;
    bool looping = false;  // a file starting again stays Playing
    while (!stopping) {
        if (!looping) set_status(SourceState::Connecting);
        const uint64_t frames_before = frames;
        std::optional<GstSourcePipeline> pipeline;
        try {
            pipeline.emplace(spec, [this](Frame&& frame) { on_decoded(std::move(frame)); });
        } catch (const Error& error) {
            set_status(SourceState::Failed, error.what());
            break;
        }
        queue.set_accepting(true);
        const Attempt attempt = play(*pipeline, looping);
        looping = false;
        // A decoder blocked on a full queue must return before the pipeline can stop.
        queue.set_accepting(false);
        pipeline.reset();

        const bool had_frames = frames > frames_before;
        if (attempt.outcome == Outcome::Stopped) break;
        if (attempt.outcome == Outcome::Ended) {
            if (!spec.loop) {
                set_status(SourceState::Ended);
                break;
            }
            if (had_frames) {
                ++restarts;
                looping = true;
                continue;
            }
        }
        const std::string error =
            attempt.outcome == Outcome::Ended ? "the file holds no video frame" : attempt.error;
        if (spec.uri.kind == SourceKind::file && !spec.loop) {
            set_status(SourceState::Failed, error);
            break;
        }
        if (had_frames) delay = retry.first_delay;
        set_status(SourceState::Retrying, error, delay);
        if (!sleep(delay)) break;
        delay = std::min(delay * 2, retry.max_delay);
        ++restarts;
        ++reconnects;
    }
    queue.close(/*discard=*/stopping);
    if (stopping) set_status(SourceState::Stopped);
}

Source::Impl::Attempt Source::Impl::play(GstSourcePipeline& pipeline, bool announced) {
    last_frame_time = now_ns(Clock::now());
    const uint64_t frames_at_start = frames;
    if (gst_element_set_state(pipeline.pipeline(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        GstMessage* message = gst_bus_pop_filtered(pipeline.bus(), GST_MESSAGE_ERROR);
        if (!message) return {Outcome::Failed, "the GStreamer pipeline cannot start"};
        ++decode_errors;
        std::string debug;
        std::string text = describe(message, &debug);
        gst_message_unref(message);
        return {Outcome::Failed, text};
    }
    const auto filter = GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS | GST_MESSAGE_WARNING);
    bool had_frame = false;
    while (!stopping) {
        GstMessage* message = gst_bus_timed_pop_filtered(pipeline.bus(), 50 * GST_MSECOND, filter);
        if (!had_frame && frames > frames_at_start) {
            had_frame = true;
            if (!announced)
                set_status(SourceState::Playing, fmt::format("{}x{}", width.load(), height.load()));
        }
        if (message) {
            switch (GST_MESSAGE_TYPE(message)) {
                case GST_MESSAGE_ERROR: {
                    ++decode_errors;
                    std::string debug;
                    std::string text = describe(message, &debug);
                    spdlog::debug("source {}: GStreamer error: {}", spec.id, debug);
                    gst_message_unref(message);
                    return {Outcome::Failed, text};
                }
                case GST_MESSAGE_EOS:
                    gst_message_unref(message);
                    if (pipeline::is_live(spec.uri.kind))
                        return {Outcome::Failed, "the stream ended"};
                    return {Outcome::Ended, {}};
                default:
                    log_warning(message);
                    gst_message_unref(message);
                    break;
            }
        }
        // Before the first frame this also ends a pipeline that never prerolls and never
        // posts an error: a truncated MP4's qtdemux error sometimes does not reach the bus.
        const auto silence = milliseconds((now_ns(Clock::now()) - last_frame_time) / 1000000);
        if ((!had_frame || pipeline::is_live(spec.uri.kind)) && silence > retry.stall_timeout)
            return {Outcome::Failed,
                    fmt::format("no frame for {:.1f} s{}", silence.count() / 1000.0,
                                had_frame ? "" : " since the start")};
    }
    return {Outcome::Stopped, {}};
}

void Source::Impl::on_decoded(Frame&& frame) {
    frame.frame_number = frames.fetch_add(1);
    frame.source_id = spec.id;
    frame.wall_time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    width = frame.width;
    height = frame.height;
    frame.steady_time_ns = now_ns(Clock::now());
    last_frame_time = frame.steady_time_ns;
    if (queue.push(std::move(frame)) == FrameQueue::Pushed::QueuedDroppingOldest) ++dropped;
}

void Source::Impl::log_warning(GstMessage* message) {
    if (from_decoder(message)) ++decode_errors;
    std::string debug;
    const std::string text = describe(message, &debug);
    std::lock_guard lock(status_mutex);
    if (text == last_logged_problem) {
        spdlog::debug("source {}: GStreamer warning: {}", spec.id, text);
        return;
    }
    spdlog::warn("source {}: {}", spec.id, text);
    last_logged_problem = text;
}

void Source::Impl::set_status(SourceState state, std::string message, milliseconds retry_in) {
    SourceStatus changed;
    {
        std::lock_guard lock(status_mutex);
        status.state = state;
        status.message = std::move(message);
        status.retry_in = retry_in;
        changed = status;
        const std::string& id = spec.id;
        switch (state) {
            case SourceState::Connecting:
                spdlog::debug("source {}: connecting", id);
                break;
            case SourceState::Playing:
                spdlog::info("source {}: playing {}", id, changed.message);
                last_logged_problem.clear();
                break;
            case SourceState::Retrying:
                // The first failure is a warning; the same failure again is not news.
                if (changed.message != last_logged_problem)
                    spdlog::warn("source {} ({}): {}; retrying with backoff", id,
                                 redact_uri(spec.uri.text), changed.message);
                spdlog::debug("source {}: retrying in {} ms", id, retry_in.count());
                last_logged_problem = changed.message;
                break;
            case SourceState::Ended:
                spdlog::info("source {}: ended", id);
                break;
            case SourceState::Failed:
                spdlog::error("source {} ({}): {}", id, redact_uri(spec.uri.text), changed.message);
                break;
            case SourceState::Stopped:
                spdlog::debug("source {}: stopped", id);
                break;
            case SourceState::Idle:
                break;
        }
    }
    if (on_status) on_status(changed);
}

bool Source::Impl::sleep(milliseconds delay) {
    std::unique_lock lock(sleep_mutex);
    return !wake.wait_for(lock, delay, [&] { return stopping.load(); });
}

Source::Source(SourceSpec spec, RetryPolicy retry) {
    if (spec.fps < 0)
        throw_bad_input("source '{}': fps {} must be positive (or 0 for the source's rate)",
                        spec.id, spec.fps);
    if (spec.resolution && (spec.resolution->width <= 0 || spec.resolution->height <= 0))
        throw_bad_input("source '{}': resolution {}x{} must be positive", spec.id,
                        spec.resolution->width, spec.resolution->height);
    ensure_gstreamer();
    m_impl = std::make_unique<Impl>(std::move(spec), retry);
}

Source::~Source() {
    stop();
}

void Source::start(FrameCallback on_frame, StatusCallback on_status) {
    Impl& impl = *m_impl;
    if (impl.started) throw_runtime("source '{}' is already started", impl.spec.id);
    impl.started = true;
    impl.on_frame = std::move(on_frame);
    impl.on_status = std::move(on_status);
    impl.control = std::thread([&impl] { impl.run(); });
    if (impl.on_frame)
        impl.delivery = std::thread([&impl] {
            while (!impl.queue.done())
                if (auto frame = impl.queue.pop(std::chrono::seconds(1)))
                    impl.on_frame(std::move(*frame));
        });
}

void Source::stop() {
    Impl& impl = *m_impl;
    {
        std::lock_guard lock(impl.sleep_mutex);
        impl.stopping = true;
    }
    impl.wake.notify_all();
    if (impl.control.joinable()) impl.control.join();
    impl.queue.close(/*discard=*/true);
    if (impl.delivery.joinable()) impl.delivery.join();
}

std::optional<Frame> Source::pull(std::chrono::milliseconds timeout) {
    return m_impl->queue.pop(timeout);
}

const SourceSpec& Source::spec() const {
    return m_impl->spec;
}

bool Source::is_live() const {
    return m_impl->leaky;
}

SourceStatus Source::status() const {
    std::lock_guard lock(m_impl->status_mutex);
    return m_impl->status;
}

SourceCounters Source::counters() const {
    return {m_impl->frames, m_impl->dropped, m_impl->restarts, m_impl->reconnects,
            m_impl->decode_errors};
}

}  // namespace es::pipeline
