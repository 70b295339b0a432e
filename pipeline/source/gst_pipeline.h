#pragma once

#include "pipeline/source/frame.h"
#include "pipeline/source/source_spec.h"

#include <gst/gst.h>

#include <atomic>
#include <functional>

namespace es::pipeline {

// Initializes GStreamer once per process; throws es::Error (Runtime) when it cannot.
void ensure_gstreamer();

// The GStreamer pipeline of one source attempt: the URI's source and decoder, then
// [videorate] → videoscale → [capsfilter] → videoconvert → appsink (BGR). Frames arrive on
// GStreamer's streaming thread. Built in the NULL state; destroying it stops it.
class GstSourcePipeline {
  public:
    using FrameHandler = std::function<void(Frame&&)>;

    // Throws es::Error when an element is missing or an option has no GStreamer meaning.
    GstSourcePipeline(const SourceSpec& spec, FrameHandler on_frame);
    ~GstSourcePipeline();
    GstSourcePipeline(const GstSourcePipeline&) = delete;
    GstSourcePipeline& operator=(const GstSourcePipeline&) = delete;

    GstElement* pipeline() const { return m_pipeline; }
    GstBus* bus() const { return m_bus; }

    // Streaming thread callbacks.
    void on_stream_caps(GstCaps* caps);
    void on_sample(GstSample* sample);

  private:
    void build(const SourceSpec& spec);

    FrameHandler m_on_frame;
    std::function<Resolution(Resolution)> m_decode_size;
    GstElement* m_pipeline = nullptr;
    GstBus* m_bus = nullptr;
    GstElement* m_decode_filter = nullptr;  // the size to scale to at decode
    std::atomic<int> m_stream_width{0};
    std::atomic<int> m_stream_height{0};
};

}  // namespace es::pipeline
