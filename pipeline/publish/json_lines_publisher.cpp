#include "pipeline/publish/json_lines_publisher.h"

#include "inference/core/error.h"

#include <cerrno>
#include <cstring>

namespace es::pipeline {

std::unique_ptr<JsonLinesPublisher> JsonLinesPublisher::open_file(
    const std::filesystem::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "a");
    if (!file)
        throw_bad_input("results file {}: cannot open for appending: {}", path.string(),
                        std::strerror(errno));
    return std::unique_ptr<JsonLinesPublisher>(new JsonLinesPublisher(file, true, path.string()));
}

std::unique_ptr<JsonLinesPublisher> JsonLinesPublisher::to_stdout() {
    return std::unique_ptr<JsonLinesPublisher>(new JsonLinesPublisher(stdout, false, "stdout"));
}

JsonLinesPublisher::JsonLinesPublisher(std::FILE* file, bool owned, std::string name)
    : m_file(file), m_owned(owned), m_name(std::move(name)) {}

JsonLinesPublisher::~JsonLinesPublisher() {
    close();
}

void JsonLinesPublisher::publish(const FrameResult& result) {
    // seq is taken under the lock so lines appear in seq order.
    std::lock_guard lock(m_mutex);
    if (!m_file) throw_runtime("results {}: publish after close", m_name);
    std::string line = result_json(result, m_sequence.next(result.source));
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() ||
        std::fflush(m_file) != 0) {
        ++m_failed;
        throw_runtime("results {}: cannot write: {}", m_name, std::strerror(errno));
    }
    ++m_written;
}

bool JsonLinesPublisher::flush(std::chrono::milliseconds) {
    std::lock_guard lock(m_mutex);
    return !m_file || std::fflush(m_file) == 0;
}

void JsonLinesPublisher::close() {
    std::lock_guard lock(m_mutex);
    if (!m_file) return;
    if (m_owned)
        std::fclose(m_file);
    else
        std::fflush(m_file);
    m_file = nullptr;
}

OutputStats JsonLinesPublisher::stats() const {
    std::lock_guard lock(m_mutex);
    return {.output = m_owned ? "file " + m_name : m_name,
            .published = m_written + m_failed,
            .delivered = m_written,
            .dropped = m_failed};
}

}  // namespace es::pipeline
