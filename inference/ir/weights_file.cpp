#include "inference/ir/weights_file.h"

#include "inference/core/error.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace es::ir {

std::shared_ptr<const MappedFile> MappedFile::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_bad_input("{}: cannot open: {}", path.string(), std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw_bad_input("{}: not a regular file", path.string());
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_size = static_cast<size_t>(info.st_size);
    if (file->m_size > 0) {
        void* address = ::mmap(nullptr, file->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (address == MAP_FAILED) {
            ::close(fd);
            throw_runtime("{}: cannot map: {}", path.string(), std::strerror(errno));
        }
        file->m_data = static_cast<const std::byte*>(address);
    }
    ::close(fd);
    return file;
}

MappedFile::~MappedFile() {
    if (m_data) ::munmap(const_cast<std::byte*>(m_data), m_size);
}

}  // namespace es::ir
