// ONNX models with ops the converter lacks, converted with extension mappings and run on REF;
// values worked out by hand.
#include "inference/frontends/common/extension.h"
#include "tests/conformance/onnx_test_model.h"
#include "tests/support/op_testing.h"

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

std::string error_of(const OnnxModel& model, const ExtensionSet& set = {}) {
    try {
        model.convert(set);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error");
    return {};
}

// x [1,5] -> com.example::MyHardSwish -> y
OnnxModel hard_swish_model() {
    OnnxModel model(13);
    model.input("x", ElementType::f32, {1, 5});
    model.node("MyHardSwish", {"x"}, {"y"}).set_domain("com.example");
    model.output("y");
    return model;
}

const char* k_hard_swish = R"({"ops": [{
    "framework": "onnx", "type": "MyHardSwish", "domain": "com.example",
    "nodes": [{"name": "t", "type": "HSwish", "version": "opset4", "inputs": ["$input0"]}],
    "outputs": ["t:0"]}]})";

// x [1,4] -> MyClip(lo, hi attributes as given) -> y
OnnxModel clip_model(std::optional<float> lo, std::optional<float> hi) {
    OnnxModel model(13);
    model.input("x", ElementType::f32, {1, 4});
    auto& node = model.node("MyClip", {"x"}, {"y"});
    if (lo) set_float(node, "lo", *lo);
    if (hi) set_float(node, "hi", *hi);
    model.output("y");
    return model;
}

const char* k_clip = R"({"ops": [{
    "framework": "onnx", "type": "MyClip",
    "nodes": [{"name": "clamp", "type": "Clamp", "inputs": ["$input0"],
               "attributes": {"min": "$attr:lo", "max": {"value": "$attr:hi", "default": 6}}}],
    "outputs": ["clamp"]}]})";

}  // namespace

TEST_CASE("ONNX extension: a custom-domain op becomes HSwish") {
    const auto model = hard_swish_model();
    const std::string error = error_of(model);
    CHECK(error.find("1 unsupported op type(s)") != std::string::npos);
    CHECK(error.find("com.example::MyHardSwish: 1 (first: MyHardSwish1)") != std::string::npos);

    const auto outputs = model.run({f32({1, 5}, {-4, -1, 0, 1, 4})}, {}, extensions(k_hard_swish));
    // x * min(max(x + 3, 0), 6) / 6
    check_close(outputs[0], {1, 5}, {0, -1.0f / 3, 0, 2.0f / 3, 4});
}

TEST_CASE("ONNX extension: the first mapped op keeps the ONNX node's name") {
    const auto converted = hard_swish_model().convert(extensions(k_hard_swish));
    const graph::Node* node = converted.find("MyHardSwish1");
    REQUIRE(node != nullptr);
    CHECK(node->type == "HSwish");
    CHECK(node->version == "opset4");
}

TEST_CASE("ONNX extension: a domain in the mapping must match the node's") {
    auto model = hard_swish_model();
    const std::string json = R"({"ops": [{"framework": "onnx", "type": "MyHardSwish",
        "domain": "org.other", "nodes": [{"name": "t", "type": "HSwish", "inputs": ["$input0"]}],
        "outputs": ["t"]}]})";
    CHECK(error_of(model, extensions(json)).find("com.example::MyHardSwish") != std::string::npos);
}

TEST_CASE("ONNX extension: framework attributes become IR attributes, with defaults") {
    const auto set = extensions(k_clip);
    const Tensor input = f32({1, 4}, {-3, -0.5f, 2, 9});
    check_close(clip_model(-1.0f, 1.5f).run({input}, {}, set)[0], {1, 4}, {-1, -0.5f, 1.5f, 1.5f});
    check_close(clip_model(0.0f, std::nullopt).run({input}, {}, set)[0], {1, 4}, {0, 0, 2, 6});

    const std::string error = error_of(clip_model(std::nullopt, 2.0f), set);
    CHECK(error.find("ext.json: ops[0].nodes[0].attributes.min") != std::string::npos);
    CHECK(error.find("node 'MyClip1' (MyClip)") != std::string::npos);
    CHECK(error.find("no attribute 'lo'") != std::string::npos);
}

TEST_CASE("ONNX extension: constants from literals and attributes feed a subgraph") {
    // leaky(x) = max(x, alpha * x) + bias
    const std::string json = R"({"ops": [{
        "framework": "onnx", "type": "MyLeaky",
        "constants": {"alpha": {"type": "f32", "value": "$attr:alpha", "default": 0.25},
                      "bias": {"type": "f32", "shape": [1, 3], "value": [10, 20, 30]}},
        "nodes": [{"name": "scaled", "type": "Multiply", "inputs": ["$input0", "$const:alpha"]},
                  {"name": "max", "type": "Maximum", "inputs": ["$input0", "scaled"]},
                  {"name": "sum", "type": "Add", "inputs": ["max:0", "$const:bias"]}],
        "outputs": ["sum:0"]}]})";
    const auto set = extensions(json);
    for (const std::optional<float> alpha : {std::optional<float>(0.5f), std::optional<float>()}) {
        OnnxModel model(13);
        model.input("x", ElementType::f32, {1, 3});
        auto& node = model.node("MyLeaky", {"x"}, {"y"});
        if (alpha) set_float(node, "alpha", *alpha);
        model.output("y");
        const float slope = alpha.value_or(0.25f);
        check_close(model.run({f32({1, 3}, {-4, 0, 2})}, {}, set)[0], {1, 3},
                    {10 - 4 * slope, 20, 32});
    }
}

