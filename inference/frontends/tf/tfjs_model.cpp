#include "inference/core/error.h"
#include "inference/frontends/tf/graph_importer.h"
#include "inference/frontends/tf/tf_frontend.h"

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace es::frontends {
namespace {

using Json = nlohmann::ordered_json;

std::string read_text(const std::filesystem::path& path, const std::string& user) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open {}", user, path.string());
    std::ostringstream contents;
    contents << file.rdbuf();
    return std::move(contents).str();
}

// The bytes of one weight group: its shards, concatenated in order.
std::string read_group(const Json& group, const std::filesystem::path& directory,
                       const std::string& where) {
    if (!group.contains("paths") || !group["paths"].is_array())
        throw_bad_input("{}: a weightsManifest group has no 'paths' list", where);
    std::string bytes;
    for (const auto& path : group["paths"]) {
        if (!path.is_string()) throw_bad_input("{}: a shard path is not a string", where);
        const std::filesystem::path shard = directory / path.get<std::string>();
        if (!std::filesystem::exists(shard))
            throw_bad_input("{}: weight shard '{}' is missing ({})", where, path.get<std::string>(),
                            shard.string());
        bytes += read_text(shard, where);
    }
    return bytes;
}

ElementType weight_type(const std::string& dtype, const std::string& where) {
    if (dtype == "float32") return ElementType::f32;
    if (dtype == "int32") return ElementType::i32;
    if (dtype == "bool") return ElementType::boolean;
    throw_bad_input("{}: weight type '{}' is not supported", where, dtype);
}

// Decodes one weight from `bytes` at `offset`, advancing it; quantized weights are expanded as
// TF.js does: uint8/uint16 as q * scale + min (rounded for int32), float16 to float32.
Tensor decode_weight(const Json& spec, std::string_view bytes, size_t& offset,
                     const std::string& where) {
    const std::string name = spec.value("name", "");
    const std::string what = fmt::format("{}: weight '{}'", where, name);
    if (!spec.contains("shape") || !spec["shape"].is_array())
        throw_bad_input("{}: 'shape' is missing", what);
    Shape shape;
    for (const auto& dim : spec["shape"]) {
        if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
            throw_bad_input("{}: the shape holds {}", what, dim.dump());
        shape.push_back(dim.get<int64_t>());
    }
    const std::string dtype = spec.value("dtype", "float32");
    if (dtype == "string") throw_bad_input("{}: string weights are not supported", what);
    const ElementType type = weight_type(dtype, what);
    size_t count = 0;
    try {
        count = shape_size(shape);
    } catch (const Error& error) {
        rethrow_with_context(error, what);
    }
    const std::string stored =
        spec.contains("quantization") ? spec["quantization"].value("dtype", "") : "";
    const size_t width = stored.empty() ? element_size(type) : stored == "uint8" ? 1 : 2;
    // the bytes are checked before the tensor is allocated, so a bad shape cannot exhaust memory
    if (count > (bytes.size() - offset) / width)
        throw_bad_input("{}: needs {} bytes at offset {}, but the shards hold {} bytes", what,
                        count * width, offset, bytes.size());
    const char* data = bytes.data() + offset;
    offset += count * width;
    Tensor tensor(type, shape);
    if (stored.empty()) {
        std::memcpy(tensor.bytes(), data, tensor.byte_size());
        return tensor;
    }
    const Json& quantization = spec["quantization"];
    if (stored == "float16") {
        if (type != ElementType::f32)
            throw_bad_input("{}: float16 quantization of {}", what, dtype);
        float* values = tensor.data<float>();
        for (size_t i = 0; i < count; ++i) {
            uint16_t bits = 0;
            std::memcpy(&bits, data + 2 * i, 2);
            values[i] = static_cast<float>(float16::from_bits(bits));
        }
        return tensor;
    }
    if (stored != "uint8" && stored != "uint16")
        throw_bad_input("{}: quantization '{}' is not supported (uint8, uint16, float16)", what,
                        stored);
    if (!quantization.contains("min") || !quantization.contains("scale") ||
        !quantization["min"].is_number() || !quantization["scale"].is_number())
        throw_bad_input("{}: {} quantization needs 'min' and 'scale'", what, stored);
    const double min = quantization["min"].get<double>();
    const double scale = quantization["scale"].get<double>();
    for (size_t i = 0; i < count; ++i) {
        uint16_t q = 0;
        if (width == 1)
            q = static_cast<uint8_t>(data[i]);
        else
            std::memcpy(&q, data + 2 * i, 2);
        const double value = q * scale + min;
        if (type == ElementType::f32)
            tensor.data<float>()[i] = static_cast<float>(value);
        else if (type == ElementType::i32)
            tensor.data<int32_t>()[i] = static_cast<int32_t>(std::floor(value + 0.5));
        else
            throw_bad_input("{}: {} quantization of {}", what, stored, dtype);
    }
    return tensor;
}

// Whether a constant carries its values itself (TF.js keeps most of them in the shards).
bool holds_values(const tensorflow::TensorProto& tensor) {
    if (!tensor.tensor_content().empty()) return true;
    if (tensor.float_val_size() || tensor.double_val_size() || tensor.int_val_size() ||
        tensor.int64_val_size() || tensor.bool_val_size() || tensor.half_val_size() ||
        tensor.string_val_size() || tensor.uint32_val_size() || tensor.uint64_val_size())
        return true;
    for (const auto& dim : tensor.tensor_shape().dim())
        if (dim.size() == 0) return true;  // no elements
    return false;
}

// "name:0" is known as "name"; other outputs keep their index.
std::string user_name(const std::string& tensor) {
    return tensor.ends_with(":0") ? tensor.substr(0, tensor.size() - 2) : tensor;
}

void read_signature(const Json& model, tf_import::GraphSpec& spec) {
    const Json* signature = nullptr;
    if (model.contains("signature"))
        signature = &model["signature"];
    else if (model.contains("userDefinedMetadata") &&
             model["userDefinedMetadata"].contains("signature"))
        signature = &model["userDefinedMetadata"]["signature"];
    if (!signature || !signature->is_object()) return;
    auto read = [](const Json& entries, std::vector<tf_import::Endpoint>& endpoints) {
        if (!entries.is_object()) return;
        for (const auto& [key, info] : entries.items()) {
            const std::string tensor = info.is_object() ? info.value("name", key) : key;
            endpoints.push_back({tensor, user_name(tensor)});
        }
    };
    if (signature->contains("inputs")) read((*signature)["inputs"], spec.inputs);
    if (signature->contains("outputs")) read((*signature)["outputs"], spec.outputs);
}

}  // namespace

