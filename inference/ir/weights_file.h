#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

namespace es::ir {

// A read-only memory mapping of a whole file; empty files map to an empty span.
class MappedFile {
  public:
    static std::shared_ptr<const MappedFile> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const std::byte* data() const { return m_data; }
    size_t size() const { return m_size; }

  private:
    MappedFile() = default;
    const std::byte* m_data = nullptr;
    size_t m_size = 0;
};

}  // namespace es::ir
