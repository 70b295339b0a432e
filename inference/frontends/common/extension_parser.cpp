#include "inference/core/error.h"
#include "inference/frontends/common/extension.h"
#include "inference/graph/op_registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace es::frontends::extensions {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view k_attribute_prefix = "$attr:";
constexpr std::string_view k_input_prefix = "$input";
constexpr std::string_view k_constant_prefix = "$const:";

// A JSON value and its path in the file, for messages.
struct Item {
    const Json& value;
    std::string path;

    Item operator[](const std::string& key) const {
        return {value.at(key), path.empty() ? key : path + "." + key};
    }
    Item operator[](size_t i) const { return {value.at(i), fmt::format("{}[{}]", path, i)}; }
    bool has(const std::string& key) const { return value.contains(key); }
};

class Parser {
  public:
    explicit Parser(std::string file) : m_file(std::move(file)) {}

    std::vector<OpExtension> parse(const Json& root) {
        const Item item{root, ""};
        if (!root.is_object()) fail(item, "the file must hold a JSON object with an \"ops\" list");
        check_keys(item, {"ops", "description"});
        if (!item.has("ops")) fail(item, "\"ops\" is missing");
        const Item ops = item["ops"];
        if (!ops.value.is_array() || ops.value.empty()) fail(ops, "expected a non-empty list");
        std::vector<OpExtension> extensions;
        for (size_t i = 0; i < ops.value.size(); ++i)
            extensions.push_back(parse_op(ops[i]));
        return extensions;
    }

  private:
    [[noreturn]] void fail(const Item& item, const std::string& message) const {
        if (item.path.empty()) throw_bad_input("{}: {}", m_file, message);
        throw_bad_input("{}: {}: {}", m_file, item.path, message);
    }

    void check_keys(const Item& item, std::initializer_list<std::string_view> allowed) const {
        for (const auto& [key, value] : item.value.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            std::string expected;
            for (std::string_view name : allowed)
                expected += fmt::format("{}\"{}\"", expected.empty() ? "" : ", ", name);
            fail(item[key], fmt::format("unknown key (expected one of {})", expected));
        }
    }

    std::string text(const Item& item) const {
        if (!item.value.is_string() || item.value.get<std::string>().empty())
            fail(item, fmt::format("expected a non-empty string, found {}", item.value.dump()));
        return item.value.get<std::string>();
    }

    OpExtension parse_op(const Item& item) {
        if (!item.value.is_object()) fail(item, "expected an object");
        check_keys(item, {"framework", "type", "domain", "override", "constants", "nodes",
                          "outputs", "description"});
        for (const char* key : {"framework", "type", "nodes", "outputs"})
            if (!item.has(key)) fail(item, fmt::format("\"{}\" is missing", key));
        OpExtension op;
        op.file = m_file;
        op.path = item.path;
        const std::string framework = text(item["framework"]);
        if (framework == "onnx")
            op.framework = Framework::onnx;
        else if (framework == "tf" || framework == "tensorflow")
            op.framework = Framework::tf;
        else
            fail(item["framework"], fmt::format("'{}': expected \"onnx\" or \"tf\"", framework));
        op.type = text(item["type"]);
        if (item.has("domain")) {
            if (op.framework != Framework::onnx)
                fail(item["domain"], "a domain applies to ONNX ops only");
            if (!item["domain"].value.is_string()) fail(item["domain"], "expected a string");
            op.domain = item["domain"].value.get<std::string>();
        }
        if (item.has("override")) {
            if (!item["override"].value.is_boolean())
                fail(item["override"], "expected true or false");
            op.override_builtin = item["override"].value.get<bool>();
        }
        if (item.has("constants")) parse_constants(item["constants"], op);
        const Item nodes = item["nodes"];
        if (!nodes.value.is_array() || nodes.value.empty())
            fail(nodes, "expected a non-empty list of IR nodes");
        m_node_names.clear();
        for (const Json& node : nodes.value)
            if (node.is_object() && node.contains("name") && node["name"].is_string())
                m_node_names.push_back(node["name"].get<std::string>());
        for (size_t i = 0; i < nodes.value.size(); ++i)
            op.nodes.push_back(parse_node(nodes[i], op));
        const Item outputs = item["outputs"];
        if (!outputs.value.is_array() || outputs.value.empty())
            fail(outputs, "expected a non-empty list such as [\"node:0\"]");
        for (size_t i = 0; i < outputs.value.size(); ++i)
            op.outputs.push_back(parse_ref(outputs[i], op));
        return op;
    }

