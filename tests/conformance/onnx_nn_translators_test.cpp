// The ONNX NN translators (Conv … Resize) on cases the conformance suite does not reach: older
// opsets, dynamic weights, the decompositions, and bad attributes. Each model is one node built
// here, converted and run on REF against hand-computed outputs.
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/runtime/core.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <fstream>

using namespace es;
using namespace es::testing;

namespace {

void fill(onnx::TensorProto& proto, const Tensor& value) {
    REQUIRE((value.type() == ElementType::f32 || value.type() == ElementType::i64));
    proto.set_data_type(value.type() == ElementType::f32 ? onnx::TensorProto::FLOAT
                                                         : onnx::TensorProto::INT64);
    for (int64_t dim : value.shape())
        proto.add_dims(dim);
    proto.set_raw_data(
        std::string(reinterpret_cast<const char*>(value.bytes()), value.byte_size()));
}

// One node `op` with f32 graph inputs (-1 dimensions unknown) and initializers, output "y".
class NodeModel {
  public:
    NodeModel(int64_t opset, const std::string& op) {
        m_proto.set_ir_version(8);
        auto* import = m_proto.add_opset_import();
        import->set_version(opset);
        m_node = m_proto.mutable_graph()->add_node();
        m_node->set_op_type(op);
        m_node->set_name("node");
        m_node->add_output("y");
        m_proto.mutable_graph()->add_output()->set_name("y");
    }

    NodeModel& input(const std::string& name, std::vector<int64_t> shape) {
        auto* input = m_proto.mutable_graph()->add_input();
        input->set_name(name);
        auto* type = input->mutable_type()->mutable_tensor_type();
        type->set_elem_type(onnx::TensorProto::FLOAT);
        auto* dims = type->mutable_shape();
        for (int64_t dim : shape) {
            auto* entry = dims->add_dim();
            if (dim >= 0)
                entry->set_dim_value(dim);
            else
                entry->set_dim_param("d" + std::to_string(dims->dim_size()));
        }
        m_node->add_input(name);
        return *this;
    }
    NodeModel& constant(const std::string& name, const Tensor& value) {
        auto* initializer = m_proto.mutable_graph()->add_initializer();
        initializer->set_name(name);
        fill(*initializer, value);
        m_node->add_input(name);
        return *this;
    }
    NodeModel& absent() {
        m_node->add_input("");
        return *this;
    }
    NodeModel& ints(const std::string& name, const std::vector<int64_t>& values) {
        auto* attribute = add(name, onnx::AttributeProto::INTS);
        for (int64_t value : values)
            attribute->add_ints(value);
        return *this;
    }
    NodeModel& integer(const std::string& name, int64_t value) {
        add(name, onnx::AttributeProto::INT)->set_i(value);
        return *this;
    }
    NodeModel& real(const std::string& name, float value) {
        add(name, onnx::AttributeProto::FLOAT)->set_f(value);
        return *this;
    }
    NodeModel& floats(const std::string& name, const std::vector<float>& values) {
        auto* attribute = add(name, onnx::AttributeProto::FLOATS);
        for (float value : values)
            attribute->add_floats(value);
        return *this;
    }
    // A further output of the node (the first is "y").
    NodeModel& output(const std::string& name) {
        m_node->add_output(name);
        m_proto.mutable_graph()->add_output()->set_name(name);
        return *this;
    }
    NodeModel& text(const std::string& name, const std::string& value) {
        add(name, onnx::AttributeProto::STRING)->set_s(value);
        return *this;
    }

    graph::Model convert() const {
        const auto path = temp_dir("onnx-nn") / "model.onnx";
        std::ofstream file(path, std::ios::binary);
        m_proto.SerializeToOstream(&file);
        file.close();
        return frontends::read_onnx(path);
    }

