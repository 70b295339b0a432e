// Extension files: what a mapping holds once read, which mapping an op gets, and the error (with
// file and JSON path) for each kind of mistake.
#include "inference/core/error.h"
#include "inference/frontends/common/extension.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>

using namespace es;
using namespace es::testing;
using namespace es::frontends::extensions;

namespace {

std::string error_of(const std::string& json) {
    try {
        ExtensionSet().add(json, "ext.json");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error for " << json);
    return {};
}

// One ONNX op "MyOp" whose only node is `node` (JSON text).
std::string with_node(const std::string& node, const std::string& extra = "") {
    return R"({"ops": [{"framework": "onnx", "type": "MyOp", )" + extra + R"("nodes": [)" + node +
           R"(], "outputs": ["n"]}]})";
}

void check_error(const std::string& json, const std::string& expected) {
    const std::string error = error_of(json);
    INFO(error);
    CHECK(error.find(expected) != std::string::npos);
}

}  // namespace

TEST_CASE("Extension file: a mapping as read") {
    ExtensionSet set;
    set.add(R"({"ops": [{
        "framework": "tf", "type": "MyScale",
        "constants": {"scale": {"type": "f32", "shape": [2], "value": [1.5, 2]},
                      "k": {"type": "i64", "value": "$attr:k", "default": [[1, 2], [3, 4]]}},
        "nodes": [{"name": "mul", "type": "Multiply", "inputs": ["$input0", "$const:scale"]},
                  {"name": "clamp", "type": "Clamp", "inputs": ["mul"],
                   "attributes": {"min": -1.5, "max": {"value": "$attr:hi", "default": 6},
                                  "flags": [1, true, "x"]}}],
        "outputs": ["clamp", "mul:0"]}]})",
            "ext.json");
    const OpExtension* op = set.select(Framework::tf, "", "MyScale", false);
    REQUIRE(op != nullptr);
    CHECK(op->path == "ops[0]");
    REQUIRE(op->constants.size() == 2);
    CHECK(op->constants[0].value.literal->to_doubles() == std::vector<double>{1.5, 2});
    CHECK(op->constants[1].value.attribute == "k");
    CHECK(op->constants[1].value.fallback->shape() == Shape{2, 2});
    CHECK(op->constants[1].value.fallback->type() == ElementType::i64);
    REQUIRE(op->nodes.size() == 2);
    CHECK(op->nodes[0].version == "opset1");  // the newest Multiply
    CHECK(op->nodes[1].inputs[0].kind == ValueRef::Kind::node);
    const auto& attributes = op->nodes[1].attributes;
    REQUIRE(attributes.size() == 3);
    CHECK(*attributes[0].value.literal == "-1.5");
    CHECK(attributes[1].value.attribute == "hi");
    CHECK(*attributes[1].value.fallback == "6");
    CHECK(*attributes[2].value.literal == "1,true,x");
    CHECK(op->outputs[1].port == 0);
    CHECK(attribute_text(make_tensor<float>({3}, {0.1f, 2.0f, -3.5f})) == "0.1,2,-3.5");
}

TEST_CASE("Extension file: which mapping an op gets") {
    ExtensionSet set;
    set.add(R"({"ops": [
        {"framework": "onnx", "type": "A", "nodes": [{"name": "n", "type": "ReLU",
         "inputs": ["$input0"]}], "outputs": ["n"]},
        {"framework": "onnx", "type": "A", "domain": "com.x", "nodes": [{"name": "n",
         "type": "Abs", "inputs": ["$input0"]}], "outputs": ["n"]},
        {"framework": "onnx", "type": "Relu", "override": true, "nodes": [{"name": "n",
         "type": "Abs", "inputs": ["$input0"]}], "outputs": ["n"]}]})",
            "ext.json");
    auto selected = [&](Framework framework, std::string_view domain, std::string_view type,
                        bool has_builtin) -> std::string {
        const OpExtension* op = set.select(framework, domain, type, has_builtin);
        return op ? op->path : "none";
    };
    CHECK(selected(Framework::onnx, "", "A", false) == "ops[0]");
    CHECK(selected(Framework::onnx, "org.y", "A", false) == "ops[0]");
    CHECK(selected(Framework::onnx, "com.x", "A", false) == "ops[1]");
    CHECK(selected(Framework::onnx, "com.x", "A", true) == "none");  // the converter's own
    CHECK(selected(Framework::onnx, "", "Relu", true) == "ops[2]");
    CHECK(selected(Framework::onnx, "ai.onnx", "Relu", true) == "ops[2]");
    CHECK(selected(Framework::tf, "", "A", false) == "none");
    CHECK(selected(Framework::onnx, "", "B", false) == "none");
}

