#include "inference/core/npy.h"

#include "inference/core/error.h"

#include <array>
#include <cstring>
#include <fstream>

namespace es {
namespace {

constexpr std::array<char, 6> k_magic = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

struct Descr {
    std::string_view text;
    ElementType type;
};

constexpr std::array<Descr, 10> k_descrs = {{
    {"<f4", ElementType::f32},
    {"<f2", ElementType::f16},
    {"<f8", ElementType::f64},
    {"<i4", ElementType::i32},
    {"<i8", ElementType::i64},
    {"<i2", ElementType::i16},
    {"|u1", ElementType::u8},
    {"|i1", ElementType::i8},
    {"|b1", ElementType::boolean},
    {"<u8", ElementType::u64},
}};

// Value of `key` in the header dict: the text up to the next top-level comma or closing brace.
std::string dict_value(const std::string& header, const std::string& key,
                       const std::filesystem::path& path) {
    size_t start = std::string::npos;
    for (const char quote : {'\'', '"'}) {
        const size_t found = header.find(quote + key + quote);
        if (found != std::string::npos) start = found + key.size() + 2;
    }
    if (start != std::string::npos) start = header.find(':', start);
    if (start == std::string::npos)
        throw_bad_input("{}: .npy header has no '{}'", path.string(), key);
    ++start;
    while (start < header.size() && header[start] == ' ')
        ++start;
    size_t end = start;
    int depth = 0;
    for (; end < header.size(); ++end) {
        const char c = header[end];
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (depth == 0 && (c == ',' || c == '}')) break;
        if (depth < 0) break;
    }
    if (end < header.size() && header[end] == ')') ++end;
    return header.substr(start, end - start);
}

Shape parse_shape(std::string text, const std::filesystem::path& path) {
    Shape shape;
    const auto open = text.find('(');
    const auto close = text.find(')');
    if (open == std::string::npos || close == std::string::npos || close < open)
        throw_bad_input("{}: malformed shape '{}' in .npy header", path.string(), text);
    std::string inner = text.substr(open + 1, close - open - 1);
    size_t position = 0;
    while (position < inner.size()) {
        while (position < inner.size() && (inner[position] == ' ' || inner[position] == ','))
            ++position;
        if (position >= inner.size()) break;
        size_t end = position;
        while (end < inner.size() && std::isdigit(static_cast<unsigned char>(inner[end])))
            ++end;
        if (end == position || end - position > 15)
            throw_bad_input("{}: malformed shape '{}' in .npy header", path.string(), text);
        shape.push_back(std::stoll(inner.substr(position, end - position)));
        position = end;
    }
    return shape;
}

}  // namespace

Tensor read_npy(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open", path.string());
    std::array<char, 8> preamble{};
    file.read(preamble.data(), preamble.size());
    if (!file || std::memcmp(preamble.data(), k_magic.data(), k_magic.size()) != 0)
        throw_bad_input("{}: not a .npy file (bad magic)", path.string());
    const int major = static_cast<unsigned char>(preamble[6]);
    uint32_t header_size = 0;
    if (major == 1) {
        std::array<unsigned char, 2> size{};
        file.read(reinterpret_cast<char*>(size.data()), 2);
        header_size = size[0] | (size[1] << 8);
    } else if (major == 2 || major == 3) {
        std::array<unsigned char, 4> size{};
        file.read(reinterpret_cast<char*>(size.data()), 4);
        header_size = size[0] | (size[1] << 8) | (size[2] << 16) | (uint32_t{size[3]} << 24);
    } else {
        throw_bad_input("{}: unsupported .npy version {}", path.string(), major);
    }
    if (!file || header_size > (1u << 20))
        throw_bad_input("{}: truncated or oversized .npy header", path.string());
    std::string header(header_size, '\0');
    file.read(header.data(), header_size);
    if (!file) throw_bad_input("{}: truncated .npy header", path.string());

    std::string descr = dict_value(header, "descr", path);
    std::erase_if(descr, [](char c) { return c == '\'' || c == '"' || c == ' '; });
    ElementType type = ElementType::undefined;
    for (const auto& entry : k_descrs)
        if (entry.text == descr) type = entry.type;
    if (type == ElementType::undefined)
        throw_bad_input("{}: unsupported .npy dtype '{}' (expected <f4 <f2 <i4 <i8 |u1 |i1)",
                        path.string(), descr);
    const std::string fortran = dict_value(header, "fortran_order", path);
    if (fortran.find("False") == std::string::npos)
        throw_bad_input("{}: Fortran-order .npy arrays are not supported; save in C order",
                        path.string());
    const Shape shape = parse_shape(dict_value(header, "shape", path), path);

    size_t byte_size = 0;
    try {
        byte_size = shape_size(shape) * element_size(type);
    } catch (const Error& error) {
        rethrow_with_context(error, path.string());
    }
    // the data is checked against the file before the tensor is allocated
    const auto data_start = file.tellg();
    file.seekg(0, std::ios::end);
    const auto file_end = file.tellg();
    if (data_start < 0 || file_end < data_start)
        throw_bad_input("{}: cannot measure the data (not a regular file?)", path.string());
    const auto available = static_cast<size_t>(file_end - data_start);
    if (available < byte_size)
        throw_bad_input("{}: holds {} data bytes, shape {} of {} needs {}", path.string(),
                        available, to_string(shape), to_string(type), byte_size);
    Tensor tensor(type, shape);
    file.seekg(data_start);
    file.read(reinterpret_cast<char*>(tensor.bytes()), static_cast<std::streamsize>(byte_size));
    if (!file) throw_bad_input("{}: read failed", path.string());
    return tensor;
}

void write_npy(const std::filesystem::path& path, const Tensor& tensor) {
    std::string_view descr;
    for (const auto& entry : k_descrs)
        if (entry.type == tensor.type()) descr = entry.text;
    if (descr.empty())
        throw_runtime("{}: cannot write element type {} to .npy", path.string(),
                      to_string(tensor.type()));
    std::string shape = "(";
    for (size_t i = 0; i < tensor.rank(); ++i)
        shape += std::to_string(tensor.shape()[i]) + ", ";
    if (tensor.rank() > 1)
        shape.resize(shape.size() - 2);  // (3,) keeps its comma, (2, 3) not
    else if (tensor.rank() == 1)
        shape.resize(shape.size() - 1);
    shape += ")";
    std::string header =
        fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, shape);
    const bool version2 = header.size() + 11 > 65535;
    const size_t preamble = version2 ? 12 : 10;
    const size_t total = (preamble + header.size() + 1 + 63) / 64 * 64;
    header.append(total - preamble - header.size() - 1, ' ');
    header += '\n';

    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) throw_runtime("{}: cannot open for writing", path.string());
    file.write(k_magic.data(), k_magic.size());
    const char version[2] = {static_cast<char>(version2 ? 2 : 1), 0};
    file.write(version, 2);
    const uint32_t size = static_cast<uint32_t>(header.size());
    const char size_bytes[4] = {
        static_cast<char>(size & 0xff), static_cast<char>((size >> 8) & 0xff),
        static_cast<char>((size >> 16) & 0xff), static_cast<char>((size >> 24) & 0xff)};
    file.write(size_bytes, version2 ? 4 : 2);
    file.write(header.data(), static_cast<std::streamsize>(header.size()));
    file.write(reinterpret_cast<const char*>(tensor.bytes()),
               static_cast<std::streamsize>(tensor.byte_size()));
    if (!file) throw_runtime("{}: write failed", path.string());
}

}  // namespace es
