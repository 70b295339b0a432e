#include "tests/support/rtsp_test_server.h"

#include "pipeline/source/gst_pipeline.h"

#include <gst/rtsp-server/rtsp-server.h>

#include <future>
#include <stdexcept>

namespace es::testing {

namespace {

GstRTSPFilterResult remove_client(GstRTSPServer*, GstRTSPClient*, gpointer) {
    return GST_RTSP_FILTER_REMOVE;
}

}  // namespace

RtspTestServer::RtspTestServer(int port) : m_port(port) {
    pipeline::ensure_gstreamer();
}

RtspTestServer::~RtspTestServer() {
    stop();
}

void RtspTestServer::start() {
    if (m_server) return;
    m_context = g_main_context_new();
    m_loop = g_main_loop_new(m_context, FALSE);
    m_server = gst_rtsp_server_new();
    gst_rtsp_server_set_address(m_server, "127.0.0.1");
    gst_rtsp_server_set_service(m_server, std::to_string(m_port).c_str());
    GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(m_server);
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(
        factory,
        "( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,"
        "framerate=15/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )");
    gst_rtsp_media_factory_set_shared(factory, TRUE);
    gst_rtsp_mount_points_add_factory(mounts, "/test", factory);
    g_object_unref(mounts);
    m_source = gst_rtsp_server_attach(m_server, m_context);
    if (m_source == 0) throw std::runtime_error("RTSP test server cannot listen on its port");
    m_thread = std::thread([loop = m_loop] { g_main_loop_run(loop); });
}

void RtspTestServer::stop() {
    if (!m_server) return;
    // Clients and the listening socket belong to the loop's thread: close them there.
    std::promise<void> closed;
    struct Stop {
        RtspTestServer* self;
        std::promise<void>* closed;
    } stop{this, &closed};
    g_main_context_invoke(
        m_context,
        [](gpointer data) -> gboolean {
            auto* stop = static_cast<Stop*>(data);
            gst_rtsp_server_client_filter(stop->self->m_server, remove_client, nullptr);
            GSource* source =
                g_main_context_find_source_by_id(stop->self->m_context, stop->self->m_source);
            if (source) g_source_destroy(source);
            stop->closed->set_value();
            return G_SOURCE_REMOVE;
        },
        &stop);
    closed.get_future().wait();
    g_main_loop_quit(m_loop);
    m_thread.join();
    g_object_unref(m_server);
    g_main_loop_unref(m_loop);
    g_main_context_unref(m_context);
    m_server = nullptr;
    m_loop = nullptr;
    m_context = nullptr;
    m_source = 0;
}

}  // namespace es::testing