    void parse_constants(const Item& item, OpExtension& op) const {
        if (!item.value.is_object()) fail(item, "expected an object of named constants");
        for (const auto& [name, unused] : item.value.items()) {
            const Item entry = item[name];
            if (!entry.value.is_object()) fail(entry, "expected an object with \"value\"");
            check_keys(entry, {"type", "shape", "value", "default"});
            if (!entry.has("value")) fail(entry, "\"value\" is missing");
            ConstantSpec constant;
            constant.name = name;
            constant.path = entry.path;
            if (entry.has("type")) {
                const auto type = element_type_from_string(text(entry["type"]));
                if (!type || *type == ElementType::undefined)
                    fail(entry["type"], fmt::format("unknown element type '{}' (expected f32, "
                                                    "f16, i64, i32, u8, boolean …)",
                                                    entry["type"].value.get<std::string>()));
                constant.type = *type;
            }
            if (entry.has("shape")) constant.shape = parse_shape(entry["shape"]);
            const Item value = entry["value"];
            if (const auto attribute = attribute_reference(value)) {
                constant.value.attribute = *attribute;
                if (entry.has("default"))
                    constant.value.fallback = literal_tensor(entry["default"], constant);
            } else {
                if (entry.has("default"))
                    fail(entry["default"], "a default applies to \"$attr:NAME\" values only");
                constant.value.literal = literal_tensor(value, constant);
            }
            op.constants.push_back(std::move(constant));
        }
    }

    Shape parse_shape(const Item& item) const {
        if (!item.value.is_array()) fail(item, "expected a list of dimensions");
        Shape shape;
        for (size_t i = 0; i < item.value.size(); ++i) {
            const Json& dim = item.value[i];
            if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
                fail(item[i], "expected a dimension (an integer >= 0)");
            shape.push_back(dim.get<int64_t>());
        }
        return shape;
    }

    // The name in "$attr:NAME", or nullopt for anything else.
    std::optional<std::string> attribute_reference(const Item& item) const {
        if (!item.value.is_string()) return std::nullopt;
        const std::string value = item.value.get<std::string>();
        if (!value.starts_with(k_attribute_prefix)) return std::nullopt;
        const std::string name = value.substr(k_attribute_prefix.size());
        if (name.empty()) fail(item, "\"$attr:\" needs an attribute name");
        return name;
    }

    // Numbers, booleans or nested lists of them; the shape from the nesting unless given.
    Tensor literal_tensor(const Item& item, const ConstantSpec& constant) const {
        std::vector<const Json*> values;
        Shape nesting;
        collect_values(item, item.value, 0, values, nesting);
        const Shape shape = constant.shape.value_or(nesting);
        if (shape_size(shape) != values.size())
            fail(item, fmt::format("{} values do not fill shape {}", values.size(),
                                   to_string(PartialShape(shape))));
        const bool integers = std::all_of(values.begin(), values.end(), [](const Json* value) {
            return value->is_number_integer() || value->is_boolean();
        });
        Tensor tensor(integers ? ElementType::i64 : ElementType::f64, shape);
        for (size_t i = 0; i < values.size(); ++i) {
            const Json& value = *values[i];
            if (integers)
                tensor.data<int64_t>()[i] =
                    value.is_boolean() ? int64_t{value.get<bool>()} : value.get<int64_t>();
            else
                tensor.data<double>()[i] = value.get<double>();
        }
        return convert(tensor, constant.type);
    }

    void collect_values(const Item& item, const Json& value, size_t depth,
                        std::vector<const Json*>& values, Shape& nesting) const {
        if (value.is_number() || value.is_boolean()) {
            if (depth != nesting.size()) fail(item, "the nested lists are not rectangular");
            values.push_back(&value);
            return;
        }
        if (!value.is_array())
            fail(item, fmt::format("expected a number, a list of numbers or \"$attr:NAME\", "
                                   "found {}",
                                   value.dump()));
        const auto size = static_cast<int64_t>(value.size());
        if (depth == nesting.size() && values.empty())
            nesting.push_back(size);
        else if (depth >= nesting.size() || nesting[depth] != size)
            fail(item, "the nested lists are not rectangular");
        for (const Json& element : value)
            collect_values(item, element, depth + 1, values, nesting);
    }

    NodeSpec parse_node(const Item& item, const OpExtension& op) const {
        if (!item.value.is_object()) fail(item, "expected an object");
        check_keys(item, {"name", "type", "version", "inputs", "attributes"});
        for (const char* key : {"name", "type"})
            if (!item.has(key)) fail(item, fmt::format("\"{}\" is missing", key));
        NodeSpec node;
        node.path = item.path;
        node.name = text(item["name"]);
        if (node.name.starts_with("$") || node.name.find(':') != std::string::npos)
            fail(item["name"], "a node name may not start with '$' or hold ':'");
        for (const auto& earlier : op.nodes)
            if (earlier.name == node.name)
                fail(item["name"], fmt::format("'{}' names an earlier node too", node.name));
        node.type = text(item["type"]);
        const graph::OpDef& def = resolve_op(item, node);
        if (item.has("inputs")) {
            const Item inputs = item["inputs"];
            if (!inputs.value.is_array()) fail(inputs, "expected a list");
            for (size_t i = 0; i < inputs.value.size(); ++i)
                node.inputs.push_back(parse_ref(inputs[i], op));
        }
        if (node.inputs.size() < def.min_inputs || node.inputs.size() > def.max_inputs) {
            const std::string expected =
                def.min_inputs == def.max_inputs
                    ? std::to_string(def.min_inputs)
                    : fmt::format("{} to {}", def.min_inputs, def.max_inputs);
            fail(item.has("inputs") ? item["inputs"] : item,
                 fmt::format("{} takes {} input(s), found {}", node.type, expected,
                             node.inputs.size()));
        }
        if (item.has("attributes")) node.attributes = parse_attributes(item["attributes"]);
        return node;
    }

