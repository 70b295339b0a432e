#include "inference/frontends/tf/tensor_bundle.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/tensor_conversion.h"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

namespace es::frontends::tf_import {
namespace {

constexpr uint64_t k_table_magic = 0xdb4775248b80fb57ull;
constexpr size_t k_footer_size = 48;        // two block handles padded to 40 bytes, then the magic
constexpr size_t k_block_trailer_size = 5;  // compression type, masked CRC-32C
constexpr uint32_t k_mask_delta = 0xa282ead8u;

std::array<uint32_t, 256> make_crc_table() {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t crc = i;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
        table[i] = crc;
    }
    return table;
}

uint32_t read_fixed32(const char* p) {
    uint32_t value = 0;
    for (int i = 3; i >= 0; --i)
        value = (value << 8) | static_cast<uint8_t>(p[i]);
    return value;
}

// Reads bytes of a file region with bounds checks, naming the file in errors.
class Cursor {
  public:
    Cursor(std::string_view data, std::string where) : m_data(data), m_where(std::move(where)) {}

    bool done() const { return m_position >= m_data.size(); }
    size_t position() const { return m_position; }

    uint64_t varint(int max_bytes = 10) {
        uint64_t value = 0;
        for (int shift = 0, i = 0; i < max_bytes; ++i, shift += 7) {
            if (m_position >= m_data.size()) fail("a varint runs past the end");
            const auto byte = static_cast<uint8_t>(m_data[m_position++]);
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return value;
        }
        fail("a varint is too long");
    }

    std::string_view bytes(uint64_t count) {
        if (count > m_data.size() - m_position)
            fail(fmt::format("{} bytes at offset {} run past the end", count, m_position));
        const std::string_view result = m_data.substr(m_position, count);
        m_position += count;
        return result;
    }

    [[noreturn]] void fail(const std::string& message) const {
        throw_bad_input("{}: {}", m_where, message);
    }

  private:
    std::string_view m_data;
    std::string m_where;
    size_t m_position = 0;
};

struct BlockHandle {
    uint64_t offset = 0;
    uint64_t size = 0;
};

BlockHandle read_handle(Cursor& cursor) {
    BlockHandle handle;
    handle.offset = cursor.varint();
    handle.size = cursor.varint();
    return handle;
}

// The contents of a block, after checking its trailer.
std::string_view read_block(std::string_view file, BlockHandle handle, const std::string& where) {
    if (handle.offset > file.size() || handle.size > file.size() - handle.offset ||
        file.size() - handle.offset - handle.size < k_block_trailer_size)
        throw_bad_input("{}: a block at offset {} of {} bytes lies outside the file ({} bytes)",
                        where, handle.offset, handle.size, file.size());
    const std::string_view block = file.substr(handle.offset, handle.size);
    const char type = file[handle.offset + handle.size];
    if (type != 0)
        throw_bad_input("{}: a block is compressed (type {}), which is not supported", where,
                        static_cast<int>(type));
    const uint32_t stored = read_fixed32(file.data() + handle.offset + handle.size + 1);
    const uint32_t actual =
        mask_crc(crc32c(std::as_bytes(std::span(file.data() + handle.offset, handle.size + 1))));
    if (stored != actual)
        throw_bad_input("{}: the block at offset {} fails its checksum", where, handle.offset);
    return block;
}

// The key-value entries of a block: keys share a prefix with the previous key.
void read_entries(std::string_view block, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>& entries) {
    if (block.size() < 4)
        throw_bad_input("{}: a block of {} bytes is too short", where, block.size());
    const uint32_t restarts = read_fixed32(block.data() + block.size() - 4);
    if (restarts > (block.size() - 4) / 4)
        throw_bad_input("{}: a block claims {} restart points", where, restarts);
    const size_t data_end = block.size() - 4 - 4 * static_cast<size_t>(restarts);
    Cursor cursor(block.substr(0, data_end), where);
    std::string key;
    while (!cursor.done()) {
        const uint64_t shared = cursor.varint(5);
        const uint64_t unshared = cursor.varint(5);
        const uint64_t value_size = cursor.varint(5);
        if (shared > key.size())
            cursor.fail(
                fmt::format("an entry shares {} bytes of a {}-byte key", shared, key.size()));
        key.resize(shared);
        key.append(cursor.bytes(unshared));
        entries.emplace_back(key, std::string(cursor.bytes(value_size)));
    }
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open", path.string());
    std::ostringstream contents;
    contents << file.rdbuf();
    return std::move(contents).str();
}

}  // namespace

