#include "tests/support/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace es::testing {

NotifySocket::NotifySocket(std::filesystem::path path) : m_path(std::move(path)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = m_path.string();
    if (text.size() >= sizeof(address.sun_path))
        throw std::runtime_error("notify socket path too long: " + text);
    std::strcpy(address.sun_path, text.c_str());
    m_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0 || bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
        throw std::runtime_error("cannot bind notify socket " + text + ": " + std::strerror(errno));
}

NotifySocket::~NotifySocket() {
    if (m_fd >= 0) close(m_fd);
}

std::optional<std::string> NotifySocket::receive(std::chrono::milliseconds timeout) {
    pollfd ready{m_fd, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buffer[4096];
    const ssize_t size = recv(m_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (size <= 0) return std::nullopt;
    return std::string(buffer, static_cast<size_t>(size));
}

}  // namespace es::testing
