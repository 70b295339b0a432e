// `edgesight convert` on TensorFlow models: unsupported ops, frozen .pb and SavedModel inputs,
// grappler's fused ops. The TF.js models of human-models: tfjs_models_test.cpp.
#include "devices/registry.h"
#include "inference/frontends/tf/proto/saved_model.pb.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

using namespace es;
using namespace es::testing;

TEST_CASE("TF convert: unsupported ops exit with code 2, listing each with its count") {
    const auto dir = temp_dir("tf-cli");
    const std::string model = R"({"format": "graph-model", "modelTopology": {"node": [
        {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}}},
        {"name": "a", "op": "Lgamma", "input": ["x"]},
        {"name": "b", "op": "Lgamma", "input": ["a"]},
        {"name": "c", "op": "Digamma", "input": ["b"]}]}, "weightsManifest": []})";
    std::ofstream(dir / "model.json") << model;
    const auto result =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", edgesight_binary().string(),
                                (dir / "model.json").string(), (dir / "out.xml").string()));
    CHECK(result.exit_code == 2);
    CHECK_MESSAGE(result.output.find("2 unsupported op type(s)") != std::string::npos,
                  result.output);
    CHECK_MESSAGE(result.output.find("Lgamma: 2 (first: a)") != std::string::npos, result.output);
    CHECK_MESSAGE(result.output.find("Digamma: 1 (first: c)") != std::string::npos, result.output);
}

TEST_CASE("TF convert: a frozen .pb and a SavedModel directory with --signature") {
    const auto dir = temp_dir("tf-cli");
    tensorflow::GraphDef graph;
    auto* x = graph.add_node();
    x->set_name("x");
    x->set_op("Placeholder");
    (*x->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    (*x->mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(3);
    auto* y = graph.add_node();
    y->set_name("y");
    y->set_op("Relu");
    y->add_input("x");
    std::ofstream(dir / "frozen.pb", std::ios::binary) << graph.SerializeAsString();
    const std::string binary = edgesight_binary().string();
    const auto frozen =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", binary, (dir / "frozen.pb").string(),
                                (dir / "frozen.xml").string()));
    CHECK_MESSAGE(frozen.exit_code == 0, frozen.output);
    const graph::Model converted = ir::read_model(dir / "frozen.xml");
    REQUIRE(converted.parameters().size() == 1);
    CHECK(converted.parameters()[0]->outputs[0].type.shape == PartialShape({3}));

    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    *meta_graph.mutable_graph_def() = graph;
    for (const char* key : {"serving_default", "other"}) {
        auto& signature = (*meta_graph.mutable_signature_def())[key];
        (*signature.mutable_inputs())["input"].set_name("x:0");
        (*signature.mutable_outputs())["output"].set_name("y:0");
    }
    std::filesystem::create_directories(dir / "saved");
    std::ofstream(dir / "saved" / "saved_model.pb", std::ios::binary)
        << saved_model.SerializeAsString();
    const auto saved =
        run_command(fmt::format("'{}' convert '{}' --signature other -o '{}'", binary,
                                (dir / "saved").string(), (dir / "saved.xml").string()));
    CHECK_MESSAGE(saved.exit_code == 0, saved.output);
    const auto missing =
        run_command(fmt::format("'{}' convert '{}' --signature nope -o '{}'", binary,
                                (dir / "saved").string(), (dir / "saved.xml").string()));
    CHECK(missing.exit_code == 2);
    CHECK_MESSAGE(
        missing.output.find("no signature 'nope' (the model has: other, serving_default)") !=
            std::string::npos,
        missing.output);
}

TEST_CASE("TF convert: a frozen .pb with grappler's _FusedConv2D (BiasAdd, Relu)") {
    const auto dir = temp_dir("tf-cli");
    tensorflow::GraphDef graph;
    auto add_node = [&graph](const std::string& name, const std::string& op,
                             std::vector<std::string> inputs) {
        auto* node = graph.add_node();
        node->set_name(name);
        node->set_op(op);
        for (const auto& input : inputs)
            node->add_input(input);
        (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
        return node;
    };
    auto add_constant = [&](const std::string& name, std::vector<int64_t> shape,
                            std::vector<float> values) {
        auto* node = add_node(name, "Const", {});
        auto& tensor = *(*node->mutable_attr())["value"].mutable_tensor();
        tensor.set_dtype(tensorflow::DT_FLOAT);
        for (int64_t dim : shape)
            tensor.mutable_tensor_shape()->add_dim()->set_size(dim);
        for (float value : values)
            tensor.add_float_val(value);
    };
    auto* x = add_node("x", "Placeholder", {});
    (*x->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    for (int64_t dim : {1, 1, 2, 2})
        (*x->mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(dim);
    add_constant("w", {1, 1, 2, 1}, {1, -1});
    add_constant("b", {1}, {0.5f});
    auto* conv = add_node("conv", "_FusedConv2D", {"x", "w", "b"});
    auto& attributes = *conv->mutable_attr();
    for (int64_t stride : {1, 1, 1, 1})
        attributes["strides"].mutable_list()->add_i(stride);
    attributes["padding"].set_s("VALID");
    attributes["data_format"].set_s("NHWC");
    attributes["num_args"].set_i(1);
    attributes["TArgs"].mutable_list()->add_type(tensorflow::DT_FLOAT);
    for (const char* op : {"BiasAdd", "Relu"})
        attributes["fused_ops"].mutable_list()->add_s(op);
    attributes["epsilon"].set_f(0);
    std::ofstream(dir / "fused.pb", std::ios::binary) << graph.SerializeAsString();

    const auto result =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", edgesight_binary().string(),
                                (dir / "fused.pb").string(), (dir / "fused.xml").string()));
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    const runtime::Core core(devices::make_registry());
    const auto compiled =
        core.compile(std::make_shared<graph::Model>(ir::read_model(dir / "fused.xml")), "REF");
    auto request = compiled.create_infer_request();
    Tensor input(ElementType::f32, {1, 1, 2, 2});
    const float pixels[] = {1, -2, 3, 4};
    std::copy(pixels, pixels + 4, input.data<float>());
    request.set_input(0, input);
    request.infer();
    // relu(x0 - x1 + 0.5) per pixel
    const Tensor& output = request.output(0);
    REQUIRE(output.shape() == Shape({1, 1, 2, 1}));
    CHECK(output.data<float>()[0] == doctest::Approx(3.5));
    CHECK(output.data<float>()[1] == doctest::Approx(0.0));
}
