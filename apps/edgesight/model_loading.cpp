#include "apps/edgesight/model_loading.h"

#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"

#include <filesystem>

namespace es::app {

namespace {

// "NAME=TEXT" (or "TEXT" where `name_optional`) split at the last '='.
std::pair<std::string, std::string> split_assignment(const std::string& text, const char* option,
                                                     bool name_optional) {
    const size_t equals = text.rfind('=');
    if (equals == std::string::npos) {
        if (!name_optional) throw_bad_input("{} {}: expected NAME=VALUES", option, text);
        return {"", text};
    }
    return {text.substr(0, equals), text.substr(equals + 1)};
}

frontends::InputOverrides input_overrides(const ImportOptions& options) {
    frontends::InputOverrides overrides;
    for (const auto& text : options.shapes) {
        const auto [name, dims] = split_assignment(text, "--shape", true);
        const auto shape = parse_partial_shape(dims);
        if (!shape) throw_bad_input("--shape {}: cannot parse '{}' as dimensions", text, dims);
        overrides.shapes[name] = *shape;
    }
    for (const auto& text : options.values) {
        const auto [name, list] = split_assignment(text, "--value", false);
        std::vector<double> values;
        size_t start = 0;
        while (start <= list.size()) {
            const size_t comma = std::min(list.find(',', start), list.size());
            const std::string item = list.substr(start, comma - start);
            char* end = nullptr;
            const double value = std::strtod(item.c_str(), &end);
            if (item.empty() || *end != '\0')
                throw_bad_input("--value {}: '{}' is not a number", text, item);
            values.push_back(value);
            start = comma + 1;
        }
        overrides.values[name] = std::move(values);
    }
    return overrides;
}

// Applies `--shape [NAME=]1,3,H,W` to a model already read (NAME may be omitted for one-input
// models).
void reshape_inputs(graph::Model& model, const frontends::InputOverrides& overrides) {
    if (overrides.shapes.empty()) return;
    std::vector<std::pair<std::string, PartialShape>> shapes;
    for (const auto& [given, shape] : overrides.shapes) {
        std::string name = given;
        if (name.empty()) {
            const auto parameters = model.parameters();
            if (parameters.size() != 1)
                throw_bad_input("--shape {}: the model has {} inputs; write NAME=DIMS",
                                format_partial_shape(shape), parameters.size());
            name = parameters[0]->name;
        }
        shapes.emplace_back(name, shape);
    }
    graph::reshape(model, shapes);
}

graph::Model read_model_file(const std::filesystem::path& file, const ImportOptions& options,
                             const frontends::InputOverrides& overrides) {
    const auto extensions = frontends::extensions::ExtensionSet::load(
        {options.extensions.begin(), options.extensions.end()});
    if (frontends::is_tf_model(file))
        return frontends::read_tf_model(file, options.signature, extensions, overrides);
    if (!overrides.values.empty())
        throw_bad_input("--value applies to TensorFlow models only; {} is not one", file.string());
    graph::Model model =
        file.extension() == ".onnx" ? frontends::read_onnx(file, extensions) : ir::read_model(file);
    reshape_inputs(model, overrides);
    return model;
}

}  // namespace

void add_model_options(CLI::App& command, ImportOptions& options) {
    command
        .add_option("--extensions", options.extensions,
                    "JSON file mapping ops the converter lacks to IR ops (repeatable; see "
                    "docs/extensions.md)")
        ->allow_extra_args(false);
    command.add_option("--shape", options.shapes, "Override an input shape: [NAME=]1,3,H,W")
        ->allow_extra_args(false);
    command
        .add_option("--value", options.values,
                    "NAME=V[,V...]: a TensorFlow input fixed to this value while converting")
        ->allow_extra_args(false);
}

graph::Model import_model(const std::string& path, const ImportOptions& options) {
    const std::filesystem::path file(path);
    if (file.extension() != ".xml" && !std::filesystem::exists(file))
        throw_bad_input("{}: no such file", path);
    if (file.extension() != ".xml" && file.extension() != ".onnx" && !frontends::is_tf_model(file))
        throw_bad_input(
            "{}: unknown model format (expected an IR .xml, an ONNX .onnx, or a "
            "TensorFlow .pb, SavedModel directory or TF.js model.json)",
            path);
    return read_model_file(file, options, input_overrides(options));
}

graph::Model load_model(const std::string& path, const ImportOptions& options) {
    graph::Model model = import_model(path, options);
    if (std::filesystem::path(path).extension() != ".xml") passes::optimize(model);
    return model;
}

std::string file_name_for(const std::string& tensor_name) {
    std::string name = tensor_name;
    for (char& c : name) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!allowed) c = '_';
    }
    return name;
}

}  // namespace es::app