TEST_CASE("Extension file: malformed JSON and a wrong structure") {
    check_error(R"({"ops": [)", "ext.json: not valid JSON: parse error at line 1, column 10");
    check_error(R"({"ops": 1e99999})",
                "ext.json: not valid JSON: number overflow parsing '1e99999'");
    check_error("[]", "ext.json: the file must hold a JSON object");
    check_error(R"({"ops": {}})", "ext.json: ops: expected a non-empty list");
    check_error(R"({"ops": [{"framework": "onnx", "type": "MyOp", "nodez": []}]})",
                "ext.json: ops[0].nodez: unknown key (expected one of \"framework\"");
    check_error(R"({"ops": [{"framework": "caffe", "type": "X", "nodes": [], "outputs": []}]})",
                "ext.json: ops[0].framework: 'caffe': expected \"onnx\" or \"tf\"");
    check_error(R"({"ops": [{"framework": "tf", "domain": "x", "type": "X", "nodes": [],
                  "outputs": []}]})",
                "ext.json: ops[0].domain: a domain applies to ONNX ops only");
    check_error(R"({"ops": [{"framework": "onnx", "type": "X", "nodes": []}]})",
                "ext.json: ops[0]: \"outputs\" is missing");
}

TEST_CASE("Extension file: unknown IR ops and versions") {
    check_error(with_node(R"({"name": "n", "type": "Hswish", "inputs": ["$input0"]})"),
                "ext.json: ops[0].nodes[0].type: unknown IR op 'Hswish' (did you mean HSwish?)");
    check_error(with_node(R"({"name": "n", "type": "Convolutoin", "inputs": []})"),
                "unknown IR op 'Convolutoin' (did you mean Convolution?)");
    CHECK(error_of(with_node(R"({"name": "n", "type": "NoSuchThingAtAll", "inputs": []})"))
              .ends_with("ops[0].nodes[0].type: unknown IR op 'NoSuchThingAtAll'"));
    check_error(
        with_node(R"({"name": "n", "type": "HSwish", "version": "opset1", "inputs": ["$input0"]})"),
        "ext.json: ops[0].nodes[0].version: unknown version 'opset1' of HSwish (expected opset4 "
        "or later)");
    check_error(with_node(R"({"name": "n", "type": "Const", "inputs": []})"),
                "ops[0].nodes[0].type: Const cannot be a mapped node");
}

