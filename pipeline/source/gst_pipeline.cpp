#include "pipeline/source/gst_pipeline.h"

#include "inference/core/error.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <mutex>

namespace es::pipeline {

namespace {

// Creates `factory` and hands it to `bin` at once, so no floating element leaks on a throw.
GstElement* add_element(GstElement* bin, const char* factory) {
    GstElement* element = gst_element_factory_make(factory, nullptr);
    if (!element)
        throw_runtime(
            "GStreamer element '{}' is missing: install the GStreamer plugins package "
            "that provides it",
            factory);
    gst_bin_add(GST_BIN(bin), element);
    return element;
}

void link(GstElement* src, GstElement* dst) {
    if (!gst_element_link(src, dst))
        throw_runtime("GStreamer cannot link {} to {}", GST_OBJECT_NAME(src), GST_OBJECT_NAME(dst));
}

// Links a new decoded pad to `entry_data` (the next element) when that is free and the caps
// fit; any other stream (audio, a second video) goes to a fakesink so it neither blocks nor
// fails the pipeline.
void on_pad_added(GstElement* element, GstPad* pad, gpointer entry_data) {
    GstPad* entry_pad = gst_element_get_static_pad(GST_ELEMENT(entry_data), "sink");
    const bool linked =
        !gst_pad_is_linked(entry_pad) && GST_PAD_LINK_SUCCESSFUL(gst_pad_link(pad, entry_pad));
    gst_object_unref(entry_pad);
    if (linked) return;
    GstObject* bin = gst_element_get_parent(element);
    GstElement* fakesink = gst_element_factory_make("fakesink", nullptr);
    if (!bin || !fakesink) return;
    g_object_set(fakesink, "sync", FALSE, "async", FALSE, nullptr);
    gst_bin_add(GST_BIN(bin), fakesink);
    gst_element_sync_state_with_parent(fakesink);
    GstPad* fake_pad = gst_element_get_static_pad(fakesink, "sink");
    gst_pad_link(pad, fake_pad);
    gst_object_unref(fake_pad);
    gst_object_unref(bin);
}

// rtspsrc comes to life inside uridecodebin; its transport and latency are set here.
void on_source_setup(GstElement*, GstElement* source, gpointer transport) {
    if (!g_object_class_find_property(G_OBJECT_GET_CLASS(source), "protocols")) return;
    if (transport) gst_util_set_object_arg(G_OBJECT(source), "protocols", (const char*)transport);
    g_object_set(source, "latency", 200u, nullptr);
}

// libav's decoders start one frame thread per core by default, each holding its own reference
// pictures: 12-16 MB per thread at 1080p 4:2:0, while inference needs those cores anyway.
constexpr int k_decoder_threads = 2;

// Caps the threads of the libav decoders that decodebin plugs in, wherever they are nested.
void on_element_added(GstBin*, GstBin*, GstElement* element, gpointer) {
    GstElementFactory* factory = gst_element_get_factory(element);
    if (!factory || !g_str_has_prefix(GST_OBJECT_NAME(factory), "avdec_") ||
        !g_object_class_find_property(G_OBJECT_GET_CLASS(element), "max-threads"))
        return;
    g_object_set(element, "max-threads", k_decoder_threads, nullptr);
}

// The decoded buffer, mapped for reading while a Frame views it.
struct MappedSample {
    GstSample* sample = nullptr;
    GstVideoFrame video_frame{};

    ~MappedSample() {
        gst_video_frame_unmap(&video_frame);
        gst_sample_unref(sample);
    }
};

std::optional<Frame> frame_from_sample(GstSample* sample) {
    GstVideoInfo info;
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstVideoFrame video_frame;
    if (!buffer || !gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) ||
        !gst_video_frame_map(&video_frame, &info, buffer, GST_MAP_READ)) {
        gst_sample_unref(sample);
        return std::nullopt;
    }
    auto mapped = std::make_shared<MappedSample>();
    mapped->sample = sample;
    mapped->video_frame = video_frame;

    Frame frame;
    frame.width = GST_VIDEO_FRAME_WIDTH(&video_frame);
    frame.height = GST_VIDEO_FRAME_HEIGHT(&video_frame);
    frame.bgr =
        cv::Mat(frame.height, frame.width, CV_8UC3, GST_VIDEO_FRAME_PLANE_DATA(&video_frame, 0),
                static_cast<size_t>(GST_VIDEO_FRAME_PLANE_STRIDE(&video_frame, 0)));
    frame.pts_ns =
        GST_BUFFER_PTS_IS_VALID(buffer) ? static_cast<int64_t>(GST_BUFFER_PTS(buffer)) : -1;
    frame.buffer = std::move(mapped);
    return frame;
}

GstFlowReturn on_new_sample(GstAppSink* sink, gpointer pipeline) {
    GstSample* sample = gst_app_sink_pull_sample(sink);
    if (!sample) return GST_FLOW_FLUSHING;
    static_cast<GstSourcePipeline*>(pipeline)->on_sample(sample);
    return GST_FLOW_OK;
}

// The caps of the decoded stream, as they reach videoscale.
GstPadProbeReturn on_scale_input_event(GstPad*, GstPadProbeInfo* info, gpointer pipeline) {
    GstEvent* event = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(event) == GST_EVENT_CAPS) {
        GstCaps* caps = nullptr;
        gst_event_parse_caps(event, &caps);
        static_cast<GstSourcePipeline*>(pipeline)->on_stream_caps(caps);
    }
    return GST_PAD_PROBE_OK;
}

