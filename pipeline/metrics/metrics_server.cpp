#include "pipeline/metrics/metrics_server.h"

#include "pipeline/config/config.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace es::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds k_request_timeout{2000};
constexpr size_t k_max_request_bytes = 8192;

// A listening socket for `listen`, or -1 with `error` set.
int open_listener(const std::string& listen, std::string& error) {
    const auto address = parse_listen_address(listen);
    if (!address) {
        error = "expected HOST:PORT";
        return -1;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(address->port);
    if (const int status = getaddrinfo(address->host.empty() ? nullptr : address->host.c_str(),
                                       port.c_str(), &hints, &found);
        status != 0) {
        error = gai_strerror(status);
        return -1;
    }
    int fd = -1;
    for (addrinfo* candidate = found; candidate && fd < 0; candidate = candidate->ai_next) {
        fd = socket(candidate->ai_family, candidate->ai_socktype | SOCK_CLOEXEC,
                    candidate->ai_protocol);
        if (fd < 0) {
            error = std::strerror(errno);
            continue;
        }
        const int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
            error = std::strerror(errno);
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    return fd;
}

void send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the client went away or stopped reading (SO_SNDTIMEO)
        sent += static_cast<size_t>(n);
    }
}

std::string response(std::string_view status, std::string_view content_type,
                     const std::string& body, bool with_body) {
    return fmt::format(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        status, content_type, body.size(), with_body ? body : std::string());
}

}  // namespace

MetricsServer::MetricsServer(const std::string& listen, Render render)
    : m_render(std::move(render)) {
    if (listen.empty()) return;
    std::string error;
    m_listen_fd = open_listener(listen, error);
    if (m_listen_fd < 0) {
        spdlog::error("metrics: cannot listen on {}: {}; /metrics is off", listen, error);
        return;
    }
    if (pipe2(m_wake_fds, O_CLOEXEC) != 0) {
        spdlog::error("metrics: cannot create a pipe: {}; /metrics is off", std::strerror(errno));
        close(m_listen_fd);
        m_listen_fd = -1;
        return;
    }
    spdlog::info("metrics: http://{}/metrics", listen);
    m_thread = std::thread([this] { serve(); });
}

MetricsServer::~MetricsServer() {
    if (m_thread.joinable()) {
        const char byte = 0;
        while (write(m_wake_fds[1], &byte, 1) < 0 && errno == EINTR) {
        }
        m_thread.join();
    }
    for (int fd : {m_listen_fd, m_wake_fds[0], m_wake_fds[1]})
        if (fd >= 0) close(fd);
}

void MetricsServer::serve() {
    for (;;) {
        pollfd fds[2] = {{m_wake_fds[0], POLLIN, 0}, {m_listen_fd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            spdlog::error("metrics: poll: {}; /metrics is off", std::strerror(errno));
            return;
        }
        if (fds[0].revents) return;
        if (!(fds[1].revents & POLLIN)) continue;
        const int client = accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;  // the client gave up meanwhile, or out of descriptors
        answer(client);
        close(client);
    }
}

void MetricsServer::answer(int client_fd) {
    const timeval send_timeout{2, 0};
    setsockopt(client_fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
    // The request head, read until its blank line, within one deadline for the whole of it.
    const auto deadline = Clock::now() + k_request_timeout;
    std::string request;
    while (request.find("\r\n\r\n") == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || request.size() > k_max_request_bytes) return;
        pollfd fds[2] = {{client_fd, POLLIN, 0}, {m_wake_fds[0], POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) <= 0 || fds[1].revents) return;
        char buffer[1024];
        const ssize_t n = recv(client_fd, buffer, sizeof(buffer), 0);
        if (n <= 0) return;
        request.append(buffer, static_cast<size_t>(n));
    }
    // "GET /metrics HTTP/1.1"; a query string is ignored.
    const std::string line = request.substr(0, request.find("\r\n"));
    const size_t method_end = line.find(' ');
    const size_t target_end = line.find(' ', method_end + 1);
    const std::string method = line.substr(0, method_end);
    std::string target = method_end == std::string::npos
                             ? std::string()
                             : line.substr(method_end + 1, target_end - method_end - 1);
    target = target.substr(0, target.find('?'));
    const bool head = method == "HEAD";
    if ((method != "GET" && !head) || target != "/metrics") {
        send_all(client_fd,
                 response("404 Not Found", "text/plain; charset=utf-8", "not found\n", !head));
        return;
    }
    std::string body;
    try {
        body = m_render();
    } catch (const std::exception& error) {
        spdlog::error("metrics: {}", error.what());
        send_all(client_fd, response("500 Internal Server Error", "text/plain; charset=utf-8",
                                     std::string(error.what()) + "\n", !head));
        return;
    }
    send_all(client_fd,
             response("200 OK", "text/plain; version=0.0.4; charset=utf-8", body, !head));
}

}  // namespace es::pipeline
