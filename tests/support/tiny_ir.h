#pragma once

#include <filesystem>
#include <string>

namespace es::testing {

// A four-layer IR v11 (Parameter [1,3,4,4] → Add(Const [1,3,1,1] = 1,2,3) → ReLU → Result)
// as text, for tests that corrupt one part of it.
std::string tiny_ir_xml();

// Writes `xml` as `dir/name.xml` and the 12-byte weights (or `bin_bytes` of them) beside it.
std::filesystem::path write_tiny_ir(const std::filesystem::path& dir, const std::string& name,
                                    const std::string& xml, size_t bin_bytes = 12);

// Replaces the first occurrence of `from` in `text` (which must be present).
std::string replace_once(std::string text, const std::string& from, const std::string& to);

}  // namespace es::testing
