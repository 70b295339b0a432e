#pragma once

#include "inference/core/tensor.h"
#include "inference/frontends/tf/proto/tensor_bundle.pb.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>

namespace es::frontends::tf_import {

// CRC-32C (Castagnoli), and the masked form LevelDB tables and TensorBundles store.
uint32_t crc32c(std::span<const std::byte> data, uint32_t crc = 0);
uint32_t mask_crc(uint32_t crc);

// Reads a LevelDB-format sorted table (the TensorBundle .index file): the footer's index block
// points at data blocks of prefix-compressed entries. Returns every key with its value. Blocks
// must be uncompressed; checksums are verified. Throws es::Error (BadInput) naming `where`.
std::map<std::string, std::string> read_sorted_table(std::string_view file,
                                                     const std::string& where);

// A TensorFlow checkpoint: PREFIX.index (a sorted table of BundleEntryProto under tensor names,
// BundleHeaderProto under the empty key) and PREFIX.data-NNNNN-of-NNNNN shards.
class TensorBundle {
  public:
    explicit TensorBundle(std::filesystem::path prefix);

    bool contains(const std::string& key) const { return m_entries.count(key) > 0; }
    const std::map<std::string, tensorflow::BundleEntryProto>& entries() const { return m_entries; }
    // The tensor stored under `key`, checked against its size and checksum.
    Tensor read(const std::string& key) const;

  private:
    std::filesystem::path m_prefix;
    int m_shards = 1;
    std::map<std::string, tensorflow::BundleEntryProto> m_entries;
};

}  // namespace es::frontends::tf_import
