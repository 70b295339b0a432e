#include "tests/unit/frontends_tf/tf_builders.h"

#include "inference/frontends/tf/proto/tensor_bundle.pb.h"
#include "inference/frontends/tf/tensor_bundle.h"

#include <fstream>
#include <sstream>

namespace es::testing {
namespace {

void put_varint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void put_fixed32(std::string& out, uint32_t value) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Appends a block (entries, restart array) with its trailer; returns its handle.
std::pair<uint64_t, uint64_t> put_block(
    std::string& file, const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string block;
    std::vector<uint32_t> restarts;
    std::string previous;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& [key, value] = entries[i];
        size_t shared = 0;
        if (i % 4 == 0) {
            restarts.push_back(static_cast<uint32_t>(block.size()));
        } else {
            while (shared < key.size() && shared < previous.size() &&
                   key[shared] == previous[shared])
                ++shared;
        }
        put_varint(block, shared);
        put_varint(block, key.size() - shared);
        put_varint(block, value.size());
        block += key.substr(shared);
        block += value;
        previous = key;
    }
    if (restarts.empty()) restarts.push_back(0);
    for (uint32_t restart : restarts)
        put_fixed32(block, restart);
    put_fixed32(block, static_cast<uint32_t>(restarts.size()));
    const uint64_t offset = file.size();
    file += block;
    file.push_back('\0');  // no compression
    const uint32_t crc = frontends::tf_import::crc32c(
        std::as_bytes(std::span(file.data() + offset, block.size() + 1)));
    put_fixed32(file, frontends::tf_import::mask_crc(crc));
    return {offset, block.size()};
}

std::string handle_bytes(std::pair<uint64_t, uint64_t> handle) {
    std::string out;
    put_varint(out, handle.first);
    put_varint(out, handle.second);
    return out;
}

}  // namespace

tensorflow::DataType tf_type(ElementType type) {
    switch (type) {
        case ElementType::f32:
            return tensorflow::DT_FLOAT;
        case ElementType::f16:
            return tensorflow::DT_HALF;
        case ElementType::f64:
            return tensorflow::DT_DOUBLE;
        case ElementType::i32:
            return tensorflow::DT_INT32;
        case ElementType::i64:
            return tensorflow::DT_INT64;
        case ElementType::u8:
            return tensorflow::DT_UINT8;
        case ElementType::i8:
            return tensorflow::DT_INT8;
        case ElementType::boolean:
            return tensorflow::DT_BOOL;
        default:
            return tensorflow::DT_INVALID;
    }
}

tensorflow::TensorProto tensor_proto(const Tensor& value) {
    tensorflow::TensorProto proto;
    proto.set_dtype(tf_type(value.type()));
    for (int64_t dim : value.shape())
        proto.mutable_tensor_shape()->add_dim()->set_size(dim);
    proto.set_tensor_content(
        std::string(reinterpret_cast<const char*>(value.bytes()), value.byte_size()));
    return proto;
}

tensorflow::NodeDef& GraphBuilder::node(const std::string& name, const std::string& op,
                                        const std::vector<std::string>& inputs) {
    tensorflow::NodeDef& node = *m_graph.add_node();
    node.set_name(name);
    node.set_op(op);
    for (const auto& input : inputs)
        node.add_input(input);
    set_type(node, "T", tensorflow::DT_FLOAT);
    return node;
}

tensorflow::NodeDef& GraphBuilder::placeholder(const std::string& name, const Shape& shape,
                                               tensorflow::DataType type) {
    tensorflow::NodeDef& node = this->node(name, "Placeholder");
    set_type(node, "dtype", type);
    auto* proto = (*node.mutable_attr())["shape"].mutable_shape();
    for (int64_t dim : shape)
        proto->add_dim()->set_size(dim);
    return node;
}

