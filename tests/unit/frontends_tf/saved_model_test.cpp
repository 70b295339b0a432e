// SavedModels written by hand the way TensorFlow 2 and TensorFlow 1 write them: a graph of
// function calls with resource variables restored from a TensorBundle, and a graph of
// VariableV2 nodes keyed by name.
#include "inference/core/error.h"
#include "inference/frontends/tf/proto/saved_model.pb.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

namespace {

tensorflow::NodeDef& add_node(tensorflow::FunctionDef& function, const std::string& name,
                              const std::string& op, const std::vector<std::string>& inputs) {
    tensorflow::NodeDef& node = *function.add_node_def();
    node.set_name(name);
    node.set_op(op);
    for (const auto& input : inputs)
        node.add_input(input);
    return node;
}

void add_args(tensorflow::FunctionDef& function, const std::string& name,
              const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
    function.mutable_signature()->set_name(name);
    for (const auto& input : inputs)
        function.mutable_signature()->add_input_arg()->set_name(input);
    for (const auto& output : outputs)
        function.mutable_signature()->add_output_arg()->set_name(output);
}

void set_function(tensorflow::NodeDef& node, const std::string& name) {
    (*node.mutable_attr())["f"].mutable_func()->set_name(name);
}

void add_signature(tensorflow::MetaGraphDef& meta_graph, const std::string& key,
                   const std::map<std::string, std::string>& inputs,
                   const std::map<std::string, std::string>& outputs) {
    auto& signature = (*meta_graph.mutable_signature_def())[key];
    for (const auto& [name, tensor] : inputs)
        (*signature.mutable_inputs())[name].set_name(tensor);
    for (const auto& [name, tensor] : outputs)
        (*signature.mutable_outputs())[name].set_name(tensor);
}

// y = relu(x @ kernel + bias) as TF2 saves it: the signature calls a function (which calls
// another), variables are VarHandleOps passed in as resources, and a restore function assigns
// them from RestoreV2 under object-graph keys unrelated to their names.
std::filesystem::path write_tf2_model() {
    const auto dir = temp_dir("tf-saved-model");
    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    meta_graph.mutable_meta_info_def()->add_tags("serve");
    GraphBuilder builder;
    builder.placeholder("serving_default_x", {1, 2});
    for (const char* name : {"dense/kernel", "dense/bias"}) {
        auto& variable = builder.node(name, "VarHandleOp");
        set_string(variable, "shared_name", name);
        set_type(variable, "dtype", tensorflow::DT_FLOAT);
    }
    set_function(builder.node("StatefulPartitionedCall", "StatefulPartitionedCall",
                              {"serving_default_x", "dense/kernel", "dense/bias"}),
                 "__inference_signature_wrapper_10");
    builder.placeholder("saver_filename", {}, tensorflow::DT_STRING);
    set_function(builder.node("StatefulPartitionedCall_1", "StatefulPartitionedCall",
                              {"saver_filename", "dense/kernel", "dense/bias", "^dense/bias"}),
                 "__inference__traced_restore_20");
    *meta_graph.mutable_graph_def() = builder.graph();
    auto& library = *meta_graph.mutable_graph_def()->mutable_library();

    auto& wrapper = *library.add_function();
    add_args(wrapper, "__inference_signature_wrapper_10",
             {"x", "readvariableop_resource", "readvariableop_1_resource"}, {"output_0"});
    add_node(wrapper, "MatMul/ReadVariableOp", "ReadVariableOp", {"readvariableop_resource"});
    add_node(wrapper, "MatMul", "MatMul", {"x", "MatMul/ReadVariableOp:value:0"});
    add_node(wrapper, "BiasAdd/ReadVariableOp", "ReadVariableOp", {"readvariableop_1_resource"});
    add_node(wrapper, "BiasAdd", "BiasAdd", {"MatMul:product:0", "BiasAdd/ReadVariableOp:value:0"});
    set_function(add_node(wrapper, "inner", "PartitionedCall", {"BiasAdd:output:0"}),
                 "__inference_relu_5");
    add_node(wrapper, "Identity", "Identity", {"inner:y:0", "^BiasAdd"});
    (*wrapper.mutable_ret())["output_0"] = "Identity:output:0";

    auto& relu = *library.add_function();
    add_args(relu, "__inference_relu_5", {"features"}, {"y"});
    add_node(relu, "Relu", "Relu", {"features"});
    (*relu.mutable_ret())["y"] = "Relu:activations:0";

    auto& restore = *library.add_function();
    add_args(restore, "__inference__traced_restore_20",
             {"file_prefix", "assignvariableop_resource", "assignvariableop_1_resource"},
             {"identity_3"});
    auto& names = add_node(restore, "RestoreV2/tensor_names", "Const", {});
    auto& names_tensor = *(*names.mutable_attr())["value"].mutable_tensor();
    names_tensor.set_dtype(tensorflow::DT_STRING);
    names_tensor.add_string_val("layer/bias/.ATTRIBUTES/VARIABLE_VALUE");
    names_tensor.add_string_val("layer/kernel/.ATTRIBUTES/VARIABLE_VALUE");
    add_node(restore, "RestoreV2/shape_and_slices", "Const", {});
    add_node(
        restore, "RestoreV2", "RestoreV2",
        {"file_prefix", "RestoreV2/tensor_names:output:0", "RestoreV2/shape_and_slices:output:0"});
    add_node(restore, "Identity", "Identity", {"RestoreV2:tensors:1"});
    add_node(restore, "AssignVariableOp", "AssignVariableOp",
             {"assignvariableop_resource", "Identity:output:0"});
    add_node(restore, "Identity_1", "Identity", {"RestoreV2:tensors:0"});
    add_node(restore, "AssignVariableOp_1", "AssignVariableOp",
             {"assignvariableop_1_resource", "Identity_1:output:0"});
    add_node(restore, "NoOp", "NoOp", {"^AssignVariableOp", "^AssignVariableOp_1"});
    add_node(restore, "Identity_3", "Identity", {"file_prefix", "^NoOp"});
    (*restore.mutable_ret())["identity_3"] = "Identity_3:output:0";

    add_signature(meta_graph, "serving_default", {{"x", "serving_default_x:0"}},
                  {{"output_0", "StatefulPartitionedCall:0"}});
    add_signature(meta_graph, "logits", {{"x", "serving_default_x:0"}},
                  {{"pre_activation", "StatefulPartitionedCall/BiasAdd:0"}});
    write_file(dir / "saved_model.pb", saved_model.SerializeAsString());
    write_tensor_bundle(dir / "variables" / "variables",
                        {{"layer/kernel/.ATTRIBUTES/VARIABLE_VALUE", f32({2, 2}, {1, 2, 3, 4})},
                         {"layer/bias/.ATTRIBUTES/VARIABLE_VALUE", f32({2}, {0.5f, -10})},
                         {"_CHECKPOINTABLE_OBJECT_GRAPH", i32({1}, {0})}});
    return dir;
}

}  // namespace

