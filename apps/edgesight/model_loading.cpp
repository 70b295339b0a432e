#include "apps/edgesight/model_loading.h"

#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"

#include <filesystem>

namespace es::app {

void add_extensions_option(CLI::App& command, ImportOptions& options) {
    command
        .add_option("--extensions", options.extensions,
                    "JSON file mapping ops the converter lacks to IR ops (repeatable; see "
                    "docs/extensions.md)")
        ->allow_extra_args(false);
}

graph::Model import_model(const std::string& path, const ImportOptions& options) {
    const std::filesystem::path file(path);
    const auto extensions = frontends::extensions::ExtensionSet::load(
        {options.extensions.begin(), options.extensions.end()});
    if (file.extension() == ".xml") return ir::read_model(file);
    if (!std::filesystem::exists(file)) throw_bad_input("{}: no such file", path);
    if (file.extension() == ".onnx") return frontends::read_onnx(file, extensions);
    if (frontends::is_tf_model(file))
        return frontends::read_tf_model(file, options.signature, extensions);
    throw_bad_input(
        "{}: unknown model format (expected an IR .xml, an ONNX .onnx, or a "
        "TensorFlow .pb, SavedModel directory or TF.js model.json)",
        path);
}

graph::Model load_model(const std::string& path, const ImportOptions& options) {
    graph::Model model = import_model(path, options);
    if (std::filesystem::path(path).extension() != ".xml") passes::optimize(model);
    return model;
}

void apply_shape_overrides(graph::Model& model, const std::vector<std::string>& overrides) {
    if (overrides.empty()) return;
    std::vector<std::pair<std::string, PartialShape>> shapes;
    for (const auto& text : overrides) {
        const size_t equals = text.rfind('=');
        std::string name = equals == std::string::npos ? "" : text.substr(0, equals);
        const std::string dims = equals == std::string::npos ? text : text.substr(equals + 1);
        const auto shape = parse_partial_shape(dims);
        if (!shape) throw_bad_input("--shape {}: cannot parse '{}' as dimensions", text, dims);
        if (name.empty()) {
            const auto parameters = model.parameters();
            if (parameters.size() != 1)
                throw_bad_input("--shape {}: the model has {} inputs; write NAME=DIMS", text,
                                parameters.size());
            name = parameters[0]->name;
        }
        shapes.emplace_back(name, *shape);
    }
    graph::reshape(model, shapes);
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
