#include "inference/frontends/tf/tf_frontend.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/graph_importer.h"

#include <fstream>

namespace es::frontends {

graph::Model read_tf_frozen_graph(const std::filesystem::path& path,
                                  const extensions::ExtensionSet& extensions,
                                  const InputOverrides& overrides) {
    const std::string where = path.string();
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open", where);
    tensorflow::GraphDef graph;
    if (!graph.ParseFromIstream(&file))
        throw_bad_input("{}: not a valid GraphDef (truncated or corrupt protobuf)", where);
    if (graph.node_size() == 0) throw_bad_input("{}: the GraphDef has no nodes", where);
    tf_import::GraphSpec spec;
    spec.where = where;
    spec.model_name = path.stem().string();
    spec.extensions = &extensions;
    spec.overrides = overrides;
    return tf_import::import_graph(std::move(graph), spec);
}

bool is_tf_model(const std::filesystem::path& path) {
    if (std::filesystem::is_directory(path))
        return std::filesystem::exists(path / "saved_model.pb");
    const auto extension = path.extension();
    return extension == ".pb" || extension == ".json";
}

graph::Model read_tf_model(const std::filesystem::path& path, const std::string& signature,
                           const extensions::ExtensionSet& extensions,
                           const InputOverrides& overrides) {
    if (std::filesystem::is_directory(path)) {
        if (!std::filesystem::exists(path / "saved_model.pb"))
            throw_bad_input("{}: a directory without saved_model.pb", path.string());
        return read_tf_saved_model(path, signature, extensions, overrides);
    }
    if (path.filename() == "saved_model.pb")
        return read_tf_saved_model(path.parent_path(), signature, extensions, overrides);
    if (path.extension() == ".json") return read_tfjs_model(path, extensions, overrides);
    if (path.extension() == ".pb") return read_tf_frozen_graph(path, extensions, overrides);
    throw_bad_input("{}: not a TensorFlow model (.pb, a SavedModel directory, or model.json)",
                    path.string());
}

}  // namespace es::frontends