TEST_CASE("Extension file: input counts and references") {
    check_error(with_node(R"({"name": "n", "type": "Multiply", "inputs": ["$input0"]})"),
                "ext.json: ops[0].nodes[0].inputs: Multiply takes 2 input(s), found 1");
    check_error(with_node(R"({"name": "n", "type": "Clamp"})"),
                "ext.json: ops[0].nodes[0]: Clamp takes 1 input(s), found 0");
    check_error(with_node(R"({"name": "n", "type": "ReLU", "inputs": ["$inptu0"]})"),
                "ext.json: ops[0].nodes[0].inputs[0]: '$inptu0': expected $inputN, $const:NAME "
                "or NODE:PORT");
    check_error(with_node(R"({"name": "n", "type": "ReLU", "inputs": ["$const:c"]})"),
                "ops[0].nodes[0].inputs[0]: '$const:c': no constant 'c' in \"constants\"");
    check_error(with_node(R"({"name": "n", "type": "ReLU", "inputs": ["m:0"]})"),
                "ops[0].nodes[0].inputs[0]: 'm:0': no node named 'm' in \"nodes\"");
    check_error(with_node(R"({"name": "n", "type": "ReLU", "inputs": ["n"]})"),
                "ops[0].nodes[0].inputs[0]: 'n': node 'n' is not listed before this use");
    check_error(with_node(R"({"name": "n", "type": "ReLU", "inputs": ["$input0"]},
                             {"name": "n", "type": "ReLU", "inputs": ["n"]})"),
                "ops[0].nodes[1].name: 'n' names an earlier node too");
    check_error(R"({"ops": [{"framework": "onnx", "type": "MyOp", "nodes": [{"name": "n",
                  "type": "ReLU", "inputs": ["$input0"]}], "outputs": ["n", "t:0"]}]})",
                "ext.json: ops[0].outputs[1]: 't:0': no node named 't' in \"nodes\"");
    check_error(R"({"ops": [{"framework": "onnx", "type": "MyOp", "nodes": [{"name": "n",
                  "type": "ReLU", "inputs": ["$input0"]}], "outputs": ["n:x"]}]})",
                "ops[0].outputs[0]: 'n:x': expected NODE:PORT with a port number");
}

TEST_CASE("Extension file: constants and attributes") {
    const std::string node = R"({"name": "n", "type": "ReLU", "inputs": ["$input0"]})";
    check_error(with_node(node, R"("constants": {"c": {"shape": [2, 2], "value": [1, 2, 3]}}, )"),
                "ext.json: ops[0].constants.c.value: 3 values do not fill shape [2,2]");
    check_error(with_node(node, R"("constants": {"c": {"type": "f33", "value": 1}}, )"),
                "ext.json: ops[0].constants.c.type: unknown element type 'f33'");
    check_error(with_node(node, R"("constants": {"c": {"value": [[1, 2], [3]]}}, )"),
                "ext.json: ops[0].constants.c.value: the nested lists are not rectangular");
    check_error(with_node(node, R"("constants": {"c": {"value": 1, "default": 2}}, )"),
                "ops[0].constants.c.default: a default applies to \"$attr:NAME\" values only");
    check_error(with_node(node, R"("constants": {"c": {"value": "two"}}, )"),
                "ops[0].constants.c.value: expected a number, a list of numbers or \"$attr:NAME\"");
    check_error(with_node(R"({"name": "n", "type": "Elu", "inputs": ["$input0"],
                      "attributes": {"alpha": {"default": 1}}})"),
                "ext.json: ops[0].nodes[0].attributes.alpha: \"value\" is missing");
    check_error(with_node(R"({"name": "n", "type": "Elu", "inputs": ["$input0"],
                              "attributes": {"alpha": null}})"),
                "ops[0].nodes[0].attributes.alpha: expected text, a number, a boolean or a list");
}

TEST_CASE("Extension file: files, and an op mapped twice") {
    const auto dir = temp_dir("extensions");
    const std::string mapping =
        with_node(R"({"name": "n", "type": "ReLU", "inputs": ["$input0"]})");
    std::ofstream(dir / "a.json") << mapping;
    std::ofstream(dir / "b.json") << mapping;
    CHECK_FALSE(ExtensionSet::load({dir / "a.json"}).empty());
    try {
        ExtensionSet::load({dir / "a.json", dir / "b.json"});
        FAIL("no error");
    } catch (const Error& error) {
        CHECK(std::string(error.what()) ==
              fmt::format("{}: ops[0]: ONNX op 'MyOp' is already mapped by {}: ops[0]",
                          (dir / "b.json").string(), (dir / "a.json").string()));
    }
    CHECK_THROWS_WITH_AS(ExtensionSet::load({dir / "missing.json"}),
                         doctest::Contains("missing.json: cannot open the extension file"), Error);
}
