#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace es::testing {

// A program the test starts and ends; its stdout and stderr go to `output_file`.
class ChildProcess {
  public:
    // Throws std::runtime_error when the program cannot be started.
    ChildProcess(const std::vector<std::string>& argv, std::filesystem::path output_file);
    ~ChildProcess();  // kills it (SIGKILL) if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    bool running();
    // Sends `signal` without waiting.
    void signal(int signal);
    pid_t pid() const { return m_pid; }  // -1 once it was waited for
    // Sends `signal` and waits for the exit; returns the wait status.
    int stop(int signal);
    std::string output() const;
    // Polls the output until it contains `text`; false at the deadline or when the program
    // exited without printing it.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);

  private:
    pid_t m_pid = -1;
    std::filesystem::path m_output_file;
};

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns its last value.
template <typename Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace es::testing
