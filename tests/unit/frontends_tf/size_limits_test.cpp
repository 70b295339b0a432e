// GraphDefs whose few bytes describe huge graphs or constants: refused before they are built.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

namespace {

graph::Model convert(const GraphBuilder& builder) {
    const auto path = temp_dir("tf-limits") / "model.pb";
    builder.write(path);
    return frontends::read_tf_frozen_graph(path);
}

// Function `name` calls function `callee` `calls` times on its argument and returns the last.
void add_fan_out(tensorflow::GraphDef& graph, const std::string& name, const std::string& callee,
                 int calls) {
    auto& function = *graph.mutable_library()->add_function();
    function.mutable_signature()->set_name(name);
    function.mutable_signature()->add_input_arg()->set_name("x");
    function.mutable_signature()->add_output_arg()->set_name("y");
    for (int i = 0; i < calls; ++i) {
        auto& call = *function.add_node_def();
        call.set_name(fmt::format("call{}", i));
        call.set_op(callee);
        call.add_input("x");
    }
    (*function.mutable_ret())["y"] = fmt::format("call{}:y:0", calls - 1);
}

}  // namespace

TEST_CASE("GraphDef limits: a constant filled from one value may not expand past 64 MiB") {
    GraphBuilder builder;
    auto& constant = builder.node("ones", "Const");
    set_type(constant, "dtype", tensorflow::DT_FLOAT);
    auto& value = *(*constant.mutable_attr())["value"].mutable_tensor();
    value.set_dtype(tensorflow::DT_FLOAT);
    value.mutable_tensor_shape()->add_dim()->set_size(int64_t{1} << 27);
    value.add_float_val(1);
    builder.node("y", "Relu", {"ones"});
    const size_t peak_before = peak_resident_bytes();
    CHECK_THROWS_WITH_AS(convert(builder), doctest::Contains("node 'ones' (Const)"), Error);
    CHECK_THROWS_WITH_AS(convert(builder), doctest::Contains("too large to fill from its values"),
                         Error);
    CHECK(peak_resident_bytes() - peak_before < k_bad_input_memory);
}

TEST_CASE("GraphDef limits: functions that call each other many times over are refused") {
    GraphBuilder builder;
    builder.placeholder("x", {1});
    builder.node("call", "f0", {"x"});
    builder.node("y", "Relu", {"call"});
    constexpr int k_levels = 9;
    for (int level = 0; level < k_levels; ++level)
        add_fan_out(builder.graph(), fmt::format("f{}", level), fmt::format("f{}", level + 1), 4);
    auto& leaf = *builder.graph().mutable_library()->add_function();
    leaf.mutable_signature()->set_name(fmt::format("f{}", k_levels));
    leaf.mutable_signature()->add_input_arg()->set_name("x");
    leaf.mutable_signature()->add_output_arg()->set_name("y");
    (*leaf.mutable_ret())["y"] = "x";
    CHECK_THROWS_WITH_AS(convert(builder), doctest::Contains("makes more than 262144 nodes"),
                         Error);
}
