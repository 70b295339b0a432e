// TensorFlow control flow built as TensorFlow writes it (tf.while_loop and tf.cond lowered to
// Enter/Merge/Switch/Exit/NextIteration, tf.map_fn over TensorArrays, TF2's TensorLists),
// unrolled while converting; the expected values are worked out by hand.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

#include <map>

using namespace es;
using namespace es::testing;

namespace {

graph::Model convert(const GraphBuilder& builder, const frontends::InputOverrides& overrides = {}) {
    const auto path = temp_dir("tf-control-flow") / "model.pb";
    builder.write(path);
    return frontends::read_tf_frozen_graph(path, {}, overrides);
}

std::string error_of(const GraphBuilder& builder, const frontends::InputOverrides& overrides = {}) {
    try {
        convert(builder, overrides);
    } catch (const Error& error) {
        return error.what();
    }
    FAIL("the conversion succeeded");
    return {};
}

void enter(GraphBuilder& builder, const std::string& name, const std::string& input,
           bool constant) {
    auto& node = builder.node(name, "Enter", {input});
    set_string(node, "frame_name", "while");
    set_bool(node, "is_constant", constant);
}

// A loop variable: Enter → Merge (with NextIteration) → Switch on the loop condition; the body
// reads NAME/body, and NAME/exit is its value after the loop.
void loop_variable(GraphBuilder& builder, const std::string& name, const std::string& initial,
                   const std::string& next) {
    enter(builder, name + "/enter", initial, false);
    builder.node(name + "/merge", "Merge", {name + "/enter", name + "/next"});
    builder.node(name + "/switch", "Switch", {name + "/merge", "cond"});
    builder.node(name + "/body", "Identity", {name + "/switch:1"});
    builder.node(name + "/next", "NextIteration", {next});
    builder.node(name + "/exit", "Exit", {name + "/switch:0"});
}

void range(GraphBuilder& builder, const std::string& name, const std::string& limit) {
    set_type(builder.node(name, "Range", {"zero", limit, "one"}), "Tidx", tensorflow::DT_INT32);
}

// tf.map_fn(lambda row: 2 * row, x) beside a running sum of the rows, as TF1 writes it: the rows
// scattered into a TensorArray, read by the loop counter, written to another TensorArray that is
// gathered after the loop. The trip count is x's first dimension.
GraphBuilder map_and_sum(const Shape& x_shape) {
    GraphBuilder builder;
    builder.placeholder("x", x_shape);
    builder.constant("zero", i32({}, {0}));
    builder.constant("one", i32({}, {1}));
    builder.constant("two", f32({}, {2}));
    builder.constant("sum0", f32({2}, {0, 0}));
    builder.node("shape", "Shape", {"x"});
    builder.constant("begin", i32({1}, {0}));
    builder.constant("end", i32({1}, {1}));
    builder.constant("stride", i32({1}, {1}));
    set_int(builder.node("rows", "StridedSlice", {"shape", "begin", "end", "stride"}),
            "shrink_axis_mask", 1);
    set_type(builder.node("input_array", "TensorArrayV3", {"rows"}), "dtype", tensorflow::DT_FLOAT);
    range(builder, "indices", "rows");
    builder.node("scatter", "TensorArrayScatterV3",
                 {"input_array", "indices", "x", "input_array:1"});
    set_type(builder.node("output_array", "TensorArrayV3", {"rows"}), "dtype",
             tensorflow::DT_FLOAT);

    enter(builder, "rows/enter", "rows", true);
    enter(builder, "input_array/enter", "input_array", true);
    enter(builder, "scatter/enter", "scatter", true);
    enter(builder, "output_array/enter", "output_array", true);
    loop_variable(builder, "i", "zero", "i/plus_one");
    loop_variable(builder, "sum", "sum0", "sum/plus_row");
    loop_variable(builder, "flow", "output_array:1", "write");
    builder.node("less", "Less", {"i/merge", "rows/enter"});
    builder.node("cond", "LoopCond", {"less"});
    builder.node("row", "TensorArrayReadV3", {"input_array/enter", "i/body", "scatter/enter"});
    builder.node("doubled", "Mul", {"row", "two"});
    builder.node("write", "TensorArrayWriteV3",
                 {"output_array/enter", "i/body", "doubled", "flow/body"});
    builder.node("sum/plus_row", "AddV2", {"sum/body", "row"});
    builder.node("i/plus_one", "AddV2", {"i/body", "one"});

    builder.node("sum/result", "Identity", {"sum/exit"});
    builder.node("size", "TensorArraySizeV3", {"output_array", "flow/exit"});
    range(builder, "all", "size");
    set_type(builder.node("mapped", "TensorArrayGatherV3", {"output_array", "all", "flow/exit"}),
             "dtype", tensorflow::DT_FLOAT);
    return builder;
}

Tensor booleans(Shape shape, std::vector<bool> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i];
    return tensor;
}

