// `edgesight convert` on broken ONNX files: exit code 2 and a message naming the file and node.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <fstream>

using namespace es::testing;

namespace {

// x [1,3] -> Relu -> y, in opset `opset`.
onnx::ModelProto relu_model(int64_t opset) {
    onnx::ModelProto model;
    model.set_ir_version(8);
    auto* import = model.add_opset_import();
    import->set_domain("");
    import->set_version(opset);
    auto* graph = model.mutable_graph();
    graph->set_name("relu");
    auto* input = graph->add_input();
    input->set_name("x");
    auto* tensor_type = input->mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(onnx::TensorProto::FLOAT);
    tensor_type->mutable_shape()->add_dim()->set_dim_value(1);
    tensor_type->mutable_shape()->add_dim()->set_dim_value(3);
    auto* node = graph->add_node();
    node->set_op_type("Relu");
    node->set_name("relu1");
    node->add_input("x");
    node->add_output("y");
    graph->add_output()->set_name("y");
    return model;
}

CommandResult convert(const std::string& name, const std::string& bytes) {
    const auto dir = temp_dir("onnx-bad");
    const auto path = dir / (name + ".onnx");
    std::ofstream(path, std::ios::binary) << bytes;
    return run_command(edgesight_binary().string() + " convert " + path.string() + " -o " +
                       (dir / "out.xml").string());
}

void check_rejected(const CommandResult& result, const std::vector<std::string>& fragments) {
    INFO(result.output);
    CHECK(result.exit_code == 2);
    for (const auto& fragment : fragments)
        CHECK(result.output.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("ONNX bad input: the intact model converts") {
    const auto result = convert("ok", relu_model(13).SerializeAsString());
    INFO(result.output);
    CHECK(result.exit_code == 0);
}

TEST_CASE("ONNX bad input: a truncated protobuf") {
    const std::string bytes = relu_model(13).SerializeAsString();
    check_rejected(convert("truncated", bytes.substr(0, bytes.size() - 7)),
                   {"truncated.onnx", "not a valid ONNX model"});
}

TEST_CASE("ONNX bad input: an unsupported opset") {
    check_rejected(convert("opset", relu_model(99).SerializeAsString()),
                   {"opset.onnx", "ONNX opset 99 is not supported"});
}

TEST_CASE("ONNX bad input: a node input that nothing produces") {
    auto model = relu_model(13);
    model.mutable_graph()->mutable_node(0)->set_input(0, "nowhere");
    check_rejected(
        convert("dangling", model.SerializeAsString()),
        {"dangling.onnx", "node 'relu1' (Relu)", "input 'nowhere' is produced by no earlier node"});
}

TEST_CASE("ONNX bad input: unsupported ops are listed once with counts") {
    auto model = relu_model(13);
    auto* graph = model.mutable_graph();
    graph->mutable_node(0)->set_op_type("Frobnicate");
    for (const char* name : {"f2", "f3"}) {
        auto* node = graph->add_node();
        node->set_op_type(name == std::string("f2") ? "Frobnicate" : "Teleport");
        node->set_name(name);
        node->add_input("y");
        node->add_output(std::string(name) + "_out");
    }
    check_rejected(convert("unsupported", model.SerializeAsString()),
                   {"unsupported.onnx", "2 unsupported op type(s)", "Frobnicate: 2 (first: relu1)",
                    "Teleport: 1 (first: f3)"});
}
