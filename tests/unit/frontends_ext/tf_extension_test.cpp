// Frozen GraphDefs with ops the converter lacks, converted with extension mappings and run on
// REF; values worked out by hand.
#include "inference/core/error.h"
#include "inference/frontends/common/extension.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;
using frontends::extensions::ExtensionSet;

namespace {

ExtensionSet extensions(const std::string& json) {
    ExtensionSet set;
    set.add(json, "ext.json");
    return set;
}

graph::Model convert(const GraphBuilder& builder, const ExtensionSet& set = {}) {
    const auto path = temp_dir("tf-ext") / "model.pb";
    builder.write(path);
    return frontends::read_tf_frozen_graph(path, set);
}

std::string error_of(const GraphBuilder& builder, const ExtensionSet& set = {}) {
    try {
        convert(builder, set);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error");
    return {};
}

const char* k_scale = R"({"ops": [{
    "framework": "tf", "type": "MyScale",
    "nodes": [{"name": "mul", "type": "Multiply", "version": "opset1",
               "inputs": ["$input0", "$const:scale"]}],
    "constants": {"scale": {"type": "f32", "value": "$attr:factor", "default": 2.0}},
    "outputs": ["mul:0"]}]})";

}  // namespace

TEST_CASE("TF extension: MyScale multiplies by its attribute, or by the default") {
    for (const std::optional<float> factor : {std::optional<float>(3.0f), std::optional<float>()}) {
        GraphBuilder builder;
        builder.placeholder("x", {1, 3});
        auto& node = builder.node("scale1", "MyScale", {"x"});
        if (factor) set_float(node, "factor", *factor);
        builder.node("out", "Relu", {"scale1"});

        const std::string error = error_of(builder);
        CHECK(error.find("1 unsupported op type(s):\n  MyScale: 1 (first: scale1)") !=
              std::string::npos);

        const auto outputs =
            run_reference(convert(builder, extensions(k_scale)), {f32({1, 3}, {1, -2, 3})});
        const float f = factor.value_or(2.0f);
        check_close(outputs[0], {1, 3}, {f, 0, 3 * f});
    }
}

TEST_CASE("TF extension: type and list attributes map into IR attributes and constants") {
    // MyCastTranspose(x): Convert to DstT, then Transpose by perm.
    const std::string json = R"({"ops": [{
        "framework": "tf", "type": "MyCastTranspose",
        "constants": {"perm": {"type": "i64", "value": "$attr:perm"}},
        "nodes": [{"name": "cast", "type": "Convert",
                   "inputs": ["$input0"], "attributes": {"destination_type": "$attr:DstT"}},
                  {"name": "t", "type": "Transpose", "inputs": ["cast", "$const:perm"]}],
        "outputs": ["t"]}]})";
    GraphBuilder builder;
    builder.placeholder("x", {2, 3});
    auto& node = builder.node("ct", "MyCastTranspose", {"x"});
    set_type(node, "DstT", tensorflow::DT_INT32);
    set_ints(node, "perm", {1, 0});
    const auto outputs =
        run_reference(convert(builder, extensions(json)), {f32({2, 3}, {0, 1, -2, 3, 4, 5})});
    REQUIRE(outputs[0].type() == ElementType::i32);
    check_equal(outputs[0], {3, 2}, {0, 3, 1, 4, -2, 5});
}

TEST_CASE("TF extension: a mapping with constant inputs folds, for translators that need it") {
    // MyAxis(zero) = zero + 1 must be a Const for ConcatV2, whose axis has to be known.
    const std::string json = R"({"ops": [{
        "framework": "tf", "type": "MyAxis",
        "constants": {"one": {"type": "i32", "value": 1}},
        "nodes": [{"name": "add", "type": "Add", "inputs": ["$input0", "$const:one"]}],
        "outputs": ["add"]}]})";
    GraphBuilder builder;
    builder.placeholder("x", {1, 2});
    builder.constant("zero", i32({}, {0}));
    builder.node("axis", "MyAxis", {"zero"});
    builder.node("concat", "ConcatV2", {"x", "x", "axis"});
    const auto outputs = run_reference(convert(builder, extensions(json)), {f32({1, 2}, {7, 8})});
    check_close(outputs[0], {1, 4}, {7, 8, 7, 8});
}

TEST_CASE("TF extension: several outputs, read by name:index") {
    const std::string json = R"({"ops": [{
        "framework": "tf", "type": "MyHalves",
        "constants": {"axis": {"type": "i64", "value": 0}},
        "nodes": [{"name": "split", "type": "Split", "inputs": ["$input0", "$const:axis"],
                   "attributes": {"num_splits": 2}}],
        "outputs": ["split:0", "split:1"]}]})";
    GraphBuilder builder;
    builder.placeholder("x", {4});
    builder.node("halves", "MyHalves", {"x"});
    builder.node("difference", "Sub", {"halves:1", "halves:0"});
    const auto outputs =
        run_reference(convert(builder, extensions(json)), {f32({4}, {1, 2, 10, 20})});
    check_close(outputs[0], {2}, {9, 18});
}

TEST_CASE("TF extension: an unknown attribute of the TF node, an input it lacks") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 3});
    builder.node("scale1", "MyScale", {"x"});
    SUBCASE("attribute without default") {
        std::string json = k_scale;
        const std::string fallback = ", \"default\": 2.0";
        json.replace(json.find(fallback), fallback.size(), "");
        const std::string error = error_of(builder, extensions(json));
        CHECK(error.find("model.pb: ext.json: ops[0].constants.scale: node 'scale1' (MyScale): "
                         "the node has no attribute 'factor' and the constant no \"default\"") !=
              std::string::npos);
    }
    SUBCASE("input") {
        std::string json = k_scale;
        json.replace(json.find("$const:scale"), 12, "$input1");
        const std::string error = error_of(builder, extensions(json));
        CHECK(error.find("ext.json: ops[0].nodes[0].inputs[1]: node 'scale1' (MyScale): '$input1' "
                         "names input 1, but the node has 1 input(s)") != std::string::npos);
    }
}