    // Checks the node's type and version against the op registry; no version means the newest.
    const graph::OpDef& resolve_op(const Item& item, NodeSpec& node) const {
        const auto& ops = graph::op_registry().all();
        int newest = 0;
        for (const auto& def : ops)
            if (def.type == node.type) newest = std::max(newest, def.since_opset);
        if (newest == 0 || node.type == "Parameter" || node.type == "Result" ||
            node.type == "Const") {
            if (newest != 0)
                fail(item["type"], fmt::format("{} cannot be a mapped node (constants go in "
                                               "\"constants\", inputs are \"$inputN\")",
                                               node.type));
            const std::string suggestion = closest_op(node.type);
            fail(item["type"],
                 fmt::format(
                     "unknown IR op '{}'{}", node.type,
                     suggestion.empty() ? "" : fmt::format(" (did you mean {}?)", suggestion)));
        }
        node.version = item.has("version") ? text(item["version"]) : fmt::format("opset{}", newest);
        const graph::OpDef* def = graph::op_registry().find(node.type, node.version);
        if (!def) {
            int oldest = newest;
            for (const auto& candidate : ops)
                if (candidate.type == node.type) oldest = std::min(oldest, candidate.since_opset);
            fail(item["version"], fmt::format("unknown version '{}' of {} (expected opset{} or "
                                              "later)",
                                              node.version, node.type, oldest));
        }
        return *def;
    }

    std::vector<AttributeSpec> parse_attributes(const Item& item) const {
        if (!item.value.is_object()) fail(item, "expected an object of IR attributes");
        std::vector<AttributeSpec> attributes;
        for (const auto& [name, value] : item.value.items()) {
            AttributeSpec attribute;
            attribute.name = name;
            attribute.path = item[name].path;
            const Item entry = item[name];
            if (value.is_object()) {
                check_keys(entry, {"value", "default"});
                if (!entry.has("value")) fail(entry, "\"value\" is missing");
                if (entry.has("default")) attribute.value.fallback = literal_text(entry["default"]);
            }
            const Item source = value.is_object() ? entry["value"] : entry;
            if (const auto reference = attribute_reference(source))
                attribute.value.attribute = *reference;
            else if (attribute.value.fallback)
                fail(source, "a default applies to \"$attr:NAME\" values only");
            else
                attribute.value.literal = literal_text(source);
            attributes.push_back(std::move(attribute));
        }
        return attributes;
    }

    // A literal IR attribute: text as is, numbers, booleans, lists as "1,2,3".
    std::string literal_text(const Item& item) const {
        const Json& value = item.value;
        if (value.is_string()) return value.get<std::string>();
        if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
        if (value.is_number_integer()) return value.dump();
        if (value.is_number()) return fmt::format("{}", value.get<double>());
        if (!value.is_array())
            fail(item, fmt::format("expected text, a number, a boolean or a "
                                   "list, found {}",
                                   value.dump()));
        std::string joined;
        for (size_t i = 0; i < value.size(); ++i) {
            if (value[i].is_array() || value[i].is_object())
                fail(item[i], "expected a number, a boolean or text");
            if (i) joined += ',';
            joined += literal_text(item[i]);
        }
        return joined;
    }