TEST_CASE("ONNX extension: several outputs, and an attribute list as a constant") {
    // MySplit(x) -> the second half along `axis`, and the first half transposed by `perm`.
    const std::string json = R"({"ops": [{
        "framework": "onnx", "type": "MySplit",
        "constants": {"axis": {"type": "i64", "value": "$attr:axis"},
                      "perm": {"type": "i64", "value": "$attr:perm"}},
        "nodes": [{"name": "split", "type": "Split", "version": "opset1",
                   "inputs": ["$input0", "$const:axis"], "attributes": {"num_splits": 2}},
                  {"name": "t", "type": "Transpose", "inputs": ["split:0", "$const:perm"]}],
        "outputs": ["split:1", "t"]}]})";
    OnnxModel model(13);
    model.input("x", ElementType::f32, {2, 4});
    auto& node = model.node("MySplit", {"x"}, {"a", "b"});
    set_int(node, "axis", 1);
    set_ints(node, "perm", {1, 0});
    model.output("a").output("b");
    const auto outputs = model.run({iota_f32({2, 4})}, {}, extensions(json));
    REQUIRE(outputs.size() == 2);
    check_close(outputs[0], {2, 2}, {2, 3, 6, 7});
    check_close(outputs[1], {2, 2}, {0, 4, 1, 5});
}

TEST_CASE("ONNX extension: a built-in op is mapped only with override") {
    const std::string json = R"({"ops": [{
        "framework": "onnx", "type": "Relu", "override": OVERRIDE,
        "nodes": [{"name": "abs", "type": "Abs", "inputs": ["$input0"]}],
        "outputs": ["abs"]}]})";
    OnnxModel model(13);
    model.input("x", ElementType::f32, {1, 3});
    model.node("Relu", {"x"}, {"y"});
    model.output("y");
    const Tensor input = f32({1, 3}, {-2, 0, 3});
    auto with = [&](const std::string& flag) {
        std::string text = json;
        text.replace(text.find("OVERRIDE"), 8, flag);
        return model.run({input}, {}, extensions(text))[0];
    };
    check_close(with("false"), {1, 3}, {0, 0, 3});
    check_close(with("true"), {1, 3}, {2, 0, 3});
}

TEST_CASE("ONNX extension: errors applying a mapping name the file, JSON path and node") {
    SUBCASE("an input the node does not have") {
        const std::string json = R"({"ops": [{"framework": "onnx", "type": "MyHardSwish",
            "nodes": [{"name": "add", "type": "Add", "inputs": ["$input0", "$input1"]}],
            "outputs": ["add"]}]})";
        const std::string error = error_of(hard_swish_model(), extensions(json));
        CHECK(error.find("model.onnx: ext.json: ops[0].nodes[0].inputs[1]: node 'MyHardSwish1' "
                         "(MyHardSwish): '$input1' names input 1, but the node has 1 input(s)") !=
              std::string::npos);
    }
    SUBCASE("shapes the IR op rejects") {
        const std::string json = R"({"ops": [{"framework": "onnx", "type": "MyHardSwish",
            "constants": {"c": {"value": [1, 2, 3, 4]}},
            "nodes": [{"name": "mul", "type": "Multiply", "inputs": ["$input0", "$const:c"]}],
            "outputs": ["mul"]}]})";
        const std::string error = error_of(hard_swish_model(), extensions(json));
        CHECK(error.find("ext.json: ops[0].nodes[0] (Multiply): node 'MyHardSwish1' "
                         "(MyHardSwish)") != std::string::npos);
        CHECK(error.find("[1,5]") != std::string::npos);
    }
    SUBCASE("an output port the IR op does not have") {
        const std::string json = R"({"ops": [{"framework": "onnx", "type": "MyHardSwish",
            "nodes": [{"name": "t", "type": "HSwish", "inputs": ["$input0"]}],
            "outputs": ["t:1"]}]})";
        const std::string error = error_of(hard_swish_model(), extensions(json));
        CHECK(error.find("ext.json: ops[0].outputs[0]: node 'MyHardSwish1' (MyHardSwish): 't:1': "
                         "node 't' (HSwish) has 1 output(s)") != std::string::npos);
    }
    SUBCASE("fewer outputs than the node has") {
        OnnxModel model(13);
        model.input("x", ElementType::f32, {1, 5});
        model.node("MyHardSwish", {"x"}, {"y", "z"}).set_domain("com.example");
        model.output("y");
        const std::string error = error_of(model, extensions(k_hard_swish));
        CHECK(error.find("ext.json: ops[0].outputs: node 'MyHardSwish1' (MyHardSwish): the node "
                         "has 2 outputs, the mapping gives 1") != std::string::npos);
    }
    SUBCASE("an attribute that holds text where a constant needs numbers") {
        const std::string json = R"({"ops": [{"framework": "onnx", "type": "MyHardSwish",
            "constants": {"c": {"value": "$attr:mode"}},
            "nodes": [{"name": "mul", "type": "Multiply", "inputs": ["$input0", "$const:c"]}],
            "outputs": ["mul"]}]})";
        OnnxModel model(13);
        model.input("x", ElementType::f32, {1, 5});
        set_string(model.node("MyHardSwish", {"x"}, {"y"}), "mode", "fast");
        model.output("y");
        const std::string error = error_of(model, extensions(json));
        CHECK(error.find("ext.json: ops[0].constants.c: node 'MyHardSwish1' (MyHardSwish): "
                         "attribute 'mode' is text ('fast'), not numbers") != std::string::npos);
    }
}
