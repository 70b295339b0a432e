#include "pipeline/service/systemd_notify.h"

#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace es::pipeline {
namespace {

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

}  // namespace

SystemdNotifier::SystemdNotifier(std::string socket_path, std::chrono::microseconds watchdog)
    : m_socket_path(std::move(socket_path)), m_watchdog(watchdog) {}

SystemdNotifier SystemdNotifier::from_environment() {
    const std::string socket_path = environment("NOTIFY_SOCKET");
    if (socket_path.empty()) return {};
    std::chrono::microseconds watchdog{0};
    const std::string usec = environment("WATCHDOG_USEC");
    const std::string pid = environment("WATCHDOG_PID");
    if (!usec.empty() && (pid.empty() || pid == std::to_string(getpid()))) {
        char* end = nullptr;
        const unsigned long long value = std::strtoull(usec.c_str(), &end, 10);
        if (end && *end == '\0' && value > 0)
            watchdog = std::chrono::microseconds(value);
        else
            spdlog::warn(
                "WATCHDOG_USEC={}: expected a positive number of microseconds; the "
                "watchdog stays off",
                usec);
    }
    return SystemdNotifier(socket_path, watchdog);
}

bool SystemdNotifier::notify(const std::string& message) const {
    if (!enabled()) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (m_socket_path.size() >= sizeof(address.sun_path) ||
        (m_socket_path[0] != '/' && m_socket_path[0] != '@')) {
        spdlog::warn("NOTIFY_SOCKET={}: expected an absolute path or '@name' shorter than {}",
                     m_socket_path, sizeof(address.sun_path));
        return false;
    }
    std::memcpy(address.sun_path, m_socket_path.data(), m_socket_path.size());
    if (address.sun_path[0] == '@') address.sun_path[0] = '\0';  // abstract namespace
    const auto length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_socket_path.size());

    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        spdlog::warn("NOTIFY_SOCKET: cannot create a socket: {}", std::strerror(errno));
        return false;
    }
    const ssize_t sent = sendto(fd, message.data(), message.size(), MSG_NOSIGNAL | MSG_DONTWAIT,
                                reinterpret_cast<const sockaddr*>(&address), length);
    const int error = errno;
    close(fd);
    if (sent != static_cast<ssize_t>(message.size())) {
        spdlog::warn("NOTIFY_SOCKET {}: cannot send {}: {}", m_socket_path,
                     message.substr(0, message.find('\n')), std::strerror(error));
        return false;
    }
    return true;
}

}  // namespace es::pipeline