graph::Model read_tfjs_model(const std::filesystem::path& model_json,
                             const extensions::ExtensionSet& extensions) {
    const std::string where = model_json.string();
    if (!std::filesystem::exists(model_json)) throw_bad_input("{}: no such file", where);
    Json model;
    try {
        model = Json::parse(read_text(model_json, where));
    } catch (const Json::exception& error) {
        throw_bad_input("{}: not valid JSON: {}", where, error.what());
    }
    if (!model.is_object()) throw_bad_input("{}: not a TF.js model (not a JSON object)", where);
    const std::string format = model.value("format", "graph-model");
    if (format == "layers-model")
        throw_bad_input("{}: a TF.js layers model (Keras); only graph models are supported", where);
    if (!model.contains("modelTopology") || !model["modelTopology"].is_object())
        throw_bad_input("{}: 'modelTopology' is missing", where);

    tensorflow::GraphDef graph;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    const auto status =
        google::protobuf::util::JsonStringToMessage(model["modelTopology"].dump(), &graph, options);
    if (!status.ok())
        throw_bad_input("{}: modelTopology is not a valid GraphDef: {}", where,
                        std::string(status.message()));

    tf_import::GraphSpec spec;
    spec.where = where;
    spec.model_name = model_json.parent_path().filename().string();
    if (model_json.stem() != "model") spec.model_name = model_json.stem().string();
    spec.extensions = &extensions;
    read_signature(model, spec);

    const auto directory = model_json.parent_path();
    if (model.contains("weightsManifest")) {
        if (!model["weightsManifest"].is_array())
            throw_bad_input("{}: 'weightsManifest' is not a list", where);
        for (const auto& group : model["weightsManifest"]) {
            const std::string bytes = read_group(group, directory, where);
            size_t offset = 0;
            if (!group.contains("weights") || !group["weights"].is_array())
                throw_bad_input("{}: a weightsManifest group has no 'weights' list", where);
            for (const auto& spec_json : group["weights"]) {
                Tensor value = decode_weight(spec_json, bytes, offset, where);
                spec.bound_values[spec_json.value("name", "")] = std::move(value);
            }
        }
    }
    for (const auto& node : graph.node()) {
        if (node.op() != "Const" || spec.bound_values.count(node.name())) continue;
        const auto value = node.attr().find("value");
        if (value == node.attr().end() || !holds_values(value->second.tensor()))
            throw_bad_input("{}: constant '{}' has no weight in weightsManifest", where,
                            node.name());
    }
    return tf_import::import_graph(std::move(graph), spec);
}

}  // namespace es::frontends
