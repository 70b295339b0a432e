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

// The contents of a regular file: a device or a FIFO could be endless or block forever.
std::string read_regular_file(const std::filesystem::path& path, const std::string& where) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw_bad_input("{}: {} is not a regular file", where, path.string());
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open {}", where, path.string());
    std::ostringstream contents;
    contents << file.rdbuf();
    return std::move(contents).str();
}

ElementType weight_type(const std::string& dtype, const std::string& where) {
    if (dtype == "float32") return ElementType::f32;
    if (dtype == "int32") return ElementType::i32;
    if (dtype == "bool") return ElementType::boolean;
    throw_bad_input("{}: weight type '{}' is not supported", where, dtype);
}

// One weightsManifest entry: what it holds and how it is stored in the shards.
struct WeightSpec {
    std::string what;  // the model file and the weight's name, for errors
    Shape shape;
    ElementType type = ElementType::undefined;
    std::string stored;  // the quantization dtype; empty when stored as `type`
    size_t count = 0;
    size_t width = 0;  // bytes per stored value
};

WeightSpec parse_weight(const Json& spec, const std::string& where) {
    WeightSpec weight;
    weight.what = fmt::format("{}: weight '{}'", where, spec.value("name", ""));
    const std::string& what = weight.what;
    if (!spec.contains("shape") || !spec["shape"].is_array())
        throw_bad_input("{}: 'shape' is missing", what);
    for (const auto& dim : spec["shape"]) {
        if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
            throw_bad_input("{}: the shape holds {}", what, dim.dump());
        weight.shape.push_back(dim.get<int64_t>());
    }
    const std::string dtype = spec.value("dtype", "float32");
    if (dtype == "string") throw_bad_input("{}: string weights are not supported", what);
    weight.type = weight_type(dtype, what);
    try {
        weight.count = shape_size(weight.shape);
    } catch (const Error& error) {
        rethrow_with_context(error, what);
    }
    weight.stored = spec.contains("quantization") ? spec["quantization"].value("dtype", "") : "";
    if (weight.stored.empty()) {
        weight.width = element_size(weight.type);
    } else if (weight.stored == "uint8" || weight.stored == "uint16") {
        weight.width = weight.stored == "uint8" ? 1 : 2;
        const Json& quantization = spec["quantization"];
        if (weight.type == ElementType::boolean)
            throw_bad_input("{}: {} quantization of {}", what, weight.stored, dtype);
        if (!quantization.contains("min") || !quantization.contains("scale") ||
            !quantization["min"].is_number() || !quantization["scale"].is_number())
            throw_bad_input("{}: {} quantization needs 'min' and 'scale'", what, weight.stored);
    } else if (weight.stored == "float16") {
        weight.width = 2;
        if (weight.type != ElementType::f32)
            throw_bad_input("{}: float16 quantization of {}", what, dtype);
    } else {
        throw_bad_input("{}: quantization '{}' is not supported (uint8, uint16, float16)", what,
                        weight.stored);
    }
    return weight;
}

// A shard path of the manifest as a file inside the model's folder (symlinks resolved).
std::filesystem::path shard_file(const Json& path, const std::filesystem::path& directory,
                                 const std::string& where) {
    if (!path.is_string()) throw_bad_input("{}: a shard path is not a string", where);
    const std::string name = path.get<std::string>();
    const std::filesystem::path shard = directory / name;
    std::error_code error;
    if (!std::filesystem::exists(shard, error))
        throw_bad_input("{}: weight shard '{}' is missing ({})", where, name, shard.string());
    const auto folder = std::filesystem::canonical(directory.empty() ? "." : directory, error);
    const auto resolved = std::filesystem::canonical(shard, error);
    const auto relative = resolved.lexically_relative(folder);
    if (std::filesystem::path(name).is_absolute() || error || relative.empty() ||
        *relative.begin() == "..")
        throw_bad_input("{}: weight shard '{}' lies outside the model's folder {}", where, name,
                        folder.string());
    if (!std::filesystem::is_regular_file(resolved, error))
        throw_bad_input("{}: weight shard '{}' is not a regular file", where, name);
    return resolved;
}

// The bytes of one weight group: its shards, concatenated in order, once their sizes are known
// to hold every weight of `weights`.
std::string read_group(const Json& group, const std::vector<WeightSpec>& weights,
                       const std::filesystem::path& directory, const std::string& where) {
    if (!group.contains("paths") || !group["paths"].is_array())
        throw_bad_input("{}: a weightsManifest group has no 'paths' list", where);
    std::vector<std::filesystem::path> shards;
    size_t stored = 0;
    for (const auto& path : group["paths"]) {
        shards.push_back(shard_file(path, directory, where));
        std::error_code error;
        const auto size = std::filesystem::file_size(shards.back(), error);
        if (error) throw_bad_input("{}: cannot read {}", where, shards.back().string());
        stored += size;
    }
    size_t needed = 0;
    for (const auto& weight : weights)
        needed += weight.count * weight.width;
    if (stored < needed)
        throw_bad_input("{}: the shards {} hold {} bytes, but their weights need {}", where,
                        group["paths"].dump(), stored, needed);
    std::string bytes;
    for (const auto& shard : shards)
        bytes += read_regular_file(shard, where);
    if (bytes.size() < needed)
        throw_bad_input("{}: the shards {} changed while being read", where, group["paths"].dump());
    return bytes;
}

