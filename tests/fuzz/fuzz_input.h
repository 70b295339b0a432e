#pragma once

// Fuzz inputs made of several files: each part but the last is a 4-byte little-endian length and
// that many bytes, the last part is what remains. Parts missing from a short input are empty.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace es::fuzz {

std::vector<std::string_view> split_parts(const uint8_t* data, size_t size, size_t count);

// A folder of this process's own for the files of one input, emptied on each call.
std::filesystem::path fresh_dir();

void write_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace es::fuzz
