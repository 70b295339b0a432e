// Every real IR in ../shared/models/ir: read, counted, round-tripped and run.
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <pugixml.hpp>

#include <cmath>
#include <map>
#include <random>

using namespace es;
using namespace es::testing;

namespace {

std::vector<std::filesystem::path> shared_irs() {
    std::vector<std::filesystem::path> paths;
    const auto shared = shared_dir();
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(shared / "models" / "ir"))
        if (entry.path().extension() == ".xml") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    return paths;
}

// What the XML itself says, read without the IR reader.
struct XmlFacts {
    std::map<std::string, size_t> op_counts;                       // "Type-version"
    std::map<std::string, std::vector<int64_t>> parameter_shapes;  // layer name -> dims
    std::vector<std::vector<int64_t>> result_shapes;
};

XmlFacts read_xml_facts(const std::filesystem::path& path) {
    XmlFacts facts;
    pugi::xml_document document;
    REQUIRE(document.load_file(path.c_str()));
    for (const auto& layer : document.child("net").child("layers").children("layer")) {
        const std::string type = layer.attribute("type").value();
        ++facts.op_counts[type + "-" + layer.attribute("version").value()];
        std::vector<int64_t> dims;
        const auto port = type == "Result" ? layer.child("input").child("port")
                                           : layer.child("output").child("port");
        for (const auto& dim : port.children("dim"))
            dims.push_back(dim.text().as_llong());
        if (type == "Parameter") facts.parameter_shapes[layer.attribute("name").value()] = dims;
        if (type == "Result") facts.result_shapes.push_back(dims);
    }
    return facts;
}

}  // namespace

TEST_CASE("shared IR models: op counts and I/O shapes match the XML") {
    const auto paths = shared_irs();
    for (const auto& path : paths) {
        CAPTURE(path);
        const graph::Model model = ir::read_model(path);
        const XmlFacts facts = read_xml_facts(path);
        std::map<std::string, size_t> counts;
        for (const auto& node : model.nodes())
            ++counts[node->type + "-" + node->version];
        CHECK(counts == facts.op_counts);
        REQUIRE(model.parameters().size() == facts.parameter_shapes.size());
        for (const graph::Node* parameter : model.parameters())
            CHECK(parameter->outputs[0].type.shape.dims() ==
                  facts.parameter_shapes.at(parameter->name));
        REQUIRE(model.results().size() == facts.result_shapes.size());
        for (size_t i = 0; i < model.results().size(); ++i)
            CHECK(model.results()[i]->inputs[0].source.type().shape.dims() ==
                  facts.result_shapes[i]);
    }
}

TEST_CASE("shared IR models: write then read gives the same graph and weight bytes") {
    const auto dir = temp_dir("round-trip");
    for (const auto& path : shared_irs()) {
        CAPTURE(path);
        const graph::Model model = ir::read_model(path);
        const auto copy_path = dir / path.filename();
        ir::write_model(model, copy_path);
        const graph::Model copy = ir::read_model(copy_path);
        std::string difference;
        CHECK_MESSAGE(graph::models_equal(model, copy, &difference), difference);
    }
}

TEST_CASE("shared IR models: inference runs and gives finite outputs of the declared shapes") {
    const runtime::Core core(devices::make_registry());
    std::mt19937 random(7);
    std::uniform_real_distribution<float> pixel(0.0f, 255.0f);
    for (const auto& path : shared_irs()) {
        CAPTURE(path);
        auto model = std::make_shared<graph::Model>(ir::read_model(path));
        const auto compiled = core.compile(model, "REF");
        auto request = compiled.create_infer_request();
        for (size_t i = 0; i < compiled.inputs().size(); ++i) {
            // A dynamic dimension (the batch of mobilenet_v2's [?,224,224,3]) runs as 1.
            std::vector<int64_t> dims = compiled.inputs()[i].type.shape.dims();
            for (auto& dim : dims)
                if (dim < 0) dim = 1;
            Tensor input(ElementType::f32, Shape(dims));
            for (size_t j = 0; j < input.size(); ++j)
                input.data<float>()[j] = pixel(random);
            request.set_input(i, input);
        }
        request.infer();
        for (size_t i = 0; i < compiled.outputs().size(); ++i) {
            const Tensor& output = request.output(i);
            CHECK(compiled.outputs()[i].type.shape.accepts(output.shape()));
            const auto values = output.to_doubles();
            CHECK(std::all_of(values.begin(), values.end(),
                              [](double v) { return std::isfinite(v); }));
        }
    }
}
