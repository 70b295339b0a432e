#include "tests/fuzz/fuzz_input.h"

#include <unistd.h>

#include <fstream>
#include <string>

namespace es::fuzz {

std::vector<std::string_view> split_parts(const uint8_t* data, size_t size, size_t count) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> parts;
    while (parts.size() + 1 < count) {
        if (rest.size() < 4) {
            parts.emplace_back();
            continue;
        }
        const auto* length_bytes = reinterpret_cast<const uint8_t*>(rest.data());
        const size_t length = length_bytes[0] | (length_bytes[1] << 8) | (length_bytes[2] << 16) |
                              (size_t{length_bytes[3]} << 24);
        rest.remove_prefix(4);
        parts.push_back(rest.substr(0, length));
        rest.remove_prefix(parts.back().size());
    }
    parts.push_back(rest);
    return parts;
}

std::filesystem::path fresh_dir() {
    static const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("edgesight-fuzz-" + std::to_string(getpid()));
    // removed again at exit: a fuzzing run leaves no files behind
    static const struct Remover {
        ~Remover() { std::filesystem::remove_all(dir); }
    } remover;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace es::fuzz
