#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace es::testing {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, std::filesystem::path output_file)
    : m_output_file(std::move(output_file)) {
    std::vector<char*> args;
    for (const auto& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, m_output_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error = posix_spawnp(&m_pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) throw std::runtime_error("cannot start " + argv[0]);
}

ChildProcess::~ChildProcess() {
    if (running()) stop(SIGKILL);
}

bool ChildProcess::running() {
    if (m_pid <= 0) return false;
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == 0) return true;
    m_pid = -1;
    return false;
}

void ChildProcess::signal(int signal) {
    if (m_pid > 0) kill(m_pid, signal);
}

int ChildProcess::stop(int signal) {
    if (m_pid <= 0) return -1;
    kill(m_pid, signal);
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
    return status;
}

std::string ChildProcess::output() const {
    std::ifstream file(m_output_file);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

bool ChildProcess::wait_for_output(const std::string& text, std::chrono::milliseconds timeout) {
    return wait_until([&] { return output().find(text) != std::string::npos || !running(); },
                      timeout) &&
           output().find(text) != std::string::npos;
}

}  // namespace es::testing
