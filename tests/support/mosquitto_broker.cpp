#include "tests/support/mosquitto_broker.h"

#include "tests/support/test_data.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace es::testing {

namespace {

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

bool accepts_connections(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    const sockaddr_in address = loopback(port);
    const bool connected =
        connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    return connected;
}

}  // namespace

int free_tcp_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = loopback(0);
    socklen_t size = sizeof(address);
    if (fd < 0 || bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0)
        throw std::runtime_error("no free TCP port on 127.0.0.1");
    close(fd);
    return ntohs(address.sin_port);
}

std::unique_ptr<MosquittoBroker> MosquittoBroker::create(const MosquittoSecurity& security) {
    // The mosquitto the configure step found.
    return std::unique_ptr<MosquittoBroker>(
        new MosquittoBroker(ES_MOSQUITTO, temp_dir("mosquitto"), free_tcp_port(), security));
}

std::unique_ptr<MosquittoBroker> MosquittoBroker::start_new(const MosquittoSecurity& security) {
    auto broker = create(security);
    if (broker) broker->start();
    return broker;
}

MosquittoBroker::MosquittoBroker(std::string program, std::filesystem::path dir, int port,
                                 const MosquittoSecurity& security)
    : m_program(std::move(program)),
      m_dir(std::move(dir)),
      m_port(port),
      m_tls(!security.cert_file.empty()) {
    // Run as root, mosquitto would switch to its own user, which cannot write the folder.
    const passwd* user = getpwuid(getuid());
    std::ofstream config(m_dir / "mosquitto.conf");
    config << "listener " << m_port << " 127.0.0.1\n";
    if (m_tls)
        config << "cafile " << security.ca_file.string() << "\ncertfile "
               << security.cert_file.string() << "\nkeyfile " << security.key_file.string() << "\n"
               << "require_certificate " << (security.require_certificate ? "true" : "false")
               << "\n";
    if (security.password_file.empty())
        config << "allow_anonymous true\n";
    else
        config << "allow_anonymous false\npassword_file " << security.password_file.string()
               << "\n";
    // A subscriber away while the broker restarts gets every message queued, copies that
    // QoS 1 sends again included: mosquitto's default limit (1000) would drop some under load,
    // a loss the publisher under test has no part in.
    config << "max_queued_messages 100000\n"
           << "persistence true\n"
           << "persistence_location " << m_dir.string() << "/\n"
           << "log_dest stdout\n"
           // A log file is written line by line; stdout into a file is buffered.
           << "log_dest file " << (m_dir / "broker.log").string() << "\n"
           << "log_type error\nlog_type warning\nlog_type notice\n";
    if (user) config << "user " << user->pw_name << "\n";
}

void MosquittoBroker::start() {
    if (m_process && m_process->running()) return;
    m_process = std::make_unique<ChildProcess>(
        std::vector<std::string>{m_program, "-c", (m_dir / "mosquitto.conf").string()},
        m_dir / "mosquitto.log");
    if (!wait_until([&] { return accepts_connections(m_port) || !m_process->running(); },
                    std::chrono::seconds(5)) ||
        !m_process->running())
        throw std::runtime_error("mosquitto did not start on port " + std::to_string(m_port) +
                                 ": " + m_process->output());
}

std::string MosquittoBroker::log() const {
    std::ifstream file(m_dir / "broker.log");
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

void MosquittoBroker::stop() {
    if (m_process) m_process->stop(SIGTERM);
    m_process.reset();
}

}  // namespace es::testing
