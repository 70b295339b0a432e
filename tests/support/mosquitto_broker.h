#pragma once

#include "tests/support/child_process.h"

#include <filesystem>
#include <memory>
#include <string>

namespace es::testing {

// A free TCP port on 127.0.0.1 (bound once and released; good for a broker started next).
int free_tcp_port();

// A mosquitto broker on a free loopback port with its own config and persistence folder,
// for one test; killed when destroyed. Retained messages, sessions and their queued QoS 1
// messages survive stop() + start().
class MosquittoBroker {
  public:
    // Started broker; nullptr (and a notice on stderr) when mosquitto is not installed.
    static std::unique_ptr<MosquittoBroker> start_new();
    // A broker that has not started yet: its port is chosen, nothing listens there.
    static std::unique_ptr<MosquittoBroker> create();

    // Starts it and waits until it accepts connections; throws std::runtime_error if it
    // does not within a few seconds.
    void start();
    // Ends it cleanly (SIGTERM), which saves its state.
    void stop();

    int port() const { return m_port; }
    std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(m_port); }

  private:
    MosquittoBroker(std::string program, std::filesystem::path dir, int port);

    const std::string m_program;
    const std::filesystem::path m_dir;
    const int m_port;
    std::unique_ptr<ChildProcess> m_process;
};

}  // namespace es::testing
