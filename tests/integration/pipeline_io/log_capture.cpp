#include "tests/integration/pipeline_io/log_capture.h"

#include <sstream>
#include <vector>

namespace es::testing {

class LogCapture::Sink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    std::vector<std::string> lines() {
        std::lock_guard lock(mutex_);
        return m_lines;
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(message, formatted);
        m_lines.push_back(fmt::to_string(formatted));
    }
    void flush_() override {}

  private:
    std::vector<std::string> m_lines;
};

LogCapture::LogCapture() : m_sink(std::make_shared<Sink>()), m_previous(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", m_sink);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
}

LogCapture::~LogCapture() {
    spdlog::set_default_logger(m_previous);
}

std::string LogCapture::text() const {
    std::string text;
    for (const auto& line : m_sink->lines())
        text += line;
    return text;
}

size_t LogCapture::count(const std::string& needle) const {
    size_t found = 0;
    for (const auto& line : m_sink->lines())
        found += line.find(needle) != std::string::npos;
    return found;
}

}  // namespace es::testing
