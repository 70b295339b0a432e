#include "inference/ir/ir.h"

#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/weights_file.h"

#include <pugixml.hpp>

#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace es::ir {
namespace {

using graph::Node;
using graph::RtInfo;

std::string xml_of(const pugi::xml_node& node) {
    std::ostringstream stream;
    node.print(stream, "\t", pugi::format_default | pugi::format_no_declaration);
    return stream.str();
}

RtInfo read_rt_info(const pugi::xml_node& parent) {
    RtInfo info;
    for (const auto& attribute : parent.child("rt_info").children("attribute")) {
        graph::RtAttribute entry;
        for (const auto& field : attribute.attributes())
            entry.fields.emplace_back(field.name(), field.value());
        info.push_back(std::move(entry));
    }
    return info;
}

// Tensor names are comma-separated; a comma inside a name is escaped as "\,".
std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> names;
    std::string current;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ',') {
            current += ',';
            ++i;
        } else if (text[i] == ',') {
            names.push_back(current);
            current.clear();
        } else {
            current += text[i];
        }
    }
    if (!current.empty() || !names.empty()) names.push_back(current);
    return names;
}

// Attributes that OpenVINO reads as enums. Its deserializer parses them with
// EnumNames::as_enum, which compares case-insensitively, and its serializer writes them back in
// their canonical spelling, lower case for every one of these: the reader stores that spelling,
// so that "INSIDE_SQRT" reads as "inside_sqrt". Free-form strings (DetectionOutput's code_type,
// Proposal's framework) keep their case.
bool is_enum_attribute(std::string_view name) {
    static const std::set<std::string_view> names = {
        "aligned_mode", "approximation_mode", "auto_broadcast",
        "auto_pad",     "box_encoding",       "coordinate_transformation_mode",
        "direction",    "eps_mode",           "mode",
        "nearest_mode", "pad_mode",           "padding_mode",
        "reduction",    "rounding_type",      "shape_calculation_mode",
        "sort",         "sort_result_type",
    };
    return names.count(name) > 0;
}

std::string lowercase(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

struct LayerPorts {
    std::map<int64_t, size_t> input_index;   // IR port id -> input position
    std::map<int64_t, size_t> output_index;  // IR port id -> output position
    std::vector<graph::PortType> declared_inputs;
};

class Reader {
  public:
    Reader(std::filesystem::path xml_path, std::filesystem::path bin_path)
        : m_xml_path(std::move(xml_path)), m_bin_path(std::move(bin_path)) {}

    graph::Model read();

  private:
    template <typename... Args>
    [[noreturn]] void fail(const Node& node, fmt::format_string<Args...> format, Args&&... args) {
        throw_bad_input("{}: {}: {}", m_xml_path.string(), node.describe(),
                        fmt::format(format, std::forward<Args>(args)...));
    }
    template <typename... Args>
    [[noreturn]] void fail_file(fmt::format_string<Args...> format, Args&&... args) {
        throw_bad_input("{}: {}", m_xml_path.string(),
                        fmt::format(format, std::forward<Args>(args)...));
    }

    int64_t read_int(const pugi::xml_node& element, const char* attribute, const Node* node);
    graph::PortType read_port(const pugi::xml_node& port, const Node& node);
    void read_layer(const pugi::xml_node& layer, graph::Model& model);
    void read_constant(Node& node);
    void read_edges(const pugi::xml_node& edges);
    void name_v10_tensors(graph::Model& model);

    std::filesystem::path m_xml_path;
    std::filesystem::path m_bin_path;
    std::shared_ptr<const MappedFile> m_weights;
    int m_version = 0;
    std::unordered_map<int64_t, Node*> m_layers;
    std::unordered_map<const Node*, LayerPorts> m_ports;
};

int64_t Reader::read_int(const pugi::xml_node& element, const char* attribute, const Node* node) {
    const pugi::xml_attribute found = element.attribute(attribute);
    const std::string_view text = found.value();
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!found || error != std::errc() || end != text.data() + text.size()) {
        if (node)
            fail(*node, "<{}> attribute '{}' is not an integer: '{}'", element.name(), attribute,
                 text);
        fail_file("<{}> attribute '{}' is not an integer: '{}'", element.name(), attribute, text);
    }
    return value;
}

graph::PortType Reader::read_port(const pugi::xml_node& port, const Node& node) {
    graph::PortType type;
    const std::string precision = port.attribute("precision").value();
    if (!precision.empty()) {
        const auto parsed = element_type_from_precision(precision);
        if (!parsed)
            fail(node, "port {}: unknown precision '{}'", port.attribute("id").value(), precision);
        type.type = *parsed;
    }
    std::vector<int64_t> dims;
    for (const auto& dim : port.children("dim")) {
        const auto parsed = parse_partial_shape(dim.text().get());
        if (!parsed || parsed->rank() != 1)
            fail(node, "port {}: malformed dimension '{}'", port.attribute("id").value(),
                 dim.text().get());
        dims.push_back((*parsed)[0]);
    }
    type.shape = PartialShape(std::move(dims));
    return type;
}

