#pragma once

#include "pipeline/publish/publisher.h"
#include "pipeline/publish/result_json.h"
#include "pipeline/publish/rotating_file.h"

#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace es::pipeline {

// One JSON message per line, results and track events alike (each with its own `seq` per source),
// to a file (appended to, rotated by size, each line written whole) or stdout. A line that cannot
// be written (a full disk) waits in memory, in order, up to `k_max_pending_bytes`, and goes out
// with the next message once writing works again; the failure is logged once, and the recovery
// too.
class JsonLinesPublisher : public Publisher {
  public:
    static constexpr size_t k_max_pending_bytes = 16 << 20;

    // Throws es::Error (BadInput) naming `path` when it cannot be opened for appending.
    static std::unique_ptr<JsonLinesPublisher> open_file(const std::filesystem::path& path,
                                                         RotationLimits limits = {});
    static std::unique_ptr<JsonLinesPublisher> to_stdout();
    ~JsonLinesPublisher() override;

    void publish(const FrameResult& result) override;
    void publish_event(const EventResult& event) override;
    // Writes the lines waiting in memory; false when some still wait.
    bool flush(std::chrono::milliseconds timeout) override;
    void close() override;
    OutputStats stats() const override;

  private:
    JsonLinesPublisher(std::unique_ptr<RotatingFile> file, std::string name);

    // Queues `line` (no newline yet) and writes what waits; with m_mutex held and not closed.
    void append(std::string line);
    int write_line(const std::string& line);
    void write_pending();

    mutable std::mutex m_mutex;
    std::unique_ptr<RotatingFile> m_file;  // null: stdout
    const bool m_to_file;
    bool m_closed = false;
    const std::string m_name;
    SequenceNumbers m_sequence;
    SequenceNumbers m_event_sequence;
    std::deque<std::string> m_pending;
    size_t m_pending_bytes = 0;
    int m_failing = 0;  // errno of the write that failed last, until one succeeds
    uint64_t m_published = 0;
    uint64_t m_written = 0;
    uint64_t m_dropped = 0;
};

}  // namespace es::pipeline
