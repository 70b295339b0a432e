#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace es::pipeline {

// The Prometheus endpoint, served by cpp-httplib on its own threads: GET /metrics answers 200
// with what `render` returns (text/plain; version=0.0.4), anything else 404. Clients are served
// in parallel, each connection closed after its response; one that does not send its request
// within a couple of seconds is dropped.
class MetricsServer {
  public:
    using Render = std::function<std::string()>;

    // Listens on `listen` ("HOST:PORT"; empty: stays off), warning when HOST is reachable from
    // other machines. When it cannot listen, it logs why and stays off: the caller runs on
    // without metrics.
    MetricsServer(const std::string& listen, Render render);
    ~MetricsServer();  // stops and joins
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    bool listening() const { return m_thread.joinable(); }
    const std::string& listen_address() const { return m_listen; }

  private:
    std::string m_listen;
    std::unique_ptr<httplib::Server> m_server;
    std::atomic<bool> m_served{false};  // listen_after_bind() returned
    std::thread m_thread;
};

// Whether HOST (of a listen address) is reachable only from this machine: localhost, 127.0.0.0/8
// or ::1.
bool is_loopback_host(const std::string& host);

}  // namespace es::pipeline
