#include "inference/ir/ir.h"

#include "inference/core/error.h"

#include <pugixml.hpp>

#include <fstream>
#include <unordered_map>

namespace es::ir {
namespace {

using graph::Node;

void write_rt_info(pugi::xml_node parent, const graph::RtInfo& info) {
    if (info.empty()) return;
    pugi::xml_node section = parent.append_child("rt_info");
    for (const auto& attribute : info) {
        pugi::xml_node element = section.append_child("attribute");
        for (const auto& [name, value] : attribute.fields)
            element.append_attribute(name.c_str()).set_value(value.c_str());
    }
}

std::string join_names(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& name : names) {
        if (!text.empty()) text += ',';
        for (char c : name) {
            if (c == ',') text += '\\';
            text += c;
        }
    }
    return text;
}

void write_port(pugi::xml_node parent, size_t id, const graph::PortType& type) {
    pugi::xml_node port = parent.append_child("port");
    port.append_attribute("id").set_value(static_cast<unsigned long long>(id));
    port.append_attribute("precision").set_value(std::string(to_precision(type.type)).c_str());
}

void write_dims(pugi::xml_node port, const graph::PortType& type) {
    if (!type.shape.rank_known()) return;
    for (size_t i = 0; i < type.shape.rank(); ++i)
        port.append_child("dim").text().set(static_cast<long long>(type.shape[i]));
}

// Appends an XML section kept verbatim from the file the model came from.
void append_verbatim(pugi::xml_node parent, const std::string& xml) {
    if (xml.empty()) return;
    pugi::xml_document fragment;
    if (fragment.load_string(xml.c_str()))
        for (const auto& child : fragment.children())
            parent.append_copy(child);
}

}  // namespace

void write_model(const graph::Model& model, const std::filesystem::path& xml_path) {
    std::filesystem::path bin_path = xml_path;
    bin_path.replace_extension(".bin");
    std::ofstream weights(bin_path, std::ios::binary | std::ios::trunc);
    if (!weights) throw_runtime("{}: cannot open for writing", bin_path.string());
    uint64_t offset = 0;

    pugi::xml_document document;
    pugi::xml_node net = document.append_child("net");
    net.append_attribute("name").set_value(model.name.c_str());
    net.append_attribute("version").set_value(11);
    pugi::xml_node layers = net.append_child("layers");
    std::unordered_map<const Node*, size_t> first_output_port;

    for (const auto& owned : model.nodes()) {
        const Node& node = *owned;
        pugi::xml_node layer = layers.append_child("layer");
        layer.append_attribute("id").set_value(static_cast<long long>(node.id));
        layer.append_attribute("name").set_value(node.name.c_str());
        layer.append_attribute("type").set_value(node.type.c_str());
        layer.append_attribute("version").set_value(node.version.c_str());
        if (!node.attributes.entries().empty() || node.type == "Const") {
            pugi::xml_node data = layer.append_child("data");
            for (const auto& [name, value] : node.attributes.entries())
                data.append_attribute(name.c_str()).set_value(value.c_str());
            if (node.type == "Const") {
                const size_t size = node.value.byte_size();
                data.append_attribute("offset").set_value(static_cast<unsigned long long>(offset));
                data.append_attribute("size").set_value(static_cast<unsigned long long>(size));
                weights.write(reinterpret_cast<const char*>(node.value.bytes()),
                              static_cast<std::streamsize>(size));
                offset += size;
            }
        }
        write_rt_info(layer, node.rt_info);
        if (!node.inputs.empty()) {
            pugi::xml_node inputs = layer.append_child("input");
            for (size_t i = 0; i < node.inputs.size(); ++i) {
                const auto& type = node.inputs[i].source.type();
                write_port(inputs, i, type);
                pugi::xml_node port = inputs.last_child();
                write_dims(port, type);
                write_rt_info(port, node.inputs[i].rt_info);
            }
        }
        first_output_port[&node] = node.inputs.size();
        if (!node.outputs.empty()) {
            pugi::xml_node outputs = layer.append_child("output");
            for (size_t i = 0; i < node.outputs.size(); ++i) {
                const auto& output = node.outputs[i];
                write_port(outputs, node.inputs.size() + i, output.type);
                pugi::xml_node port = outputs.last_child();
                if (!output.names.empty())
                    port.append_attribute("names").set_value(join_names(output.names).c_str());
                write_dims(port, output.type);
                write_rt_info(port, output.rt_info);
            }
        }
    }

    pugi::xml_node edges = net.append_child("edges");
    for (const auto& owned : model.nodes()) {
        for (size_t i = 0; i < owned->inputs.size(); ++i) {
            const graph::Output& source = owned->inputs[i].source;
            pugi::xml_node edge = edges.append_child("edge");
            edge.append_attribute("from-layer").set_value(static_cast<long long>(source.node->id));
            edge.append_attribute("from-port")
                .set_value(static_cast<unsigned long long>(first_output_port.at(source.node) +
                                                           source.port));
            edge.append_attribute("to-layer").set_value(static_cast<long long>(owned->id));
            edge.append_attribute("to-port").set_value(static_cast<unsigned long long>(i));
        }
    }
    append_verbatim(net, model.rt_info_xml);
    append_verbatim(net, model.meta_data_xml);

    if (!weights) throw_runtime("{}: write failed", bin_path.string());
    weights.close();
    if (!document.save_file(xml_path.c_str(), "\t"))
        throw_runtime("{}: cannot write", xml_path.string());
}

}  // namespace es::ir
