#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace es::testing {

// The datagram socket systemd listens on for sd_notify messages ($NOTIFY_SOCKET), bound at a
// path; closed when destroyed.
class NotifySocket {
  public:
    // Throws std::runtime_error when it cannot be bound.
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // The next message, waiting up to `timeout` for it; nullopt when none came.
    std::optional<std::string> receive(std::chrono::milliseconds timeout);

  private:
    std::filesystem::path m_path;
    int m_fd = -1;
};

}  // namespace es::testing
