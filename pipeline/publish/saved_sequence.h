#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace es::pipeline {

// Which messages a seq counts: results and track events go to topics of their own, each
// numbered per source, so that subscribers see the gaps of each topic.
enum class SeqStream { results, events };

// `seq` numbers per source and stream that continue across restarts and never go back, even
// after a power cut. The file ({"next": {"cam": 42}, "next_events": {"cam": 7}}; "next" counts
// results) holds for each source and stream a number above every one handed out: numbers are
// reserved in blocks, so the file is written only when a source has used up its block, and at
// close with the exact next numbers (a clean restart continues without a gap). Each save writes a
// temporary file, syncs it, renames it over the file and syncs the folder; the text it replaces
// is saved before, the same way, as `<file>.prev`. A file that cannot be read (empty, corrupt) is
// moved aside to `<file>.corrupt` and numbering continues one block above `<file>.prev`.
class SavedSequenceNumbers {
  public:
    static constexpr uint64_t k_default_block = 1000;

    // Reads `path` when it exists and saves a first reservation, so that an unusable folder is
    // found at the start. Throws es::Error (Runtime) when the file cannot be written.
    explicit SavedSequenceNumbers(std::filesystem::path path, uint64_t block = k_default_block);
    ~SavedSequenceNumbers();  // saves the exact next numbers
    SavedSequenceNumbers(const SavedSequenceNumbers&) = delete;
    SavedSequenceNumbers& operator=(const SavedSequenceNumbers&) = delete;

    // The next seq of `source` in `stream`. When a save fails, numbering goes on in memory: the
    // failure is logged (once until a save succeeds again) and counted.
    uint64_t next(const std::string& source, SeqStream stream = SeqStream::results);
    uint64_t failed_saves() const;
    const std::filesystem::path& path() const { return m_path; }

  private:
    // Per stream (indexed by SeqStream), per source.
    using Numbers = std::array<std::map<std::string, uint64_t>, 2>;

    // The numbers of `m_path`, else of `<file>.prev` plus one block; empty when neither exists.
    void load();
    // Empty when saved, else why not.
    std::string save(const Numbers& next);

    const std::filesystem::path m_path;
    const uint64_t m_block;
    mutable std::mutex m_mutex;
    Numbers m_next;
    Numbers m_reserved;    // as saved: numbers below are free to use
    uint64_t m_first = 0;  // where a source not in the file starts ("first" in the file)
    std::string m_saved;   // the file's text, as last read or saved; empty when unknown
    uint64_t m_failed_saves = 0;
    bool m_failing = false;
};

}  // namespace es::pipeline
