#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

#include <fstream>
#include <vector>

using namespace es::testing;

namespace {

// Runs `edgesight inspect` on a corrupted copy of the tiny IR; returns the result.
CommandResult inspect(const std::string& name, const std::string& xml, size_t bin_bytes = 12) {
    const auto dir = temp_dir("bad-model");
    const auto path = write_tiny_ir(dir, name, xml, bin_bytes);
    return run_command(edgesight_binary().string() + " inspect " + path.string());
}

void check_rejected(const CommandResult& result, const std::vector<std::string>& fragments) {
    INFO(result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("error: ") != std::string::npos);
    for (const auto& fragment : fragments)
        CHECK(result.output.find(fragment) != std::string::npos);
}

const std::string k_xml = tiny_ir_xml();

}  // namespace

TEST_CASE("bad model: the intact tiny model is accepted") {
    const auto result = inspect("ok", k_xml);
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("Add-opset1") != std::string::npos);
}

TEST_CASE("bad model: missing .bin") {
    const auto dir = temp_dir("bad-model");
    const auto path = write_tiny_ir(dir, "nobin", k_xml);
    std::filesystem::remove(dir / "nobin.bin");
    const auto result = run_command(edgesight_binary().string() + " inspect " + path.string());
    check_rejected(result, {"nobin.xml", "nobin.bin is missing"});
}

TEST_CASE("bad model: truncated .bin") {
    check_rejected(inspect("truncated", k_xml, 8),
                   {"truncated.xml", "layer 1 'bias' (Const)", "beyond the end", "(8 bytes)"});
}

TEST_CASE("bad model: offset out of range") {
    check_rejected(inspect("offset", replace_once(k_xml, R"(offset="0")", R"(offset="4096")")),
                   {"offset.xml", "layer 1 'bias' (Const)", "offset 4096", "beyond the end"});
    check_rejected(inspect("negative", replace_once(k_xml, R"(offset="0")", R"(offset="-4")")),
                   {"negative.xml", "layer 1 'bias' (Const)", "negative offset"});
}

TEST_CASE("bad model: size does not match shape times element size") {
    check_rejected(inspect("size", replace_once(k_xml, R"(size="12")", R"(size="8")")),
                   {"size.xml", "layer 1 'bias' (Const)",
                    "size 8 does not match shape [1,3,1,1] of f32 (12 bytes)"});
}

TEST_CASE("bad model: unknown layer types are listed at once with counts") {
    std::string xml = replace_once(k_xml, R"(type="ReLU")", R"(type="FancyOp")");
    xml = replace_once(xml, R"(type="Add")", R"(type="FancyOp")");
    check_rejected(inspect("unknown", xml), {"unknown.xml", "1 unsupported op type(s)",
                                             "FancyOp-opset1: 2 (e.g. add, relu)"});
}

TEST_CASE("bad model: unknown opset version") {
    check_rejected(inspect("version", replace_once(k_xml, R"(type="ReLU" version="opset1")",
                                                   R"(type="ReLU" version="opset99x")")),
                   {"version.xml", "ReLU-opset99x: 1 (e.g. relu)"});
}

TEST_CASE("bad model: a port with no producer") {
    check_rejected(
        inspect("missing-edge",
                replace_once(
                    k_xml, R"(<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>)", "")),
        {"missing-edge.xml", "layer 2 'add' (Add)", "input port 1 has no incoming edge"});
}

TEST_CASE("bad model: duplicate edges") {
    check_rejected(
        inspect(
            "duplicate-edge",
            replace_once(k_xml, R"(<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>)",
                         R"(<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="1"/>)")),
        {"duplicate-edge.xml", "layer 2 'add' (Add)",
         "input port 1 has more than one incoming edge"});
}

TEST_CASE("bad model: edges to ports or layers that do not exist") {
    check_rejected(inspect("bad-port", replace_once(k_xml, R"(to-layer="3" to-port="0")",
                                                    R"(to-layer="3" to-port="7")")),
                   {"bad-port.xml", "layer 3 'relu' (ReLU)", "port 7, which is not an input port"});
    check_rejected(inspect("bad-layer", replace_once(k_xml, R"(to-layer="3" to-port="0")",
                                                     R"(to-layer="30" to-port="0")")),
                   {"bad-layer.xml", "ends at a layer that does not exist"});
}

TEST_CASE("bad model: a cycle") {
    // relu feeds add's second input instead of the bias: add -> relu -> add
    std::string xml =
        replace_once(k_xml, R"(<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>)",
                     R"(<edge from-layer="3" from-port="1" to-layer="2" to-port="1"/>)");
    xml = replace_once(
        xml,
        R"(<port id="1" precision="FP32"><dim>1</dim><dim>3</dim><dim>1</dim><dim>1</dim></port>)",
        R"(<port id="1" precision="FP32"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>)");
    check_rejected(inspect("cycle", xml), {"cycle.xml", "is part of a cycle"});
}

TEST_CASE("bad model: wrong rank for an op") {
    // a 1-D bias cannot broadcast against [1,3,4,4] along the channel axis of size 3 vs 4
    std::string xml = replace_once(k_xml, R"(shape="1, 3, 1, 1" offset="0" size="12")",
                                   R"(shape="3" offset="0" size="12")");
    xml = replace_once(xml, R"(<port id="0" precision="FP32">
					<dim>1</dim><dim>3</dim><dim>1</dim><dim>1</dim>)",
                       R"(<port id="0" precision="FP32">
					<dim>3</dim>)");
    xml = replace_once(
        xml,
        R"(<port id="1" precision="FP32"><dim>1</dim><dim>3</dim><dim>1</dim><dim>1</dim></port>)",
        R"(<port id="1" precision="FP32"><dim>3</dim></port>)");
    check_rejected(inspect("rank", xml), {"rank.xml", "layer 2 'add' (Add)", "do not broadcast"});
}

TEST_CASE("bad model: shapes that overflow") {
    std::string xml = replace_once(k_xml, R"(shape="1, 3, 1, 1" offset="0")",
                                   R"(shape="4000000000, 4000000000, 4000000000, 1" offset="0")");
    check_rejected(inspect("overflow", xml),
                   {"overflow.xml", "layer 1 'bias' (Const)", "too many elements"});
}

TEST_CASE("bad model: malformed XML and wrong IR version") {
    check_rejected(inspect("malformed", k_xml.substr(0, k_xml.size() / 2)),
                   {"malformed.xml", "malformed XML"});
    check_rejected(inspect("v7", replace_once(k_xml, R"(version="11")", R"(version="7")")),
                   {"v7.xml", "IR version 7 is not supported"});
    check_rejected(inspect("attribute", replace_once(k_xml, R"(element_type="f32"/>)",
                                                     R"(element_type="f33"/>)")),
                   {"attribute.xml", "layer 0 'input' (Parameter)", "unknown element type 'f33'"});
}

TEST_CASE("bad model: a missing model file") {
    const auto result =
        run_command(edgesight_binary().string() + " inspect /nonexistent/model.xml");
    check_rejected(result, {"/nonexistent/model.xml", "no such file"});
}