// parse_source_uri() checked the options' values.
int option_int(const SourceUri& uri, const char* name, int fallback) {
    const auto found = uri.options.find(name);
    return found == uri.options.end() ? fallback : std::stoi(found->second);
}

std::string file_uri(const std::string& path) {
    gchar* uri = g_filename_to_uri(path.c_str(), nullptr, nullptr);
    if (!uri) throw_bad_input("'{}' is not an absolute file path", path);
    std::string text = uri;
    g_free(uri);
    return text;
}

void set_pattern(GstElement* test_source, const std::string& source_id,
                 const std::string& pattern) {
    GParamSpec* property = g_object_class_find_property(G_OBJECT_GET_CLASS(test_source), "pattern");
    auto* patterns = static_cast<GEnumClass*>(g_type_class_ref(property->value_type));
    const GEnumValue* value = g_enum_get_value_by_nick(patterns, pattern.c_str());
    std::string known;
    for (guint i = 0; i < patterns->n_values; ++i)
        known += std::string(known.empty() ? "" : ", ") + patterns->values[i].value_nick;
    g_type_class_unref(patterns);
    if (!value)
        throw_bad_input("source '{}': unknown test pattern '{}' (expected one of {})", source_id,
                        pattern, known);
    g_object_set(test_source, "pattern", value->value, nullptr);
}

}  // namespace

void ensure_gstreamer() {
    static std::once_flag once;
    static std::string failure;
    std::call_once(once, [] {
        GError* error = nullptr;
        if (!gst_init_check(nullptr, nullptr, &error)) {
            failure = error ? error->message : "unknown error";
            g_clear_error(&error);
        }
    });
    if (!failure.empty()) throw_runtime("GStreamer cannot start: {}", failure);
}

GstSourcePipeline::GstSourcePipeline(const SourceSpec& spec, FrameHandler on_frame)
    : m_on_frame(std::move(on_frame)), m_decode_size(spec.resolution ? nullptr : spec.decode_size) {
    ensure_gstreamer();
    m_pipeline = gst_pipeline_new(spec.id.c_str());
    g_signal_connect(m_pipeline, "deep-element-added", G_CALLBACK(on_element_added), nullptr);
    try {
        build(spec);
    } catch (...) {
        gst_object_unref(m_pipeline);
        throw;
    }
    m_bus = gst_element_get_bus(m_pipeline);
}

GstSourcePipeline::~GstSourcePipeline() {
    gst_element_set_state(m_pipeline, GST_STATE_NULL);
    gst_object_unref(m_bus);
    gst_object_unref(m_pipeline);
}

