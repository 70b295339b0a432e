#include "pipeline/metrics/metrics_server.h"

#include "pipeline/config/config.h"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace es::pipeline {

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || host == "::1" || host == "[::1]" || host.starts_with("127.");
}

MetricsServer::MetricsServer(const std::string& listen, Render render) : m_listen(listen) {
    if (listen.empty()) return;
    const auto address = parse_listen_address(listen);
    if (!address) {
        spdlog::error("metrics: cannot listen on {}: expected HOST:PORT; running without metrics",
                      listen);
        return;
    }
    m_server = std::make_unique<httplib::Server>();
    // Only SO_REUSEADDR: the library's default SO_REUSEPORT would let a second process share
    // the port instead of failing.
    m_server->set_socket_options([](socket_t socket) {
        const int on = 1;
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    });
    m_server->set_read_timeout(2, 0);
    m_server->set_write_timeout(2, 0);
    m_server->set_keep_alive_max_count(1);
    m_server->Get("/metrics", [render = std::move(render)](const httplib::Request&,
                                                           httplib::Response& response) {
        response.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    std::string host = address->host.empty() ? "0.0.0.0" : address->host;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    errno = 0;
    if (!m_server->bind_to_port(host, address->port)) {
        spdlog::error("metrics: cannot listen on {}: {}; running without metrics", listen,
                      errno != 0 ? std::strerror(errno) : "bind failed");
        m_server.reset();
        return;
    }
    if (!is_loopback_host(host))
        spdlog::warn(
            "metrics: listening on {}, reachable from other machines; /metrics has no "
            "authentication (listen on 127.0.0.1 and scrape through a proxy, or firewall "
            "the port)",
            listen);
    m_thread = std::thread([this] {
        m_server->listen_after_bind();
        m_served = true;
    });
    spdlog::info("metrics: http://{}/metrics", listen);
}

MetricsServer::~MetricsServer() {
    if (!m_thread.joinable()) return;
    // stop() acts only on a server that runs, which listen_after_bind() marks as it starts: a
    // stop() before that would leave the thread serving for ever.
    while (!m_server->is_running() && !m_served)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    m_server->stop();
    m_thread.join();
}

}  // namespace es::pipeline