TEST_CASE("SavedModel (TF2): functions inlined, variables restored by RestoreV2 keys") {
    const auto dir = write_tf2_model();
    graph::Model model = frontends::read_tf_saved_model(dir);
    REQUIRE(model.parameters().size() == 1);
    CHECK(model.parameters()[0]->name == "x");
    REQUIRE(model.results().size() == 1);
    CHECK(graph::output_name(model.results()[0]->inputs[0].source) == "output_0");
    const auto outputs = run_reference(std::move(model), {f32({1, 2}, {1, 1})});
    // [1, 1] @ [[1, 2], [3, 4]] + [0.5, -10] = [4.5, -4], then relu
    check_close(outputs[0], {1, 2}, {4.5f, 0});

    const auto logits =
        run_reference(frontends::read_tf_saved_model(dir, "logits"), {f32({1, 2}, {1, 1})});
    check_close(logits[0], {1, 2}, {4.5f, -4});
}

TEST_CASE("SavedModel (TF1): VariableV2 nodes keyed by their names") {
    const auto dir = temp_dir("tf-saved-model");
    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    meta_graph.mutable_meta_info_def()->add_tags("serve");
    GraphBuilder builder;
    builder.placeholder("x", {1, 2});
    set_type(builder.node("w", "VariableV2"), "dtype", tensorflow::DT_FLOAT);
    builder.node("w/read", "Identity", {"w"});
    builder.node("y", "MatMul", {"x", "w/read"});
    *meta_graph.mutable_graph_def() = builder.graph();
    add_signature(meta_graph, "serving_default", {{"in", "x:0"}}, {{"out", "y:0"}});
    write_file(dir / "saved_model.pb", saved_model.SerializeAsString());
    write_tensor_bundle(dir / "variables" / "variables", {{"w", f32({2, 1}, {2, 3})}});
    const auto outputs = run_reference(frontends::read_tf_saved_model(dir), {f32({1, 2}, {1, 2})});
    check_close(outputs[0], {1, 1}, {8});
}

TEST_CASE("SavedModel bad input: unknown signature, missing variables, corrupt file") {
    const auto dir = write_tf2_model();
    CHECK_THROWS_WITH_AS(
        frontends::read_tf_saved_model(dir, "serve"),
        doctest::Contains("no signature 'serve' (the model has: logits, serving_default)"), Error);
    std::filesystem::remove(dir / "variables" / "variables.index");
    CHECK_THROWS_WITH_AS(frontends::read_tf_saved_model(dir),
                         doctest::Contains("variables.index: cannot open"), Error);
    const std::string bytes = read_file(dir / "saved_model.pb");
    write_file(dir / "saved_model.pb", bytes.substr(0, bytes.size() / 2));
    CHECK_THROWS_WITH_AS(frontends::read_tf_saved_model(dir),
                         doctest::Contains("not a valid SavedModel"), Error);
}

TEST_CASE("SavedModel bad input: a variable the checkpoint lacks, a call of a missing function") {
    const auto dir = write_tf2_model();
    write_tensor_bundle(dir / "variables" / "variables",
                        {{"layer/kernel/.ATTRIBUTES/VARIABLE_VALUE", f32({2, 2}, {1, 2, 3, 4})}});
    CHECK_THROWS_WITH_AS(
        frontends::read_tf_saved_model(dir),
        doctest::Contains("node 'dense/bias' (VarHandleOp): the variable has no value"), Error);

    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    GraphBuilder builder;
    builder.placeholder("x", {1});
    set_function(builder.node("call", "PartitionedCall", {"x"}), "nowhere");
    *meta_graph.mutable_graph_def() = builder.graph();
    meta_graph.mutable_graph_def()
        ->mutable_library()
        ->add_function()
        ->mutable_signature()
        ->set_name("f");
    add_signature(meta_graph, "serving_default", {{"x", "x:0"}}, {{"y", "call:0"}});
    write_file(dir / "saved_model.pb", saved_model.SerializeAsString());
    CHECK_THROWS_WITH_AS(frontends::read_tf_saved_model(dir),
                         doctest::Contains("calls function 'nowhere', which the library lacks"),
                         Error);
}