tensorflow::NodeDef& GraphBuilder::constant(const std::string& name, const Tensor& value) {
    tensorflow::NodeDef& node = this->node(name, "Const");
    set_type(node, "dtype", tf_type(value.type()));
    *(*node.mutable_attr())["value"].mutable_tensor() = tensor_proto(value);
    return node;
}

void GraphBuilder::write(const std::filesystem::path& path) const {
    write_file(path, m_graph.SerializeAsString());
}

void set_int(tensorflow::NodeDef& node, const std::string& name, int64_t value) {
    (*node.mutable_attr())[name].set_i(value);
}

void set_ints(tensorflow::NodeDef& node, const std::string& name,
              const std::vector<int64_t>& values) {
    auto* list = (*node.mutable_attr())[name].mutable_list();
    for (int64_t value : values)
        list->add_i(value);
}

void set_float(tensorflow::NodeDef& node, const std::string& name, float value) {
    (*node.mutable_attr())[name].set_f(value);
}

void set_bool(tensorflow::NodeDef& node, const std::string& name, bool value) {
    (*node.mutable_attr())[name].set_b(value);
}

void set_string(tensorflow::NodeDef& node, const std::string& name, const std::string& value) {
    (*node.mutable_attr())[name].set_s(value);
}

void set_strings(tensorflow::NodeDef& node, const std::string& name,
                 const std::vector<std::string>& values) {
    auto* list = (*node.mutable_attr())[name].mutable_list();
    for (const auto& value : values)
        list->add_s(value);
}

void set_type(tensorflow::NodeDef& node, const std::string& name, tensorflow::DataType type) {
    (*node.mutable_attr())[name].set_type(type);
}

std::string build_sorted_table(const std::map<std::string, std::string>& entries,
                               size_t entries_per_block) {
    std::string file;
    std::vector<std::pair<std::string, std::string>> index;
    std::vector<std::pair<std::string, std::string>> block;
    for (const auto& entry : entries) {
        block.push_back(entry);
        if (block.size() == entries_per_block) {
            index.emplace_back(block.back().first, handle_bytes(put_block(file, block)));
            block.clear();
        }
    }
    if (!block.empty())
        index.emplace_back(block.back().first, handle_bytes(put_block(file, block)));
    const auto metaindex = put_block(file, {});
    const auto index_handle = put_block(file, index);
    std::string footer = handle_bytes(metaindex) + handle_bytes(index_handle);
    footer.resize(40, '\0');
    put_fixed32(footer, 0x8b80fb57u);
    put_fixed32(footer, 0xdb477524u);
    return file + footer;
}

void write_tensor_bundle(const std::filesystem::path& prefix,
                         const std::map<std::string, Tensor>& tensors) {
    std::map<std::string, std::string> entries;
    tensorflow::BundleHeaderProto header;
    header.set_num_shards(1);
    header.mutable_version()->set_producer(1);
    entries[""] = header.SerializeAsString();
    std::string data;
    for (const auto& [key, tensor] : tensors) {
        tensorflow::BundleEntryProto entry;
        entry.set_dtype(tf_type(tensor.type()));
        for (int64_t dim : tensor.shape())
            entry.mutable_shape()->add_dim()->set_size(dim);
        entry.set_shard_id(0);
        entry.set_offset(static_cast<int64_t>(data.size()));
        entry.set_size(static_cast<int64_t>(tensor.byte_size()));
        entry.set_crc32c(frontends::tf_import::mask_crc(
            frontends::tf_import::crc32c(std::span(tensor.bytes(), tensor.byte_size()))));
        data.append(reinterpret_cast<const char*>(tensor.bytes()), tensor.byte_size());
        entries[key] = entry.SerializeAsString();
    }
    write_file(prefix.string() + ".index", build_sorted_table(entries));
    write_file(prefix.string() + ".data-00000-of-00001", data);
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream contents;
    contents << file.rdbuf();
    return std::move(contents).str();
}

}  // namespace es::testing
