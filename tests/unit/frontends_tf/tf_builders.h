#pragma once

// Builders for TensorFlow files made in tests: GraphDefs node by node, TensorBundles (a sorted
// table written as TensorFlow writes it), and a runner for the converted models.
#include "inference/core/tensor.h"
#include "inference/frontends/tf/proto/graph.pb.h"
#include "inference/graph/model.h"
#include "tests/support/inference.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace es::testing {

class GraphBuilder {
  public:
    tensorflow::NodeDef& node(const std::string& name, const std::string& op,
                              const std::vector<std::string>& inputs = {});
    tensorflow::NodeDef& placeholder(const std::string& name, const Shape& shape,
                                     tensorflow::DataType type = tensorflow::DT_FLOAT);
    tensorflow::NodeDef& constant(const std::string& name, const Tensor& value);

    tensorflow::GraphDef& graph() { return m_graph; }
    const tensorflow::GraphDef& graph() const { return m_graph; }
    void write(const std::filesystem::path& path) const;

  private:
    tensorflow::GraphDef m_graph;
};

// Attribute setters for NodeDefs.
void set_int(tensorflow::NodeDef& node, const std::string& name, int64_t value);
void set_ints(tensorflow::NodeDef& node, const std::string& name,
              const std::vector<int64_t>& values);
void set_float(tensorflow::NodeDef& node, const std::string& name, float value);
void set_bool(tensorflow::NodeDef& node, const std::string& name, bool value);
void set_string(tensorflow::NodeDef& node, const std::string& name, const std::string& value);
void set_strings(tensorflow::NodeDef& node, const std::string& name,
                 const std::vector<std::string>& values);
void set_type(tensorflow::NodeDef& node, const std::string& name, tensorflow::DataType type);

// A TensorProto holding `value` in tensor_content.
tensorflow::TensorProto tensor_proto(const Tensor& value);
tensorflow::DataType tf_type(ElementType type);

// A LevelDB-format table as TensorFlow's TableBuilder writes it: data blocks of at most
// `entries_per_block` entries (prefix-compressed, a restart point every 4), an index block, an
// empty metaindex block and the footer.
std::string build_sorted_table(const std::map<std::string, std::string>& entries,
                               size_t entries_per_block = 2);

// Writes PREFIX.index and PREFIX.data-00000-of-00001 holding `tensors`.
void write_tensor_bundle(const std::filesystem::path& prefix,
                         const std::map<std::string, Tensor>& tensors);

void write_file(const std::filesystem::path& path, const std::string& bytes);
std::string read_file(const std::filesystem::path& path);

}  // namespace es::testing
