#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace es::pipeline {

// `seq` numbers per source that continue across restarts. The next number of every source is
// kept in a small JSON file ({"next": {"cam": 42}}), saved (written to a temporary file and
// renamed over the old one) before a number is handed out: a restart never reuses a number,
// and only a kill between the save and the use of a number leaves that one number unused.
class SavedSequenceNumbers {
  public:
    // Reads `path` when it exists and saves it once, so that an unusable folder is found at
    // the start. Throws es::Error: BadInput when the file is not such a JSON file, Runtime
    // when it cannot be written.
    explicit SavedSequenceNumbers(std::filesystem::path path);

    // The next seq of `source`. When the save fails, numbering goes on in memory: the failure
    // is logged (once until a save succeeds again) and counted.
    uint64_t next(const std::string& source);
    uint64_t failed_saves() const;
    const std::filesystem::path& path() const { return m_path; }

  private:
    // Empty when saved, else why not.
    std::string save() const;

    const std::filesystem::path m_path;
    mutable std::mutex m_mutex;
    std::map<std::string, uint64_t> m_next;
    uint64_t m_failed_saves = 0;
    bool m_failing = false;
};

}  // namespace es::pipeline
