#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace es::pipeline {

// When an appended file rotates: past `max_bytes`, PATH becomes PATH.1 (PATH.1 becomes PATH.2,
// and so on; PATH.<max_files> is deleted) and a new PATH is started. 0 bytes: never.
struct RotationLimits {
    uint64_t max_bytes = 0;
    int max_files = 0;
};

// A file that lines are appended to whole: a write cut short (a full disk, a file size limit)
// is taken back, so the file never holds half a line. When PATH no longer names the open file
// (logrotate moved it, someone deleted it), the next append starts a new PATH.
class RotatingFile {
  public:
    // Throws es::Error (BadInput) naming `path` when it cannot be opened for appending.
    RotatingFile(std::filesystem::path path, RotationLimits limits);
    ~RotatingFile();
    RotatingFile(const RotatingFile&) = delete;
    RotatingFile& operator=(const RotatingFile&) = delete;

    // 0 when `line` was written whole, else the errno that stopped it.
    int append(std::string_view line);
    const std::filesystem::path& path() const { return m_path; }

  private:
    int open_path();
    void close_file();
    bool still_names_open_file() const;
    int rotate();

    std::filesystem::path m_path;
    RotationLimits m_limits;
    int m_fd = -1;
    uint64_t m_size = 0;
    dev_t m_device = 0;
    ino_t m_inode = 0;
};

}  // namespace es::pipeline