    std::vector<Tensor> run_all(const std::vector<Tensor>& inputs) const {
        auto model = std::make_shared<graph::Model>(convert());
        static const runtime::Core core(devices::make_registry());
        const auto compiled = core.compile(model, "REF");
        auto request = compiled.create_infer_request();
        for (size_t i = 0; i < inputs.size(); ++i)
            request.set_input(i, inputs[i]);
        request.infer();
        std::vector<Tensor> outputs;
        for (size_t i = 0; i < compiled.outputs().size(); ++i)
            outputs.push_back(request.output(i));
        return outputs;
    }
    Tensor run(const std::vector<Tensor>& inputs) const { return run_all(inputs)[0]; }

  private:
    onnx::AttributeProto* add(const std::string& name, onnx::AttributeProto::AttributeType type) {
        auto* attribute = m_node->add_attribute();
        attribute->set_name(name);
        attribute->set_type(type);
        return attribute;
    }

    onnx::ModelProto m_proto;
    onnx::NodeProto* m_node = nullptr;
};

bool has_op(const graph::Model& model, const std::string& type) {
    for (const auto& node : model.nodes())
        if (node->type == type) return true;
    return false;
}

}  // namespace

TEST_CASE("Conv with dynamic weights and groups splits the weights at run time") {
    NodeModel model(13, "Conv");
    model.input("x", {1, 2, 2, 2}).input("w", {-1, -1, -1, -1}).integer("group", 2);
    auto y = model.run({iota_f32({1, 2, 2, 2}), f32({2, 1, 1, 1}, {2, 3})});
    check_close(y, {1, 2, 2, 2}, {0, 2, 4, 6, 12, 15, 18, 21});
}

TEST_CASE("Conv rejects pads of the wrong length and groups that do not divide the weights") {
    NodeModel pads(13, "Conv");
    pads.input("x", {1, 1, 3, 3}).constant("w", iota_f32({1, 1, 2, 2})).ints("pads", {1, 1});
    CHECK_THROWS_AS(pads.convert(), es::Error);
    NodeModel groups(13, "Conv");
    groups.input("x", {1, 2, 3, 3}).constant("w", iota_f32({3, 1, 2, 2})).integer("group", 2);
    CHECK_THROWS_AS(groups.convert(), es::Error);
}

TEST_CASE("ConvTranspose output_shape larger than the full result pads with zeros at the end") {
    // in 2, kernel 2, stride 1: full output 3; output_shape 4 adds a zero.
    NodeModel model(13, "ConvTranspose");
    model.input("x", {1, 1, 2}).constant("w", f32({1, 1, 2}, {1, 10})).ints("output_shape", {4});
    check_close(model.run({f32({1, 1, 2}, {1, 2})}), {1, 1, 4}, {1, 12, 20, 0});
}

TEST_CASE("ConvTranspose SAME_LOWER puts the odd padding at the beginning") {
    // in 2, kernel 2, stride 2: full 4, target 4 -> no padding; kernel 3: full 5, total 1.
    NodeModel model(13, "ConvTranspose");
    model.input("x", {1, 1, 2})
        .constant("w", f32({1, 1, 3}, {1, 10, 100}))
        .ints("strides", {2})
        .text("auto_pad", "SAME_LOWER");
    // full: [1, 10, 100 + 2, 20, 200]; SAME_LOWER drops the first element.
    check_close(model.run({f32({1, 1, 2}, {1, 2})}), {1, 1, 4}, {10, 102, 20, 200});
}

TEST_CASE("AveragePool count_include_pad with a ceil window past the end padding") {
    // Windows start at -1, 1, 3 over [1, 2, 3, 4] padded by one each side; the last one reads
    // 4 and the end pad, and its third tap lies beyond both: ONNX divides by 2.
    NodeModel model(19, "AveragePool");
    model.input("x", {1, 1, 4})
        .ints("kernel_shape", {3})
        .ints("strides", {2})
        .ints("pads", {1, 1})
        .integer("ceil_mode", 1)
        .integer("count_include_pad", 1);
    check_close(model.run({f32({1, 1, 4}, {1, 2, 3, 4})}), {1, 1, 3}, {1, 3, 2});
}

