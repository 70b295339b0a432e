#include "pipeline/publish/json_lines_publisher.h"

#include "inference/core/error.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace es::pipeline {

std::unique_ptr<JsonLinesPublisher> JsonLinesPublisher::open_file(const std::filesystem::path& path,
                                                                  RotationLimits limits) {
    return std::unique_ptr<JsonLinesPublisher>(
        new JsonLinesPublisher(std::make_unique<RotatingFile>(path, limits), path.string()));
}

std::unique_ptr<JsonLinesPublisher> JsonLinesPublisher::to_stdout() {
    return std::unique_ptr<JsonLinesPublisher>(new JsonLinesPublisher(nullptr, "stdout"));
}

JsonLinesPublisher::JsonLinesPublisher(std::unique_ptr<RotatingFile> file, std::string name)
    : m_file(std::move(file)), m_to_file(m_file != nullptr), m_name(std::move(name)) {}

JsonLinesPublisher::~JsonLinesPublisher() {
    close();
}

int JsonLinesPublisher::write_line(const std::string& line) {
    if (m_file) return m_file->append(line);
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0)
        return errno != 0 ? errno : EIO;
    return 0;
}

void JsonLinesPublisher::write_pending() {
    const uint64_t written_before = m_written;
    while (!m_pending.empty()) {
        if (const int error = write_line(m_pending.front())) {
            if (m_failing == 0)
                spdlog::error(
                    "results {}: cannot write: {}; keeping up to {} MB of messages in memory "
                    "until it can",
                    m_name, std::strerror(error), k_max_pending_bytes >> 20);
            m_failing = error;
            return;
        }
        m_pending_bytes -= m_pending.front().size();
        m_pending.pop_front();
        ++m_written;
    }
    if (m_failing != 0)
        spdlog::info("results {}: writing again; {} messages that waited are written", m_name,
                     m_written - written_before);
    m_failing = 0;
}

void JsonLinesPublisher::append(std::string line) {
    line += '\n';
    ++m_published;
    m_pending_bytes += line.size();
    m_pending.push_back(std::move(line));
    while (m_pending_bytes > k_max_pending_bytes && m_pending.size() > 1) {
        m_pending_bytes -= m_pending.front().size();
        m_pending.pop_front();
        ++m_dropped;
    }
    write_pending();
}

void JsonLinesPublisher::publish(const FrameResult& result) {
    // seq is taken under the lock so lines appear in seq order.
    std::lock_guard lock(m_mutex);
    if (m_closed) throw_runtime("results {}: publish after close", m_name);
    append(result_json(result, m_sequence.next(result.source)));
}

void JsonLinesPublisher::publish_event(const EventResult& event) {
    std::lock_guard lock(m_mutex);
    if (m_closed) throw_runtime("results {}: publish after close", m_name);
    append(event_json(event, m_event_sequence.next(event.source)));
}

bool JsonLinesPublisher::flush(std::chrono::milliseconds) {
    std::lock_guard lock(m_mutex);
    write_pending();
    return m_pending.empty();
}

void JsonLinesPublisher::close() {
    std::lock_guard lock(m_mutex);
    if (m_closed) return;
    write_pending();
    if (!m_pending.empty())
        spdlog::error("results {}: {} messages could not be written before closing", m_name,
                      m_pending.size());
    m_dropped += m_pending.size();
    m_pending.clear();
    m_pending_bytes = 0;
    m_closed = true;
    m_file.reset();
}

OutputStats JsonLinesPublisher::stats() const {
    std::lock_guard lock(m_mutex);
    return {.output = m_to_file ? "file " + m_name : m_name,
            .published = m_published,
            .delivered = m_written,
            .pending = m_pending.size(),
            .dropped = m_dropped};
}

}  // namespace es::pipeline