bool has_op(const graph::Model& model, const std::string& type) {
    for (const auto& node : model.nodes())
        if (node->type == type) return true;
    return false;
}

}  // namespace

TEST_CASE("TF1 while loop over TensorArrays (tf.map_fn) unrolls into the loop's computation") {
    const GraphBuilder builder = map_and_sum({3, 2});
    const graph::Model model = convert(builder);
    CHECK_FALSE(has_op(model, "ShapeOf"));
    const Tensor x = f32({3, 2}, {1, 2, 3, 4, 5, 6});
    for (const char* device : {"REF", "CPU"}) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {x}, device);
        REQUIRE(outputs.size() == 3);  // the counter's Exit is a loose end too
        CHECK(outputs[0].to_int64s() == std::vector<int64_t>{3});
        check_close(outputs[1], {2}, {9, 12});
        check_close(outputs[2], {3, 2}, {2, 4, 6, 8, 10, 12});
    }
}

TEST_CASE("A loop whose trip count comes from a dynamic dimension needs the shape fixed") {
    const GraphBuilder builder = map_and_sum({-1, 2});
    const std::string message = error_of(builder);
    CHECK_MESSAGE(message.find("node 'input_array' (TensorArrayV3): input 0 (size) is not "
                               "constant at conversion") != std::string::npos,
                  message);
    CHECK_MESSAGE(message.find("--shape") != std::string::npos, message);

    frontends::InputOverrides overrides;
    overrides.shapes["x"] = PartialShape({4, 2});
    const auto outputs =
        run_reference(convert(builder, overrides), {f32({4, 2}, {1, 1, 2, 2, 3, 3, 4, 4})});
    check_close(outputs[1], {2}, {10, 10});
    check_close(outputs[2], {4, 2}, {2, 2, 4, 4, 6, 6, 8, 8});
}

TEST_CASE("tf.cond (Switch/Merge) takes the branch its constant predicate names") {
    auto build = [](bool predicate_is_input) {
        GraphBuilder builder;
        builder.placeholder("x", {2});
        if (predicate_is_input)
            builder.placeholder("p", {}, tensorflow::DT_BOOL);
        else
            builder.constant("p", booleans({}, {true}));
        builder.constant("ten", f32({}, {10}));
        builder.node("switch", "Switch", {"x", "p"});
        builder.node("then", "Mul", {"switch:1", "ten"});
        builder.node("else", "Neg", {"switch:0"});
        builder.node("merge", "Merge", {"else", "then"});
        builder.node("y", "Identity", {"merge"});
        return builder;
    };
    const Tensor x = f32({2}, {1, -3});
    check_close(run_reference(convert(build(false)), {x}).at(0), {2}, {10, -30});

    const GraphBuilder by_input = build(true);
    const std::string message = error_of(by_input);
    CHECK_MESSAGE(message.find("node 'switch' (Switch): its condition is not constant at "
                               "conversion (it depends on 'p')") != std::string::npos,
                  message);
    CHECK_MESSAGE(message.find("--value") != std::string::npos, message);

    frontends::InputOverrides taken, not_taken;
    taken.values["p"] = {1};
    not_taken.values["p"] = {0};
    const graph::Model then_model = convert(by_input, taken);
    REQUIRE(then_model.parameters().size() == 1);
    check_close(run_reference(convert(by_input, taken), {x}).at(0), {2}, {10, -30});
    check_close(run_reference(convert(by_input, not_taken), {x}).at(0), {2}, {-1, 3});

    frontends::InputOverrides unknown;
    unknown.values["q"] = {1};
    CHECK(error_of(by_input, unknown)
              .find("--value q: the model has no input 'q' (its inputs: "
                    "x, p)") != std::string::npos);
}