TEST_CASE("AveragePool with dilations excludes the padding from the count") {
    NodeModel model(19, "AveragePool");
    model.input("x", {1, 1, 5})
        .ints("kernel_shape", {2})
        .ints("dilations", {2})
        .ints("pads", {1, 1});
    // Windows read (-1, 1), (0, 2), (1, 3), (2, 4), (3, 5).
    check_close(model.run({f32({1, 1, 5}, {1, 2, 3, 4, 5})}), {1, 1, 5}, {2, 2, 3, 4, 4});
}

TEST_CASE("MaxPool storage_order 1 numbers the indices column by column") {
    // Channel 0 is [[1, 5, 2], [6, 3, 4]], channel 1 the same plus 10. The 2x2 windows pick
    // (1, 0) and (0, 1): row-major offsets 3 and 1, column-major 1 and 2, plus 6 per plane.
    const Tensor x = f32({1, 2, 2, 3}, {1, 5, 2, 6, 3, 4, 11, 15, 12, 16, 13, 14});
    for (int64_t order : {0, 1}) {
        NodeModel model(12, "MaxPool");
        model.input("x", {1, 2, 2, 3})
            .ints("kernel_shape", {2, 2})
            .integer("storage_order", order)
            .output("indices");
        const auto outputs = model.run_all({x});
        check_close(outputs[0], {1, 2, 1, 2}, {6, 5, 16, 15});
        if (order == 0)
            check_equal(outputs[1], {1, 2, 1, 2}, {3, 1, 9, 7});
        else
            check_equal(outputs[1], {1, 2, 1, 2}, {1, 2, 7, 8});
    }
}

TEST_CASE("BatchNormalization-7 and -9 run in inference mode") {
    for (int64_t opset : {7, 9}) {
        NodeModel model(opset, "BatchNormalization");
        model.input("x", {1, 2, 1, 2})
            .constant("scale", f32({2}, {1, 2}))
            .constant("bias", f32({2}, {0, 1}))
            .constant("mean", f32({2}, {1, 0}))
            .constant("var", f32({2}, {4, 1}))
            .real("epsilon", 0.0f);
        check_close(model.run({f32({1, 2, 1, 2}, {1, 3, 1, -1})}), {1, 2, 1, 2}, {0, 1, 3, -1});
    }
}

TEST_CASE("Gemm-6 with transB and a broadcast bias row") {
    NodeModel model(6, "Gemm");
    model.input("a", {2, 2})
        .constant("b", f32({1, 2}, {1, 1}))
        .constant("c", f32({1}, {10}))
        .integer("transB", 1)
        .integer("broadcast", 1)
        .real("alpha", 2.0f);
    // A · Bᵀ sums each row: 3 and 7, times 2, plus 10.
    check_close(model.run({f32({2, 2}, {1, 2, 3, 4})}), {2, 1}, {16, 24});
}

TEST_CASE("GridSample-16 spells the modes bilinear and bicubic") {
    NodeModel model(16, "GridSample");
    model.input("x", {1, 1, 2, 2}).input("grid", {1, 1, 1, 2}).text("mode", "bilinear");
    check_close(model.run({f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 1, 2}, {0, 0})}),
                {1, 1, 1, 1}, {2.5f});
}

