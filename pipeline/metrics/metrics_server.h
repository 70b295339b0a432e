#pragma once

#include <functional>
#include <string>
#include <thread>

namespace es::pipeline {

// A minimal HTTP/1.1 server for Prometheus on its own thread: GET /metrics answers 200 with
// what `render` returns (text/plain; version=0.0.4), anything else 404. One connection at a
// time, closed after its response; a client that does not send its request within a couple
// of seconds is dropped.
class MetricsServer {
  public:
    using Render = std::function<std::string()>;

    // Listens on `listen` ("HOST:PORT"; empty: stays off). When it cannot, it logs why and
    // stays off: the caller runs on without metrics.
    MetricsServer(const std::string& listen, Render render);
    ~MetricsServer();  // stops and joins
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    bool listening() const { return m_listen_fd >= 0; }

  private:
    void serve();
    void answer(int client_fd);

    Render m_render;
    int m_listen_fd = -1;
    int m_wake_fds[2] = {-1, -1};  // a pipe: a byte on it ends serve()
    std::thread m_thread;
};

}  // namespace es::pipeline
