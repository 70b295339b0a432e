#pragma once

#include "pipeline/publish/publisher.h"
#include "pipeline/publish/result_json.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace es::pipeline {

// One JSON message per line, to a file (appended to, flushed after every message) or stdout.
class JsonLinesPublisher : public Publisher {
  public:
    // Throws es::Error (BadInput) naming `path` when it cannot be opened for appending.
    static std::unique_ptr<JsonLinesPublisher> open_file(const std::filesystem::path& path);
    static std::unique_ptr<JsonLinesPublisher> to_stdout();
    ~JsonLinesPublisher() override;

    void publish(const FrameResult& result) override;
    bool flush(std::chrono::milliseconds timeout) override;
    void close() override;
    OutputStats stats() const override;

  private:
    JsonLinesPublisher(std::FILE* file, bool owned, std::string name);

    mutable std::mutex m_mutex;
    std::FILE* m_file;
    const bool m_owned;
    const std::string m_name;
    SequenceNumbers m_sequence;
    uint64_t m_written = 0;
    uint64_t m_failed = 0;
};

}  // namespace es::pipeline