TEST_CASE("Resize-10 nearest is asymmetric and rounds down") {
    NodeModel model(10, "Resize");
    model.input("x", {1, 1, 2, 2}).constant("scales", f32({4}, {1, 1, 2, 3}));
    check_close(model.run({f32({1, 1, 2, 2}, {1, 2, 3, 4})}), {1, 1, 4, 6},
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST_CASE("Resize-11 takes sizes after an empty roi and scales") {
    NodeModel model(11, "Resize");
    model.input("x", {1, 1, 1, 2})
        .constant("roi", Tensor(ElementType::f32, {0}))
        .constant("scales", Tensor(ElementType::f32, {0}))
        .constant("sizes", i64({4}, {1, 1, 1, 4}))
        .text("mode", "linear");
    // half_pixel: x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped into [0, 1].
    check_close(model.run({f32({1, 1, 1, 2}, {0, 1})}), {1, 1, 1, 4}, {0, 0.25f, 0.75f, 1});
}

TEST_CASE("Resize-18 linear antialias replicates the edges as ONNX does") {
    // scale 0.5 on [0, 1, 2, 3]: centres 0.5 and 2.5, triangle of half-width 2; the taps
    // outside fold onto the edge: weights [.5, .375, .125, 0] and [0, .125, .375, .5].
    NodeModel model(18, "Resize");
    model.input("x", {1, 1, 1, 4})
        .absent()
        .constant("scales", f32({4}, {1, 1, 1, 0.5f}))
        .text("mode", "linear")
        .integer("antialias", 1);
    check_close(model.run({f32({1, 1, 1, 4}, {0, 1, 2, 3})}), {1, 1, 1, 2}, {0.625f, 2.375f});
    CHECK(!has_op(model.convert(), "Interpolate"));
}

TEST_CASE("Resize-19 nearest half_pixel_symmetric keeps the sampled span centred") {
    // in 4, scale 0.6: out 2, offset 2 · (1 - 2 / 2.4) = 1/3, so x = 1/3 + (o + 0.5) / 0.6 - 0.5
    // = 2/3 and 7/3, rounded to 1 and 2 (half_pixel would read 0 and 2).
    NodeModel model(19, "Resize");
    model.input("x", {1, 1, 1, 4})
        .absent()
        .constant("scales", f32({4}, {1, 1, 1, 0.6f}))
        .text("coordinate_transformation_mode", "half_pixel_symmetric");
    check_close(model.run({f32({1, 1, 1, 4}, {0, 1, 2, 3})}), {1, 1, 1, 2}, {1, 2});
}

TEST_CASE("Resize align_corners uses Interpolate when in · scale is whole") {
    NodeModel model(13, "Resize");
    model.input("x", {1, 1, 1, 2})
        .absent()
        .constant("scales", f32({4}, {1, 1, 1, 2}))
        .text("mode", "linear")
        .text("coordinate_transformation_mode", "align_corners");
    CHECK(has_op(model.convert(), "Interpolate"));
    check_close(model.run({f32({1, 1, 1, 2}, {0, 3})}), {1, 1, 1, 4}, {0, 1, 2, 3});
}

TEST_CASE("Resize rejects tf_crop_and_resize and unknown modes") {
    NodeModel crop(13, "Resize");
    crop.input("x", {1, 1, 2, 2})
        .absent()
        .constant("scales", f32({4}, {1, 1, 2, 2}))
        .text("coordinate_transformation_mode", "tf_crop_and_resize");
    CHECK_THROWS_AS(crop.convert(), es::Error);
    NodeModel mode(13, "Resize");
    mode.input("x", {1, 1, 2, 2})
        .absent()
        .constant("scales", f32({4}, {1, 1, 2, 2}))
        .text("mode", "area");
    CHECK_THROWS_AS(mode.convert(), es::Error);
}

TEST_CASE("Upsample-7 takes the scales as an attribute") {
    NodeModel model(7, "Upsample");
    model.input("x", {1, 1, 1, 2}).text("mode", "linear").floats("scales", {1, 1, 1, 2});
    // asymmetric: x = o / 2 = 0, 0.5, 1, 1.5 (clamped to 1).
    check_close(model.run({f32({1, 1, 1, 2}, {0, 2})}), {1, 1, 1, 4}, {0, 1, 2, 2});
}

TEST_CASE("DepthToSpace CRD and SpaceToDepth invert each other") {
    NodeModel depth(13, "DepthToSpace");
    depth.input("x", {1, 4, 1, 1}).integer("blocksize", 2).text("mode", "CRD");
    check_close(depth.run({f32({1, 4, 1, 1}, {1, 2, 3, 4})}), {1, 1, 2, 2}, {1, 2, 3, 4});
    NodeModel space(13, "SpaceToDepth");
    space.input("x", {1, 1, 2, 2}).integer("blocksize", 2);
    check_close(space.run({f32({1, 1, 2, 2}, {1, 2, 3, 4})}), {1, 4, 1, 1}, {1, 2, 3, 4});
    NodeModel missing(13, "SpaceToDepth");
    missing.input("x", {1, 1, 2, 2});
    CHECK_THROWS_AS(missing.convert(), es::Error);
}
