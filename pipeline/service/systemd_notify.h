#pragma once

#include <chrono>
#include <string>

namespace es::pipeline {

// Sends sd_notify(3) datagrams to systemd's $NOTIFY_SOCKET without libsystemd. Disabled (every
// call a no-op) when the process was not started by systemd with Type=notify.
class SystemdNotifier {
  public:
    SystemdNotifier() = default;
    // `socket_path`: a file path, or an abstract socket name starting with '@'; `watchdog`: the
    // time systemd waits for a ping before it restarts the service, zero when off.
    SystemdNotifier(std::string socket_path, std::chrono::microseconds watchdog);

    // From NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the watchdog only when that names
    // this process, or is unset).
    static SystemdNotifier from_environment();

    bool enabled() const { return !m_socket_path.empty(); }
    std::chrono::microseconds watchdog_timeout() const { return m_watchdog; }
    // Zero when the watchdog is off.
    std::chrono::microseconds watchdog_interval() const { return m_watchdog / 2; }

    // Sends "KEY=VALUE" lines ("READY=1", "STATUS=..."); false when disabled or on failure.
    bool notify(const std::string& message) const;

  private:
    std::string m_socket_path;
    std::chrono::microseconds m_watchdog{0};
};

}  // namespace es::pipeline