void Reader::read_layer(const pugi::xml_node& layer, graph::Model& model) {
    auto node = std::make_unique<Node>();
    node->name = layer.attribute("name").value();
    node->type = layer.attribute("type").value();
    node->version = layer.attribute("version").value();
    node->id = read_int(layer, "id", nullptr);
    if (m_layers.count(node->id)) fail(*node, "duplicate layer id {}", node->id);
    if (node->type.empty()) fail(*node, "layer has no type");

    for (const auto& attribute : layer.child("data").attributes()) {
        const std::string_view name = attribute.name();
        node->attributes.set(attribute.name(), is_enum_attribute(name)
                                                   ? lowercase(attribute.value())
                                                   : std::string(attribute.value()));
    }
    node->rt_info = read_rt_info(layer);

    LayerPorts& ports = m_ports[node.get()];
    for (const auto& port : layer.child("input").children("port")) {
        const int64_t id = read_int(port, "id", node.get());
        if (ports.input_index.count(id)) fail(*node, "duplicate input port id {}", id);
        ports.input_index[id] = node->inputs.size();
        ports.declared_inputs.push_back(read_port(port, *node));
        node->inputs.push_back({{}, read_rt_info(port)});
    }
    for (const auto& port : layer.child("output").children("port")) {
        const int64_t id = read_int(port, "id", node.get());
        if (ports.input_index.count(id) || ports.output_index.count(id))
            fail(*node, "duplicate port id {}", id);
        ports.output_index[id] = node->outputs.size();
        graph::OutputPort output;
        output.type = read_port(port, *node);
        output.names = split_names(port.attribute("names").value());
        output.rt_info = read_rt_info(port);
        node->outputs.push_back(std::move(output));
    }
    if (node->type == "Const") read_constant(*node);
    m_layers[node->id] = node.get();
    model.add(std::move(node));
}

void Reader::read_constant(Node& node) {
    const auto& attributes = node.attributes;
    if (!attributes.has("offset") || !attributes.has("size") || !attributes.has("element_type"))
        fail(node, "Const needs offset, size and element_type attributes");
    ElementType type;
    int64_t offset = 0, size = 0;
    std::optional<PartialShape> shape;
    try {
        type = attributes.get_element_type("element_type");
        offset = attributes.get_int("offset");
        size = attributes.get_int("size");
        shape = parse_partial_shape(attributes.get_string("shape", ""));
    } catch (const Error& error) {
        fail(node, "{}", error.what());
    }
    if (!attributes.has("shape") && node.outputs.size() == 1) shape = node.outputs[0].type.shape;
    if (!shape || !shape->is_static())
        fail(node, "Const shape '{}' is not static", attributes.get_string("shape", ""));
    const Shape dims = shape->to_shape();
    size_t expected = 0;
    try {
        expected = shape_size(dims) * element_size(type);
    } catch (const Error& error) {
        fail(node, "{}", error.what());
    }
    if (offset < 0 || size < 0) fail(node, "negative offset {} or size {}", offset, size);
    if (static_cast<uint64_t>(size) != expected)
        fail(node, "size {} does not match shape {} of {} ({} bytes)", size, to_string(dims),
             to_string(type), expected);
    if (!m_weights) m_weights = MappedFile::open(m_bin_path);
    if (static_cast<uint64_t>(offset) > m_weights->size() ||
        static_cast<uint64_t>(size) > m_weights->size() - static_cast<uint64_t>(offset))
        fail(node, "data at offset {} size {} lies beyond the end of {} ({} bytes)", offset, size,
             m_bin_path.string(), m_weights->size());
    const std::byte* data = m_weights->data() + offset;
    const Tensor view = Tensor::view(type, dims, m_weights, data);
    const bool aligned =
        reinterpret_cast<uintptr_t>(data) % std::max<size_t>(element_size(type), 1) == 0;
    node.value = aligned ? view : view.clone();
    node.attributes.erase("offset");
    node.attributes.erase("size");
}