void GstSourcePipeline::build(const SourceSpec& spec) {
    const SourceUri& uri = spec.uri;
    // The tail: decimate first so dropped frames are never converted; scale before the
    // colour conversion, which then works on the smaller picture.
    GstCaps* caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "BGR", nullptr);
    if (spec.resolution)
        gst_caps_set_simple(caps, "width", G_TYPE_INT, spec.resolution->width, "height", G_TYPE_INT,
                            spec.resolution->height, nullptr);
    GstElement* entry = nullptr;
    GstElement* previous = nullptr;
    try {
        if (spec.fps > 0) {
            int numerator = 0, denominator = 1;
            gst_util_double_to_fraction(spec.fps, &numerator, &denominator);
            // At most fps: a slower stream passes as it is (videorate only drops frames).
            gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION_RANGE, 0, 1, numerator,
                                denominator, nullptr);
            entry = previous = add_element(m_pipeline, "videorate");
            g_object_set(previous, "drop-only", TRUE, nullptr);
        }
        GstElement* scale = add_element(m_pipeline, "videoscale");
        if (previous) link(previous, scale);
        if (!entry) entry = scale;
        GstElement* convert = add_element(m_pipeline, "videoconvert");
        if (m_decode_size) {
            m_decode_filter = add_element(m_pipeline, "capsfilter");
            link(scale, m_decode_filter);
            link(m_decode_filter, convert);
            GstPad* scale_input = gst_element_get_static_pad(scale, "sink");
            gst_pad_add_probe(scale_input, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                              on_scale_input_event, this, nullptr);
            gst_object_unref(scale_input);
        } else {
            link(scale, convert);
        }
        GstElement* sink = add_element(m_pipeline, "appsink");
        const bool live = is_live(uri.kind) || spec.realtime;
        g_object_set(sink, "caps", caps, "sync", spec.realtime && !is_live(uri.kind), "max-buffers",
                     1u, "drop", live, "enable-last-sample", FALSE, "emit-signals", FALSE, nullptr);
        link(convert, sink);
        GstAppSinkCallbacks callbacks{};
        callbacks.new_sample = on_new_sample;
        gst_app_sink_set_callbacks(GST_APP_SINK(sink), &callbacks, this, nullptr);
    } catch (...) {
        gst_caps_unref(caps);
        throw;
    }
    gst_caps_unref(caps);

    switch (uri.kind) {
        case SourceKind::file:
        case SourceKind::rtsp: {
            GstElement* decode = add_element(m_pipeline, "uridecodebin");
            const std::string location =
                uri.kind == SourceKind::file ? file_uri(uri.location) : uri.location;
            g_object_set(decode, "uri", location.c_str(), nullptr);
            g_signal_connect(decode, "pad-added", G_CALLBACK(on_pad_added), entry);
            if (uri.kind == SourceKind::rtsp) {
                const auto transport = uri.options.find("transport");
                g_signal_connect_data(
                    decode, "source-setup", G_CALLBACK(on_source_setup),
                    transport == uri.options.end() ? nullptr : g_strdup(transport->second.c_str()),
                    [](gpointer data, GClosure*) { g_free(data); }, GConnectFlags{});
            }
            break;
        }
        case SourceKind::http: {
            GstElement* http = add_element(m_pipeline, "souphttpsrc");
            g_object_set(http, "location", uri.location.c_str(), "is-live", TRUE, "do-timestamp",
                         TRUE, nullptr);
            GstElement* demux = add_element(m_pipeline, "multipartdemux");
            link(http, demux);
            GstElement* decode = add_element(m_pipeline, "jpegdec");
            g_signal_connect(demux, "pad-added", G_CALLBACK(on_pad_added), decode);
            link(decode, entry);
            break;
        }
        case SourceKind::v4l2: {
            GstElement* camera = add_element(m_pipeline, "v4l2src");
            g_object_set(camera, "device", uri.location.c_str(), nullptr);
            GstElement* decode = add_element(m_pipeline, "decodebin");
            link(camera, decode);
            g_signal_connect(decode, "pad-added", G_CALLBACK(on_pad_added), entry);
            break;
        }
        case SourceKind::test: {
            GstElement* test = add_element(m_pipeline, "videotestsrc");
            g_object_set(test, "is-live", TRUE, nullptr);
            const auto pattern = uri.options.find("pattern");
            if (pattern != uri.options.end()) set_pattern(test, spec.id, pattern->second);
            int numerator = 30, denominator = 1;
            if (const auto fps = uri.options.find("fps"); fps != uri.options.end())
                gst_util_double_to_fraction(std::stod(fps->second), &numerator, &denominator);
            GstElement* filter = add_element(m_pipeline, "capsfilter");
            GstCaps* test_caps = gst_caps_new_simple(
                "video/x-raw", "width", G_TYPE_INT, option_int(uri, "width", 320), "height",
                G_TYPE_INT, option_int(uri, "height", 240), "framerate", GST_TYPE_FRACTION,
                numerator, denominator, nullptr);
            g_object_set(filter, "caps", test_caps, nullptr);
            gst_caps_unref(test_caps);
            link(test, filter);
            link(filter, entry);
            break;
        }
    }
}

void GstSourcePipeline::on_stream_caps(GstCaps* caps) {
    GstVideoInfo info;
    if (!gst_video_info_from_caps(&info, caps)) return;
    const Resolution stream{GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info)};
    m_stream_width = stream.width;
    m_stream_height = stream.height;
    const Resolution scaled = m_decode_size(stream);
    GstCaps* fit = scaled.width <= stream.width && scaled.height <= stream.height &&
                           scaled.width > 0 && scaled.height > 0
                       ? gst_caps_new_simple("video/x-raw", "width", G_TYPE_INT, scaled.width,
                                             "height", G_TYPE_INT, scaled.height, nullptr)
                       : gst_caps_new_any();
    g_object_set(m_decode_filter, "caps", fit, nullptr);
    gst_caps_unref(fit);
}

void GstSourcePipeline::on_sample(GstSample* sample) {
    auto frame = frame_from_sample(sample);
    if (!frame) return;
    if (m_decode_filter && m_stream_width > 0) {
        frame->width = m_stream_width;
        frame->height = m_stream_height;
    }
    m_on_frame(std::move(*frame));
}

}  // namespace es::pipeline