TEST_CASE("TF2 TensorLists in a while loop: FromTensor, GetItem, SetItem, Reserve, Stack") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 3});
    builder.constant("zero", i32({}, {0}));
    builder.constant("one", i32({}, {1}));
    builder.constant("count", i32({}, {2}));
    builder.constant("element_shape", i32({1}, {3}));
    builder.node("input_list", "TensorListFromTensor", {"x", "element_shape"});
    set_type(builder.node("output_list", "TensorListReserve", {"element_shape", "count"}),
             "element_dtype", tensorflow::DT_FLOAT);
    enter(builder, "input_list/enter", "input_list", true);
    loop_variable(builder, "i", "zero", "i/plus_one");
    loop_variable(builder, "list", "output_list", "set");
    builder.node("less", "Less", {"i/merge", "count"});
    builder.node("cond", "LoopCond", {"less"});
    set_type(
        builder.node("item", "TensorListGetItem", {"input_list/enter", "i/body", "element_shape"}),
        "element_dtype", tensorflow::DT_FLOAT);
    builder.node("square", "Mul", {"item", "item"});
    builder.node("set", "TensorListSetItem", {"list/body", "i/body", "square"});
    builder.node("i/plus_one", "AddV2", {"i/body", "one"});
    set_type(builder.node("stacked", "TensorListStack", {"list/exit", "element_shape"}),
             "element_dtype", tensorflow::DT_FLOAT);
    const auto outputs = run_on(convert(builder), {f32({2, 3}, {1, 2, 3, -1, -2, 4})}, "CPU");
    REQUIRE(outputs.size() == 2);
    check_close(outputs[1], {2, 3}, {1, 4, 9, 1, 4, 16});
}

TEST_CASE("A loop that does not end at conversion is an error naming it") {
    GraphBuilder builder;
    builder.placeholder("x", {1});
    builder.constant("zero", f32({1}, {0}));
    builder.constant("always", booleans({}, {true}));
    loop_variable(builder, "v", "x", "v/plus");
    builder.node("cond", "LoopCond", {"always"});
    builder.node("v/plus", "AddV2", {"v/body", "x"});
    const std::string message = error_of(builder);
    CHECK_MESSAGE(message.find("node 'v/next' (NextIteration): the loop did not end after 4096 "
                               "iterations") != std::string::npos,
                  message);
}

// y = x * x.shape[dimension] for x of shape [?, 3].
GraphBuilder scaled_by_dimension(int dimension) {
    GraphBuilder builder;
    builder.placeholder("x", {-1, 3});
    builder.node("shape", "Shape", {"x"});
    builder.constant("begin", i32({1}, {dimension}));
    builder.constant("end", i32({1}, {dimension + 1}));
    builder.constant("stride", i32({1}, {1}));
    set_int(builder.node("dimension", "StridedSlice", {"shape", "begin", "end", "stride"}),
            "shrink_axis_mask", 1);
    set_type(builder.node("scale", "Cast", {"dimension"}), "DstT", tensorflow::DT_FLOAT);
    builder.node("y", "Mul", {"x", "scale"});
    return builder;
}

TEST_CASE("The known dimensions of a partly dynamic shape fold to constants") {
    const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    const GraphBuilder width = scaled_by_dimension(1);
    CHECK_FALSE(has_op(convert(width), "ShapeOf"));
    check_close(run_reference(convert(width), {x}).at(0), {2, 3}, {3, 6, 9, 12, 15, 18});

    // the dynamic dimension itself stays computed at run time
    const GraphBuilder rows = scaled_by_dimension(0);
    CHECK(has_op(convert(rows), "ShapeOf"));
    check_close(run_reference(convert(rows), {x}).at(0), {2, 3}, {2, 4, 6, 8, 10, 12});
}

