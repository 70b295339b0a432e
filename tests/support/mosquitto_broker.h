#pragma once

#include "tests/support/child_process.h"

#include <filesystem>
#include <memory>
#include <string>

namespace es::testing {

// A free TCP port on 127.0.0.1 (bound once and released; good for a broker started next).
int free_tcp_port();

// Optional broker security: TLS on the listener, and users from a mosquitto_passwd file.
struct MosquittoSecurity {
    std::filesystem::path password_file;  // set: anonymous clients are refused
    std::filesystem::path ca_file;        // with cert_file and key_file: the listener is TLS
    std::filesystem::path cert_file;
    std::filesystem::path key_file;
    bool require_certificate = false;  // TLS: clients must present a certificate from ca_file
};

// A mosquitto broker on a free loopback port with its own config and persistence folder,
// for one test; killed when destroyed. Retained messages, sessions and their queued QoS 1
// messages survive stop() + start().
class MosquittoBroker {
  public:
    // A started broker.
    static std::unique_ptr<MosquittoBroker> start_new(const MosquittoSecurity& security = {});
    // A broker that has not started yet: its port is chosen, nothing listens there.
    static std::unique_ptr<MosquittoBroker> create(const MosquittoSecurity& security = {});

    // Starts it and waits until it accepts connections; throws std::runtime_error if it
    // does not within a few seconds.
    void start();
    // Ends it cleanly (SIGTERM), which saves its state.
    void stop();

    int port() const { return m_port; }
    // What the broker logged so far (notices: connections, disconnections, errors).
    std::string log() const;
    std::string uri() const {
        return (m_tls ? "ssl://127.0.0.1:" : "tcp://127.0.0.1:") + std::to_string(m_port);
    }

  private:
    MosquittoBroker(std::string program, std::filesystem::path dir, int port,
                    const MosquittoSecurity& security);

    const std::string m_program;
    const std::filesystem::path m_dir;
    const int m_port;
    const bool m_tls;
    std::unique_ptr<ChildProcess> m_process;
};

}  // namespace es::testing
