// sd_notify datagrams reach a socket named by NOTIFY_SOCKET, as a path or an abstract name.
#include "pipeline/service/systemd_notify.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

using es::pipeline::SystemdNotifier;

namespace {

// A datagram socket bound to `name` ('@' first: abstract).
class Listener {
  public:
    explicit Listener(const std::string& name) {
        m_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(m_fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        REQUIRE(name.size() < sizeof(address.sun_path));
        std::memcpy(address.sun_path, name.data(), name.size());
        if (name[0] == '@') address.sun_path[0] = '\0';
        const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
        REQUIRE(bind(m_fd, reinterpret_cast<sockaddr*>(&address), length) == 0);
    }
    ~Listener() { close(m_fd); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // The next queued datagram; empty when there is none.
    std::string receive() {
        char buffer[4096];
        const ssize_t size = recv(m_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        return size > 0 ? std::string(buffer, static_cast<size_t>(size)) : std::string();
    }

  private:
    int m_fd = -1;
};

}  // namespace

TEST_CASE("systemd notify: datagrams reach a socket path") {
    const std::string path = (es::testing::temp_dir("notify") / "notify.sock").string();
    Listener listener(path);
    const SystemdNotifier notifier(path, std::chrono::seconds(30));
    CHECK(notifier.enabled());
    CHECK(notifier.watchdog_interval() == std::chrono::seconds(15));
    CHECK(notifier.notify("READY=1\nSTATUS=up"));
    CHECK(notifier.notify("WATCHDOG=1"));
    CHECK(listener.receive() == "READY=1\nSTATUS=up");
    CHECK(listener.receive() == "WATCHDOG=1");
    CHECK(listener.receive().empty());
}

TEST_CASE("systemd notify: an abstract socket name starts with '@'") {
    const std::string name = "@edgesight-test-" + std::to_string(getpid());
    Listener listener(name);
    CHECK(SystemdNotifier(name, {}).notify("STOPPING=1"));
    CHECK(listener.receive() == "STOPPING=1");
}

TEST_CASE("systemd notify: from the environment") {
    unsetenv("NOTIFY_SOCKET");
    CHECK_FALSE(SystemdNotifier::from_environment().enabled());
    CHECK_FALSE(SystemdNotifier::from_environment().notify("READY=1"));

    setenv("NOTIFY_SOCKET", "@edgesight-none", 1);
    setenv("WATCHDOG_USEC", "2000000", 1);
    unsetenv("WATCHDOG_PID");
    CHECK(SystemdNotifier::from_environment().watchdog_interval() == std::chrono::seconds(1));
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    CHECK(SystemdNotifier::from_environment().watchdog_interval() == std::chrono::seconds(1));
    setenv("WATCHDOG_PID", "1", 1);  // meant for another process
    CHECK(SystemdNotifier::from_environment().watchdog_interval().count() == 0);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    setenv("WATCHDOG_USEC", "soon", 1);
    CHECK(SystemdNotifier::from_environment().watchdog_interval().count() == 0);

    setenv("NOTIFY_SOCKET", "relative.sock", 1);
    CHECK_FALSE(SystemdNotifier::from_environment().notify("READY=1"));
    for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"})
        unsetenv(name);
}