namespace {

// A library function: `inputs` and `outputs` name its float arguments (int32 where named
// "i..."), `body` its nodes (inputs as "arg" or "node:output:0"), `returns` output -> tensor.
tensorflow::FunctionDef& add_function(GraphBuilder& builder, const std::string& name,
                                      const std::vector<std::string>& inputs,
                                      const std::vector<std::string>& outputs,
                                      const std::vector<tensorflow::NodeDef>& body,
                                      const std::map<std::string, std::string>& returns) {
    auto& function = *builder.graph().mutable_library()->add_function();
    function.mutable_signature()->set_name(name);
    auto type_of = [](const std::string& arg) {
        return arg.starts_with("i") ? tensorflow::DT_INT32 : tensorflow::DT_FLOAT;
    };
    for (const auto& input : inputs) {
        auto& arg = *function.mutable_signature()->add_input_arg();
        arg.set_name(input);
        arg.set_type(type_of(input));
    }
    for (const auto& output : outputs) {
        auto& arg = *function.mutable_signature()->add_output_arg();
        arg.set_name(output);
        arg.set_type(type_of(output));
    }
    for (const auto& node : body)
        *function.add_node_def() = node;
    for (const auto& [output, tensor] : returns)
        (*function.mutable_ret())[output] = tensor;
    return function;
}

tensorflow::NodeDef body_node(const std::string& name, const std::string& op,
                              const std::vector<std::string>& inputs) {
    tensorflow::NodeDef node;
    node.set_name(name);
    node.set_op(op);
    for (const auto& input : inputs)
        node.add_input(input);
    return node;
}

tensorflow::NodeDef body_constant(const std::string& name, const Tensor& value) {
    tensorflow::NodeDef node = body_node(name, "Const", {});
    set_type(node, "dtype", tf_type(value.type()));
    *(*node.mutable_attr())["value"].mutable_tensor() = tensor_proto(value);
    return node;
}

void set_function(tensorflow::NodeDef& node, const std::string& attribute,
                  const std::string& function) {
    (*node.mutable_attr())[attribute].mutable_func()->set_name(function);
}

}  // namespace

TEST_CASE("TF2 StatelessWhile and StatelessIf lower to the TF1 form and unroll") {
    GraphBuilder builder;
    builder.placeholder("x", {2});
    builder.placeholder("p", {}, tensorflow::DT_BOOL);
    builder.constant("zero", i32({}, {0}));
    builder.constant("sum0", f32({2}, {0, 0}));
    add_function(
        builder, "cond", {"i", "sum", "x"}, {"keep_going"},
        {body_constant("three", i32({}, {3})), body_node("less", "Less", {"i", "three:output:0"})},
        {{"keep_going", "less:z:0"}});
    add_function(
        builder, "body", {"i", "sum", "x"}, {"i_next", "sum_next", "x_same"},
        {body_constant("one", i32({}, {1})), body_node("plus_one", "AddV2", {"i", "one:output:0"}),
         body_node("plus_x", "AddV2", {"sum", "x"})},
        {{"i_next", "plus_one:z:0"}, {"sum_next", "plus_x:z:0"}, {"x_same", "x"}});
    auto& loop = builder.node("loop", "StatelessWhile", {"zero", "sum0", "x"});
    set_function(loop, "cond", "cond");
    set_function(loop, "body", "body");
    add_function(
        builder, "times_ten", {"v"}, {"r"},
        {body_constant("ten", f32({}, {10})), body_node("mul", "Mul", {"v", "ten:output:0"})},
        {{"r", "mul:z:0"}});
    add_function(builder, "negate", {"v"}, {"r"}, {body_node("neg", "Neg", {"v"})},
                 {{"r", "neg:y:0"}});
    auto& branch = builder.node("branch", "StatelessIf", {"p", "loop:1"});
    set_function(branch, "then_branch", "times_ten");
    set_function(branch, "else_branch", "negate");
    builder.node("y", "Identity", {"branch"});

    CHECK(error_of(builder).find("(it depends on 'p')") != std::string::npos);
    frontends::InputOverrides then_taken, else_taken;
    then_taken.values["p"] = {1};
    else_taken.values["p"] = {0};
    const Tensor x = f32({2}, {1, 2});
    // the loop's sum after 3 iterations is 3x
    const auto then_outputs = run_on(convert(builder, then_taken), {x}, "CPU");
    check_close(then_outputs.back(), {2}, {30, 60});
    const auto else_outputs = run_reference(convert(builder, else_taken), {x});
    check_close(else_outputs.back(), {2}, {-3, -6});
}