// Decodes one weight from `bytes` at `offset`, advancing it; quantized weights are expanded as
// TF.js does: uint8/uint16 as q * scale + min (rounded for int32), float16 to float32.
Tensor decode_weight(const WeightSpec& weight, const Json& spec, std::string_view bytes,
                     size_t& offset) {
    const char* data = bytes.data() + offset;
    offset += weight.count * weight.width;
    Tensor tensor(weight.type, weight.shape);
    if (weight.stored.empty()) {
        std::memcpy(tensor.bytes(), data, tensor.byte_size());
        return tensor;
    }
    if (weight.stored == "float16") {
        float* values = tensor.data<float>();
        for (size_t i = 0; i < weight.count; ++i) {
            uint16_t bits = 0;
            std::memcpy(&bits, data + 2 * i, 2);
            values[i] = static_cast<float>(float16::from_bits(bits));
        }
        return tensor;
    }
    const double min = spec["quantization"]["min"].get<double>();
    const double scale = spec["quantization"]["scale"].get<double>();
    for (size_t i = 0; i < weight.count; ++i) {
        uint16_t q = 0;
        if (weight.width == 1)
            q = static_cast<uint8_t>(data[i]);
        else
            std::memcpy(&q, data + 2 * i, 2);
        const double value = q * scale + min;
        if (weight.type == ElementType::f32)
            tensor.data<float>()[i] = static_cast<float>(value);
        else
            tensor.data<int32_t>()[i] = static_cast<int32_t>(std::floor(value + 0.5));
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
// TensorFlow.js has no float64: its converter stores double weights as float32 and its kernels
// compute doubles in float32, so a graph's DT_DOUBLE is read as DT_FLOAT.
void demote_doubles(tensorflow::GraphDef& graph) {
    auto demote = [](int type) {
        return type == tensorflow::DT_DOUBLE ? tensorflow::DT_FLOAT : tensorflow::DataType(type);
    };
    for (auto& node : *graph.mutable_node())
        for (auto& [name, value] : *node.mutable_attr()) {
            if (value.has_type()) value.set_type(demote(value.type()));
            if (value.has_tensor())
                value.mutable_tensor()->set_dtype(demote(value.tensor().dtype()));
            if (value.has_list())
                for (auto& type : *value.mutable_list()->mutable_type())
                    type = demote(type);
        }
}

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

graph::Model import_model(const Json& model, const std::filesystem::path& model_json,
                          const extensions::ExtensionSet& extensions,
                          const InputOverrides& overrides) {
    const std::string where = model_json.string();
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

    demote_doubles(graph);

    tf_import::GraphSpec spec;
    spec.where = where;
    spec.model_name = model_json.parent_path().filename().string();
    if (model_json.stem() != "model") spec.model_name = model_json.stem().string();
    spec.extensions = &extensions;
    spec.overrides = overrides;
    read_signature(model, spec);

    const auto directory = model_json.parent_path();
    if (model.contains("weightsManifest")) {
        if (!model["weightsManifest"].is_array())
            throw_bad_input("{}: 'weightsManifest' is not a list", where);
        for (const auto& group : model["weightsManifest"]) {
            if (!group.contains("weights") || !group["weights"].is_array())
                throw_bad_input("{}: a weightsManifest group has no 'weights' list", where);
            std::vector<WeightSpec> weights;
            for (const auto& spec_json : group["weights"])
                weights.push_back(parse_weight(spec_json, where));
            const std::string bytes = read_group(group, weights, directory, where);
            size_t offset = 0;
            for (size_t i = 0; i < weights.size(); ++i) {
                const Json& spec_json = group["weights"][i];
                spec.bound_values[spec_json.value("name", "")] =
                    decode_weight(weights[i], spec_json, bytes, offset);
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

}  // namespace

graph::Model read_tfjs_model(const std::filesystem::path& model_json,
                             const extensions::ExtensionSet& extensions,
                             const InputOverrides& overrides) {
    const std::string where = model_json.string();
    if (!std::filesystem::exists(model_json)) throw_bad_input("{}: no such file", where);
    Json model;
    try {
        model = Json::parse(read_regular_file(model_json, where));
    } catch (const Json::exception& error) {
        throw_bad_input("{}: not valid JSON: {}", where, error.what());
    }
    try {
        return import_model(model, model_json, extensions, overrides);
    } catch (const Json::exception& error) {
        throw_bad_input("{}: malformed TF.js model: {}", where, error.what());
    }
}

}  // namespace es::frontends
