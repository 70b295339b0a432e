#include "pipeline/publish/rotating_file.h"

#include "inference/core/error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace es::pipeline {
namespace {

std::filesystem::path numbered(const std::filesystem::path& path, int index) {
    return std::filesystem::path(path.string() + "." + std::to_string(index));
}

}  // namespace

RotatingFile::RotatingFile(std::filesystem::path path, RotationLimits limits)
    : m_path(std::move(path)), m_limits(limits) {
    if (const int error = open_path())
        throw_bad_input("results file {}: cannot open for appending: {}", m_path.string(),
                        std::strerror(error));
}

RotatingFile::~RotatingFile() {
    close_file();
}

int RotatingFile::open_path() {
    close_file();
    const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        const int error = errno;
        ::close(fd);
        return error;
    }
    m_fd = fd;
    m_size = static_cast<uint64_t>(status.st_size);
    m_device = status.st_dev;
    m_inode = status.st_ino;
    return 0;
}

void RotatingFile::close_file() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

bool RotatingFile::still_names_open_file() const {
    struct stat status {};
    return ::stat(m_path.c_str(), &status) == 0 && status.st_dev == m_device &&
           status.st_ino == m_inode;
}

int RotatingFile::rotate() {
    close_file();
    std::error_code ignored;
    std::filesystem::remove(m_limits.max_files > 0 ? numbered(m_path, m_limits.max_files) : m_path,
                            ignored);
    for (int index = m_limits.max_files - 1; index >= 1; --index)
        std::filesystem::rename(numbered(m_path, index), numbered(m_path, index + 1), ignored);
    if (m_limits.max_files > 0) std::filesystem::rename(m_path, numbered(m_path, 1), ignored);
    return open_path();
}

int RotatingFile::append(std::string_view line) {
    if (m_fd < 0 || !still_names_open_file())
        if (const int error = open_path()) return error;
    if (m_limits.max_bytes > 0 && m_size > 0 && m_size + line.size() > m_limits.max_bytes)
        if (const int error = rotate()) return error;
    size_t written = 0;
    while (written < line.size()) {
        const ssize_t count = ::write(m_fd, line.data() + written, line.size() - written);
        if (count > 0) {
            written += static_cast<size_t>(count);
            continue;
        }
        if (count < 0 && errno == EINTR) continue;
        const int error = count < 0 ? errno : ENOSPC;
        if (written > 0 && ::ftruncate(m_fd, static_cast<off_t>(m_size)) != 0)
            close_file();  // the next append reopens it and learns its size
        return error;
    }
    m_size += written;
    return 0;
}

}  // namespace es::pipeline
