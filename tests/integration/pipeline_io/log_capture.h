#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <mutex>
#include <string>

namespace es::testing {

// Routes spdlog's default logger into memory while it lives.
class LogCapture {
  public:
    LogCapture();
    ~LogCapture();

    std::string text() const;
    // How many logged lines contain `needle`.
    size_t count(const std::string& needle) const;

  private:
    class Sink;
    std::shared_ptr<Sink> m_sink;
    std::shared_ptr<spdlog::logger> m_previous;
};

}  // namespace es::testing
