#pragma once

#include <glib.h>

#include <string>
#include <thread>

typedef struct _GstRTSPServer GstRTSPServer;

namespace es::testing {

// An RTSP server (gst-rtsp-server) on 127.0.0.1:`port` serving a live MJPEG test pattern at
// /test, with its own GLib main loop thread. stop() drops every client and closes the port;
// start() opens it again.
class RtspTestServer {
  public:
    explicit RtspTestServer(int port);
    ~RtspTestServer();
    RtspTestServer(const RtspTestServer&) = delete;
    RtspTestServer& operator=(const RtspTestServer&) = delete;

    void start();
    void stop();
    std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(m_port) + "/test"; }

  private:
    const int m_port;
    GMainContext* m_context = nullptr;
    GMainLoop* m_loop = nullptr;
    GstRTSPServer* m_server = nullptr;
    guint m_source = 0;
    std::thread m_thread;
};

}  // namespace es::testing
