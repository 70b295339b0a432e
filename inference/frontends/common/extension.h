#pragma once

// Extensions map framework ops the converter does not know to IR ops, declared in JSON files
// (docs/extensions.md describes the schema).
#include "inference/core/tensor.h"
#include "inference/frontends/common/graph_builder.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace es::frontends::extensions {

enum class Framework { onnx, tf };

// A framework attribute as a mapping reads it: numbers, booleans, lists and tensors as a tensor
// (scalar for one value, 1-D for a list); text, element types and string lists as text.
using AttributeValue = std::variant<Tensor, std::string>;

// What a mapping sees of the framework node it replaces.
struct SourceNode {
    std::string description;                           // "node 'scale1' (MyScale)"
    std::vector<std::optional<graph::Output>> inputs;  // nullopt: an absent optional input
    std::function<std::optional<AttributeValue>(const std::string& name)> attribute;
    std::optional<size_t> output_count;  // the outputs the graph uses, where the format says
};

// A value a mapping uses: an input of the framework node, one of its constants, or an output of
// one of its earlier nodes.
struct ValueRef {
    enum class Kind { input, constant, node };
    Kind kind = Kind::input;
    size_t index = 0;  // input number, constant index or node index
    size_t port = 0;   // the node's output port
    std::string text;  // as written, for messages
};

// Where a value comes from: a literal, or a framework attribute (with a literal for when the
// node lacks it).
template <typename Literal>
struct ValueSource {
    std::optional<Literal> literal;
    std::string attribute;  // empty: the literal
    std::optional<Literal> fallback;
};

struct ConstantSpec {
    std::string name;
    std::string path;  // "ops[1].constants.scale"
    ElementType type = ElementType::f32;
    std::optional<Shape> shape;  // nullopt: the attribute's own shape
    ValueSource<Tensor> value;
};

struct AttributeSpec {
    std::string name;
    std::string path;
    ValueSource<std::string> value;  // IR attributes are text
};

struct NodeSpec {
    std::string name;
    std::string path;  // "ops[1].nodes[0]"
    std::string type;
    std::string version;
    std::vector<ValueRef> inputs;
    std::vector<AttributeSpec> attributes;
};

// One framework op and the IR subgraph that replaces it.
struct OpExtension {
    std::string file;  // the extension file, for messages
    std::string path;  // "ops[1]"
    Framework framework = Framework::onnx;
    std::string type;
    std::optional<std::string> domain;  // ONNX only; nullopt matches every domain
    bool override_builtin = false;      // also replaces the converter's own translator
    std::vector<ConstantSpec> constants;
    std::vector<NodeSpec> nodes;
    std::vector<ValueRef> outputs;
};

// The mappings of every extension file given to a conversion.
class ExtensionSet {
  public:
    ExtensionSet() = default;
    // Reads and checks the files; es::Error (BadInput) naming the file and JSON path of the
    // first problem. An op mapped twice is an error too.
    static ExtensionSet load(const std::vector<std::filesystem::path>& files);
    // Adds the mappings in `text`, read from `file` (the name used in messages).
    void add(const std::string& text, const std::string& file);

    bool empty() const { return m_extensions.empty(); }
    // The mapping that translates the op, or nullptr where the converter's own translator does
    // (`has_builtin`) or nothing does: a mapping takes precedence only with "override".
    const OpExtension* select(Framework framework, std::string_view domain, std::string_view type,
                              bool has_builtin) const;

  private:
    std::vector<OpExtension> m_extensions;
};

// Builds the mapping's IR nodes for one framework node and returns its outputs in order.
// es::Error (BadInput) names the extension file, the JSON path and the framework node.
std::vector<graph::Output> apply(const OpExtension& extension, const SourceNode& node,
                                 GraphBuilder& builder);

// "1,2,3" for a 1-D tensor, "0.5" for a scalar, "true" for a boolean: the IR attribute text.
std::string attribute_text(const Tensor& value);

}  // namespace es::frontends::extensions
