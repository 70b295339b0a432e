#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/ir.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

using namespace es;

TEST_CASE("IR reader builds the graph the XML describes") {
    const auto dir = testing::temp_dir("ir");
    const graph::Model model =
        ir::read_model(testing::write_tiny_ir(dir, "tiny", testing::tiny_ir_xml()));
    CHECK(model.name == "tiny");
    REQUIRE(model.nodes().size() == 5);
    REQUIRE(model.parameters().size() == 1);
    REQUIRE(model.results().size() == 1);
    const graph::Node& add = *model.find("add");
    CHECK(add.type == "Add");
    CHECK(add.inputs[0].source.node->name == "input");
    CHECK(add.inputs[1].source.node->name == "bias");
    CHECK(add.outputs[0].names == std::vector<std::string>{"add"});
    CHECK(add.outputs[0].type.shape == PartialShape{1, 3, 4, 4});
    const graph::Node& bias = *model.find("bias");
    CHECK(bias.value.to_doubles() == std::vector<double>{1.0, 2.0, 3.0});
    CHECK_FALSE(bias.attributes.has("offset"));
    CHECK(graph::output_name(model.results()[0]->inputs[0].source) == "output");
}

TEST_CASE("IR writer output reads back as the same model") {
    const auto dir = testing::temp_dir("ir");
    const graph::Model original =
        ir::read_model(testing::write_tiny_ir(dir, "tiny", testing::tiny_ir_xml()));
    ir::write_model(original, dir / "copy.xml");
    const graph::Model copy = ir::read_model(dir / "copy.xml");
    std::string difference;
    CHECK_MESSAGE(graph::models_equal(original, copy, &difference), difference);
}

TEST_CASE("IR writer keeps names with commas, rt_info and dynamic dimensions") {
    graph::Model model;
    model.name = "built";
    graph::Output input = model.add_parameter("x", ElementType::f32, PartialShape{-1, 3});
    input.node->outputs[0].names = {"x", "alias,with comma"};
    input.node->rt_info = {
        graph::RtAttribute{{{"name", "fused_names"}, {"version", "0"}, {"value", "x"}}}};
    graph::Node& relu = model.add_op("ReLU", "opset1", {input});
    model.add_result(relu.output());
    graph::infer_shapes(model);

    const auto dir = testing::temp_dir("ir");
    ir::write_model(model, dir / "built.xml");
    const graph::Model copy = ir::read_model(dir / "built.xml");
    std::string difference;
    CHECK_MESSAGE(graph::models_equal(model, copy, &difference), difference);
    CHECK(copy.parameters()[0]->outputs[0].names[1] == "alias,with comma");
    CHECK(copy.find(relu.name)->outputs[0].type.shape == PartialShape{-1, 3});
}

TEST_CASE("IR reader checks inferred shapes against the declared ones") {
    const auto dir = testing::temp_dir("ir");
    std::string xml = testing::tiny_ir_xml();
    xml = testing::replace_once(xml, R"(shape="1,3,4,4")", R"(shape="1,3,4,5")");
    try {
        ir::read_model(testing::write_tiny_ir(dir, "declared", xml));
        FAIL("expected an error");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        CHECK(std::string(error.what())
                  .find("layer 0 'input' (Parameter): output 0 has shape "
                        "[1,3,4,5] but the file declares [1,3,4,4]") != std::string::npos);
    }
}
