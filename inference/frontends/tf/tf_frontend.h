#pragma once

#include "inference/frontends/common/extension.h"
#include "inference/graph/model.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace es::frontends {

// Inputs fixed at conversion, by input or Placeholder name: a shape replaces the declared one;
// values turn the input into a constant. Conditions and loop trip counts that depend on them
// then fold, which is how TensorFlow control flow converts (graph_importer.h).
struct InputOverrides {
    std::map<std::string, PartialShape> shapes;
    std::map<std::string, std::vector<double>> values;
};

// Reads TensorFlow models and builds the graph with IR ops, keeping the model's own layout
// (NHWC) at inputs and outputs. Malformed files, missing weights and unsupported ops are
// es::Error (BadInput) naming the file and node; unsupported ops are listed all at once.
// `extensions` translate ops the converter lacks (and those they override).

// A frozen GraphDef (.pb). Inputs are its Placeholders, outputs the nodes nobody reads.
graph::Model read_tf_frozen_graph(const std::filesystem::path& path,
                                  const extensions::ExtensionSet& extensions = {},
                                  const InputOverrides& overrides = {});

// A SavedModel directory (saved_model.pb, variables/variables.index + data shards). The
// signature names inputs and outputs (by its keys); variables become constants.
graph::Model read_tf_saved_model(const std::filesystem::path& directory,
                                 const std::string& signature = "serving_default",
                                 const extensions::ExtensionSet& extensions = {},
                                 const InputOverrides& overrides = {});

// A TF.js graph model: model.json (modelTopology, weightsManifest) and its binary shards.
graph::Model read_tfjs_model(const std::filesystem::path& model_json,
                             const extensions::ExtensionSet& extensions = {},
                             const InputOverrides& overrides = {});

// True for a path read_tf_model accepts: a .pb file, a directory with saved_model.pb, or a
// .json file.
bool is_tf_model(const std::filesystem::path& path);
// Dispatches on the path's form (see is_tf_model); `signature` applies to SavedModels.
graph::Model read_tf_model(const std::filesystem::path& path,
                           const std::string& signature = "serving_default",
                           const extensions::ExtensionSet& extensions = {},
                           const InputOverrides& overrides = {});

}  // namespace es::frontends