uint32_t crc32c(std::span<const std::byte> data, uint32_t crc) {
    static const std::array<uint32_t, 256> table = make_crc_table();
    crc = ~crc;
    for (std::byte byte : data)
        crc = table[(crc ^ static_cast<uint8_t>(byte)) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint32_t mask_crc(uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + k_mask_delta;
}

std::map<std::string, std::string> read_sorted_table(std::string_view file,
                                                     const std::string& where) {
    if (file.size() < k_footer_size)
        throw_bad_input("{}: {} bytes are too few for a table footer ({} bytes)", where,
                        file.size(), k_footer_size);
    const char* footer = file.data() + file.size() - k_footer_size;
    const uint64_t magic = static_cast<uint64_t>(read_fixed32(footer + 40)) |
                           (static_cast<uint64_t>(read_fixed32(footer + 44)) << 32);
    if (magic != k_table_magic)
        throw_bad_input("{}: not a TensorFlow table (bad magic number)", where);
    Cursor handles(std::string_view(footer, 40), where);
    read_handle(handles);  // the metaindex block: unused
    const BlockHandle index_handle = read_handle(handles);

    std::vector<std::pair<std::string, std::string>> index;
    read_entries(read_block(file, index_handle, where), where, index);
    std::map<std::string, std::string> table;
    for (const auto& [separator, value] : index) {
        Cursor cursor(value, where);
        std::vector<std::pair<std::string, std::string>> entries;
        read_entries(read_block(file, read_handle(cursor), where), where, entries);
        for (auto& [key, entry] : entries)
            table[key] = std::move(entry);
    }
    return table;
}

TensorBundle::TensorBundle(std::filesystem::path prefix) : m_prefix(std::move(prefix)) {
    const std::filesystem::path index_path = m_prefix.string() + ".index";
    const std::string where = index_path.string();
    const auto table = read_sorted_table(read_file(index_path), where);
    const auto header = table.find("");
    if (header == table.end()) throw_bad_input("{}: the bundle header is missing", where);
    tensorflow::BundleHeaderProto header_proto;
    if (!header_proto.ParseFromString(header->second))
        throw_bad_input("{}: the bundle header is not a valid BundleHeaderProto", where);
    if (header_proto.endianness() != tensorflow::BundleHeaderProto::LITTLE)
        throw_bad_input("{}: big-endian bundles are not supported", where);
    m_shards = header_proto.num_shards();
    if (m_shards < 1 || m_shards > 99999)
        throw_bad_input("{}: the header gives {} shards", where, m_shards);
    for (const auto& [key, value] : table) {
        if (key.empty()) continue;
        tensorflow::BundleEntryProto entry;
        if (!entry.ParseFromString(value))
            throw_bad_input("{}: the entry of '{}' is not a valid BundleEntryProto", where, key);
        m_entries.emplace(key, std::move(entry));
    }
}

Tensor TensorBundle::read(const std::string& key) const {
    const auto found = m_entries.find(key);
    const std::string where = fmt::format("{}.index: tensor '{}'", m_prefix.string(), key);
    if (found == m_entries.end()) throw_bad_input("{}: not in the bundle", where);
    const tensorflow::BundleEntryProto& entry = found->second;
    if (entry.slices_size() > 0)
        throw_bad_input("{}: partitioned tensors are not supported", where);
    const auto type = element_type_from_tf(entry.dtype());
    if (!type) throw_bad_input("{}: type {} is not supported", where, tf_type_name(entry.dtype()));
    const PartialShape shape = shape_from_proto(entry.shape());
    if (!shape.is_static())
        throw_bad_input("{}: the shape {} is not static", where, to_string(shape));
    size_t byte_size = 0;
    try {
        byte_size = shape_size(shape.to_shape()) * element_size(*type);
    } catch (const Error& error) {
        rethrow_with_context(error, where);
    }
    if (entry.size() < 0 || static_cast<uint64_t>(entry.size()) != byte_size)
        throw_bad_input("{}: {} bytes stored, but a {} tensor of shape {} has {}", where,
                        entry.size(), to_string(*type), to_string(shape), byte_size);
    if (entry.shard_id() < 0 || entry.shard_id() >= m_shards)
        throw_bad_input("{}: shard {} of {} does not exist", where, entry.shard_id(), m_shards);
    const std::filesystem::path data_path =
        fmt::format("{}.data-{:05d}-of-{:05d}", m_prefix.string(), entry.shard_id(), m_shards);
    std::ifstream data(data_path, std::ios::binary);
    if (!data) throw_bad_input("{}: cannot open {}", where, data_path.string());
    // the range is checked against the file before the tensor is allocated
    std::error_code error;
    const auto file_size = std::filesystem::file_size(data_path, error);
    if (error || entry.offset() < 0 || static_cast<uint64_t>(entry.offset()) > file_size ||
        byte_size > file_size - static_cast<uint64_t>(entry.offset()))
        throw_bad_input("{}: bytes [{}, {}) lie past the end of {}", where, entry.offset(),
                        entry.offset() + entry.size(), data_path.string());
    Tensor tensor(*type, shape.to_shape());
    data.seekg(entry.offset());
    data.read(reinterpret_cast<char*>(tensor.bytes()), static_cast<std::streamsize>(byte_size));
    if (!data) throw_bad_input("{}: cannot read {}", where, data_path.string());
    if (mask_crc(crc32c(std::span(tensor.bytes(), tensor.byte_size()))) != entry.crc32c())
        throw_bad_input("{}: the data fails its checksum", where);
    return tensor;
}

}  // namespace es::frontends::tf_import