    // "$inputN", "$const:NAME", or "node" / "node:PORT" naming one of the nodes parsed so far.
    ValueRef parse_ref(const Item& item, const OpExtension& op) const {
        const std::string reference = text(item);
        ValueRef ref;
        ref.text = reference;
        if (reference.starts_with(k_input_prefix)) {
            const std::string digits = reference.substr(k_input_prefix.size());
            if (digits.empty() || digits.size() > 3 ||
                !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(c); }))
                fail(item, fmt::format("'{}': expected $input0, $input1 …", reference));
            ref.kind = ValueRef::Kind::input;
            ref.index = std::stoul(digits);
            return ref;
        }
        if (reference.starts_with(k_constant_prefix)) {
            const std::string name = reference.substr(k_constant_prefix.size());
            for (size_t i = 0; i < op.constants.size(); ++i)
                if (op.constants[i].name == name) {
                    ref.kind = ValueRef::Kind::constant;
                    ref.index = i;
                    return ref;
                }
            fail(item, fmt::format("'{}': no constant '{}' in \"constants\"", reference, name));
        }
        if (reference.starts_with("$"))
            fail(item, fmt::format("'{}': expected $inputN, $const:NAME or NODE:PORT", reference));
        std::string name = reference;
        const size_t colon = reference.rfind(':');
        if (colon != std::string::npos) {
            const std::string digits = reference.substr(colon + 1);
            if (digits.empty() || digits.size() > 3 ||
                !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isdigit(c); }))
                fail(item, fmt::format("'{}': expected NODE:PORT with a port number", reference));
            ref.port = std::stoul(digits);
            name.resize(colon);
        }
        ref.kind = ValueRef::Kind::node;
        for (size_t i = 0; i < op.nodes.size(); ++i)
            if (op.nodes[i].name == name) {
                ref.index = i;
                return ref;
            }
        if (std::find(m_node_names.begin(), m_node_names.end(), name) != m_node_names.end())
            fail(item, fmt::format("'{}': node '{}' is not listed before this use (nodes go "
                                   "producers first)",
                                   reference, name));
        fail(item, fmt::format("'{}': no node named '{}' in \"nodes\"", reference, name));
    }

    static std::string closest_op(const std::string& type) {
        std::string best;
        size_t best_distance = std::max<size_t>(2, type.size() / 3) + 1;
        for (const auto& def : graph::op_registry().all()) {
            const std::string candidate(def.type);
            const size_t distance = edit_distance(lowercase(type), lowercase(candidate));
            if (distance < best_distance) {
                best = candidate;
                best_distance = distance;
            }
        }
        return best;
    }

    static std::string lowercase(std::string text) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return text;
    }

    static size_t edit_distance(const std::string& a, const std::string& b) {
        std::vector<size_t> row(b.size() + 1);
        for (size_t j = 0; j <= b.size(); ++j)
            row[j] = j;
        for (size_t i = 1; i <= a.size(); ++i) {
            size_t diagonal = row[0];
            row[0] = i;
            for (size_t j = 1; j <= b.size(); ++j) {
                const size_t above = row[j];
                row[j] = std::min(
                    {row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        return row[b.size()];
    }

    std::string m_file;
    std::vector<std::string> m_node_names;  // of the op being parsed, for messages
};

bool same_domain(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    auto normal = [](const std::string& domain) { return domain == "ai.onnx" ? "" : domain; };
    if (!a || !b) return !a && !b;
    return normal(*a) == normal(*b);
}

std::string framework_name(Framework framework) {
    return framework == Framework::onnx ? "ONNX" : "TensorFlow";
}

}  // namespace

ExtensionSet ExtensionSet::load(const std::vector<std::filesystem::path>& files) {
    ExtensionSet set;
    for (const auto& file : files) {
        std::ifstream stream(file);
        if (!stream) throw_bad_input("{}: cannot open the extension file", file.string());
        std::stringstream text;
        text << stream.rdbuf();
        set.add(text.str(), file.string());
    }
    return set;
}

void ExtensionSet::add(const std::string& text, const std::string& file) {
    Json root;
    try {
        root = Json::parse(text);
    } catch (const Json::exception& error) {
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, …", or
        // out_of_range.406 for a number too large for a double
        std::string message = error.what();
        const size_t bracket = message.find("] ");
        if (bracket != std::string::npos) message.erase(0, bracket + 2);
        throw_bad_input("{}: not valid JSON: {}", file, message);
    }
    for (auto& extension : Parser(file).parse(root)) {
        for (const auto& earlier : m_extensions)
            if (earlier.framework == extension.framework && earlier.type == extension.type &&
                same_domain(earlier.domain, extension.domain))
                throw_bad_input("{}: {}: {} op '{}' is already mapped by {}: {}", file,
                                extension.path, framework_name(extension.framework), extension.type,
                                earlier.file, earlier.path);
        m_extensions.push_back(std::move(extension));
    }
}

const OpExtension* ExtensionSet::select(Framework framework, std::string_view domain,
                                        std::string_view type, bool has_builtin) const {
    const OpExtension* any_domain = nullptr;
    const OpExtension* exact = nullptr;
    for (const auto& extension : m_extensions) {
        if (extension.framework != framework || extension.type != type) continue;
        if (!extension.domain)
            any_domain = &extension;
        else if (same_domain(extension.domain, std::string(domain)))
            exact = &extension;
    }
    const OpExtension* chosen = exact ? exact : any_domain;
    if (chosen && has_builtin && !chosen->override_builtin) return nullptr;
    return chosen;
}

}  // namespace es::frontends::extensions