void Reader::read_edges(const pugi::xml_node& edges) {
    for (const auto& edge : edges.children("edge")) {
        const int64_t from_layer = read_int(edge, "from-layer", nullptr);
        const int64_t from_port = read_int(edge, "from-port", nullptr);
        const int64_t to_layer = read_int(edge, "to-layer", nullptr);
        const int64_t to_port = read_int(edge, "to-port", nullptr);
        const auto producer = m_layers.find(from_layer);
        const auto consumer = m_layers.find(to_layer);
        if (producer == m_layers.end())
            fail_file("edge {}:{} -> {}:{} starts at a layer that does not exist", from_layer,
                      from_port, to_layer, to_port);
        if (consumer == m_layers.end())
            fail_file("edge {}:{} -> {}:{} ends at a layer that does not exist", from_layer,
                      from_port, to_layer, to_port);
        Node& source = *producer->second;
        Node& target = *consumer->second;
        const auto& source_ports = m_ports[&source].output_index;
        const auto& target_ports = m_ports[&target].input_index;
        const auto output = source_ports.find(from_port);
        if (output == source_ports.end())
            fail(source, "edge to layer {} leaves from port {}, which is not an output port",
                 to_layer, from_port);
        const auto input = target_ports.find(to_port);
        if (input == target_ports.end())
            fail(target, "edge from layer {} arrives at port {}, which is not an input port",
                 from_layer, to_port);
        auto& slot = target.inputs[input->second].source;
        if (slot.node) fail(target, "input port {} has more than one incoming edge", to_port);
        slot = {&source, output->second};
    }
    for (const auto& [id, node] : m_layers) {
        for (const auto& [port_id, index] : m_ports[node].input_index) {
            if (!node->inputs[index].source.node)
                fail(*node, "input port {} has no incoming edge", port_id);
            const auto& declared = m_ports[node].declared_inputs[index];
            const auto& produced = node->inputs[index].source.type();
            if (declared.shape.is_static() && produced.shape.is_static() &&
                declared.shape != produced.shape)
                fail(*node, "input port {} declares shape {} but its producer {} gives {}", port_id,
                     to_string(declared.shape), node->inputs[index].source.node->describe(),
                     to_string(produced.shape));
        }
    }
}

// IR v10 carries no tensor names: inputs and outputs are known by their layer names.
void Reader::name_v10_tensors(graph::Model& model) {
    for (Node* parameter : model.parameters())
        if (parameter->outputs.size() == 1 && parameter->outputs[0].names.empty())
            parameter->outputs[0].names = {parameter->name};
    for (Node* result : model.results()) {
        if (result->inputs.empty()) continue;
        const graph::Output source = result->inputs[0].source;
        auto& names = source.node->outputs[source.port].names;
        if (names.empty()) names = {graph::output_name(source)};
    }
}

graph::Model Reader::read() {
    pugi::xml_document document;
    const pugi::xml_parse_result parsed = document.load_file(m_xml_path.c_str());
    if (!parsed) {
        if (!std::filesystem::exists(m_xml_path)) fail_file("cannot open: no such file");
        fail_file("malformed XML at byte {}: {}", parsed.offset, parsed.description());
    }
    const pugi::xml_node net = document.child("net");
    if (!net) fail_file("not an OpenVINO IR: no <net> element");
    m_version = static_cast<int>(read_int(net, "version", nullptr));
    if (m_version != 10 && m_version != 11)
        fail_file("IR version {} is not supported (expected 10 or 11)", m_version);
    if (!std::filesystem::exists(m_bin_path) &&
        net.child("layers").find_child_by_attribute("type", "Const"))
        fail_file("weights file {} is missing", m_bin_path.string());

    graph::Model model;
    model.name = net.attribute("name").value();
    model.ir_version = m_version;
    if (const auto rt_info = net.child("rt_info")) model.rt_info_xml = xml_of(rt_info);
    if (const auto meta_data = net.child("meta_data")) model.meta_data_xml = xml_of(meta_data);

    for (const auto& layer : net.child("layers").children("layer"))
        read_layer(layer, model);
    if (model.nodes().empty()) fail_file("the model has no layers");
    read_edges(net.child("edges"));
    model.sort_topologically();
    if (m_version == 10) name_v10_tensors(model);
    if (model.parameters().empty() && model.results().empty())
        fail_file("the model has no inputs or outputs");
    if (model.results().empty()) fail_file("the model has no Result layer");

    const auto unsupported = graph::unsupported_ops(model);
    if (!unsupported.empty()) {
        std::string list;
        for (const auto& line : unsupported)
            list += "\n  " + line;
        fail_file("{} unsupported op type(s):{}", unsupported.size(), list);
    }
    graph::infer_shapes(model, graph::DeclaredShapes::check);
    return model;
}

}  // namespace

graph::Model read_model(const std::filesystem::path& xml_path,
                        const std::optional<std::filesystem::path>& bin_path) {
    std::filesystem::path weights = bin_path.value_or(xml_path);
    if (!bin_path) weights.replace_extension(".bin");
    try {
        return Reader(xml_path, weights).read();
    } catch (const Error& error) {
        const std::string message = error.what();
        if (message.starts_with(xml_path.string())) throw;
        rethrow_with_context(error, xml_path.string());
    }
}

}  // namespace es::ir
