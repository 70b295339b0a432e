// TensorFlow's fused ops, the index ops (GatherNd, ScatterNd, Where), the block ops
// (SpaceToBatchND, BatchToSpaceND and the dilated convolutions TensorFlow writes with them) and
// the detection ops, each from a hand-built GraphDef, run on REF and CPU. Expected values come
// from formulas written here from TensorFlow's op definitions, or are worked out by hand.
#include "inference/core/error.h"
#include "inference/frontends/tf/proto/saved_model.pb.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <functional>

using namespace es;
using namespace es::testing;

namespace {

const std::vector<std::string> k_devices{"REF", "CPU"};

graph::Model convert(const GraphBuilder& builder) {
    const auto path = temp_dir("tf-fused-index") / "model.pb";
    builder.write(path);
    return frontends::read_tf_frozen_graph(path);
}

// The same graph as a TF1-style SavedModel whose signature names `inputs` and `outputs` (keys in
// the order given sort alike), and as a TF.js model.json with the constants inline.
graph::Model convert_saved_model(const GraphBuilder& builder,
                                 const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs) {
    const auto dir = temp_dir("tf-fused-saved-model");
    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    meta_graph.mutable_meta_info_def()->add_tags("serve");
    *meta_graph.mutable_graph_def() = builder.graph();
    auto& signature = (*meta_graph.mutable_signature_def())["serving_default"];
    for (size_t i = 0; i < inputs.size(); ++i)
        (*signature.mutable_inputs())[fmt::format("in{}", i)].set_name(inputs[i] + ":0");
    for (size_t i = 0; i < outputs.size(); ++i)
        (*signature.mutable_outputs())[fmt::format("out{}", i)].set_name(outputs[i] + ":0");
    write_file(dir / "saved_model.pb", saved_model.SerializeAsString());
    return frontends::read_tf_model(dir, "serving_default");
}

graph::Model convert_tfjs(const GraphBuilder& builder) {
    const auto dir = temp_dir("tf-fused-tfjs");
    std::string topology;
    REQUIRE(google::protobuf::util::MessageToJsonString(builder.graph(), &topology).ok());
    write_file(dir / "model.json",
               fmt::format(R"({{"format": "graph-model", "modelTopology": {}}})", topology));
    return frontends::read_tf_model(dir / "model.json", "serving_default");
}

Tensor booleans(Shape shape, std::vector<bool> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i];
    return tensor;
}

void set_conv_attributes(tensorflow::NodeDef& node, const std::string& padding = "VALID") {
    set_ints(node, "strides", {1, 1, 1, 1});
    set_string(node, "padding", padding);
    set_string(node, "data_format", "NHWC");
}

bool has_convolution_with_dilations(const graph::Model& model, const std::string& dilations) {
    for (const auto& node : model.nodes())
        if ((node->type == "Convolution" || node->type == "GroupConvolution") &&
            node->attributes.get_string("dilations", "") == dilations)
            return true;
    return false;
}

float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

}  // namespace

TEST_CASE("Fused convolutions and MatMuls translate alike from a GraphDef, a SavedModel, TF.js") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 2, 2, 2});
    builder.placeholder("m", {2, 2});
    // 1x1 filter [ci][co]: y0 = x0 - x1, y1 = 2 x0 + 0.5 x1
    const std::vector<float> w{1, 2, -1, 0.5f};
    builder.constant("w", f32({1, 1, 2, 2}, w));
    builder.constant("scale", f32({2}, {2, 0.5f}));
    builder.constant("offset", f32({2}, {1, -1}));
    builder.constant("mean", f32({2}, {0.5f, 1}));
    builder.constant("variance", f32({2}, {0.75f, 3.75f}));
    builder.constant("bias", f32({2}, {0.5f, -1}));
    builder.constant("dw_w", f32({1, 1, 2, 1}, {2, -1}));
    builder.constant("dw_bias", f32({2}, {0, 1}));
    builder.constant("mw", f32({2, 2}, {1, -2, 0.5f, 3}));
    builder.constant("mb", f32({2}, {0.25f, -0.5f}));

    auto& conv_bn =
        builder.node("conv_bn", "_FusedConv2D", {"x", "w", "scale", "offset", "mean", "variance"});
    set_conv_attributes(conv_bn);
    set_strings(conv_bn, "fused_ops", {"FusedBatchNorm", "LeakyRelu"});
    set_int(conv_bn, "num_args", 4);
    set_float(conv_bn, "epsilon", 0.25f);
    set_float(conv_bn, "leakyrelu_alpha", 0.1f);
    auto& conv_add = builder.node("conv_add", "_FusedConv2D", {"x", "w", "bias", "x"});
    set_conv_attributes(conv_add);
    set_strings(conv_add, "fused_ops", {"BiasAdd", "Add", "Relu"});
    set_int(conv_add, "num_args", 2);
    auto& dw = builder.node("dw", "_FusedDepthwiseConv2dNative", {"x", "dw_w", "dw_bias"});
    set_conv_attributes(dw);
    set_strings(dw, "fused_ops", {"BiasAdd", "Elu"});
    set_int(dw, "num_args", 1);
    auto& mm_tanh = builder.node("mm_tanh", "_FusedMatMul", {"m", "mw", "mb"});
    set_strings(mm_tanh, "fused_ops", {"BiasAdd", "Tanh"});
    set_int(mm_tanh, "num_args", 1);
    auto& mm_swish = builder.node("mm_swish", "_FusedMatMul", {"m", "mw", "mb"});
    set_strings(mm_swish, "fused_ops", {"BiasAdd", "_MklSwish"});
    set_bool(mm_swish, "transpose_b", true);
    set_int(mm_swish, "num_args", 1);
    auto& mm_gelu = builder.node("mm_gelu", "_FusedMatMul", {"m", "mw", "mb"});
    set_strings(mm_gelu, "fused_ops", {"BiasAdd", "GeluExact"});
    set_int(mm_gelu, "num_args", 1);

    const std::vector<float> x{1, -2, 3, 4, -5, 6, 7, -8};
    const std::vector<float> m{1, 2, -1, 0.5f};
    // expected values, pixel by pixel
    std::vector<float> bn, add, depthwise;
    const float deviation[2] = {1, 2};  // sqrt(variance + 0.25)
    const float scale[2] = {2, 0.5f}, offset[2] = {1, -1}, mean[2] = {0.5f, 1};
    const float bias[2] = {0.5f, -1}, dw_w[2] = {2, -1}, dw_bias[2] = {0, 1};
    for (size_t p = 0; p < 4; ++p) {
        const float x0 = x[2 * p], x1 = x[2 * p + 1];
        const float y[2] = {x0 * w[0] + x1 * w[2], x0 * w[1] + x1 * w[3]};
        for (size_t c = 0; c < 2; ++c) {
            const float normalized = (y[c] - mean[c]) * scale[c] / deviation[c] + offset[c];
            bn.push_back(normalized > 0 ? normalized : 0.1f * normalized);
            add.push_back(std::max(y[c] + bias[c] + x[2 * p + c], 0.0f));
            const float d = x[2 * p + c] * dw_w[c] + dw_bias[c];
            depthwise.push_back(d > 0 ? d : std::exp(d) - 1);
        }
    }
    const std::vector<float> mw{1, -2, 0.5f, 3}, mb{0.25f, -0.5f};
    std::vector<float> tanh_out, swish_out, gelu_out;
    for (size_t r = 0; r < 2; ++r)
        for (size_t c = 0; c < 2; ++c) {
            const float plain = m[2 * r] * mw[c] + m[2 * r + 1] * mw[2 + c] + mb[c];
            const float transposed = m[2 * r] * mw[2 * c] + m[2 * r + 1] * mw[2 * c + 1] + mb[c];
            tanh_out.push_back(std::tanh(plain));
            swish_out.push_back(transposed * sigmoid(transposed));
            gelu_out.push_back(0.5f * plain * (1 + std::erf(plain / std::sqrt(2.0f))));
        }

    const std::vector<std::string> outputs{"conv_bn", "conv_add", "dw",
                                           "mm_tanh", "mm_swish", "mm_gelu"};
    std::vector<std::pair<std::string, std::function<graph::Model()>>> formats{
        {"frozen GraphDef", [&] { return convert(builder); }},
        {"SavedModel",
         [&] {
             return convert_saved_model(builder, {"x", "m"}, outputs);
         }},
        {"TF.js", [&] { return convert_tfjs(builder); }}};
    for (const auto& [format, read] : formats) {
        for (const auto& device : k_devices) {
            CAPTURE(format);
            CAPTURE(device);
            const auto results = run_on(read(), {f32({1, 2, 2, 2}, x), f32({2, 2}, m)}, device);
            REQUIRE(results.size() == 6);
            check_close(results[0], {1, 2, 2, 2}, bn, 1e-5f);
            check_close(results[1], {1, 2, 2, 2}, add, 1e-5f);
            check_close(results[2], {1, 2, 2, 2}, depthwise, 1e-5f);
            check_close(results[3], {2, 2}, tanh_out, 1e-5f);
            check_close(results[4], {2, 2}, swish_out, 1e-5f);
            check_close(results[5], {2, 2}, gelu_out, 1e-5f);
        }
    }
}

TEST_CASE("Fused ops: num_args that disagree with fused_ops, an unknown fusion, a filter layout") {
    auto error_of = [](const std::vector<std::string>& fused_ops, int64_t num_args,
                       const std::string& filter_format) {
        GraphBuilder builder;
        builder.placeholder("x", {1, 1, 1, 1});
        builder.constant("w", f32({1, 1, 1, 1}, {1}));
        builder.constant("b", f32({1}, {1}));
        auto& conv = builder.node("conv", "_FusedConv2D", {"x", "w", "b"});
        set_conv_attributes(conv);
        set_strings(conv, "fused_ops", fused_ops);
        set_int(conv, "num_args", num_args);
        set_string(conv, "filter_format", filter_format);
        try {
            convert(builder);
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::BadInput);
            return std::string(error.what());
        }
        FAIL("no error");
        return std::string();
    };
    const std::string count = error_of({"BiasAdd", "Add"}, 1, "HWIO");
    CHECK(count.find("node 'conv' (_FusedConv2D)") != std::string::npos);
    CHECK(count.find("take 2 argument(s), but num_args is 1") != std::string::npos);
    const std::string inputs = error_of({"BiasAdd", "Add"}, 2, "HWIO");
    CHECK(inputs.find("the node has 3 input(s)") != std::string::npos);
    const std::string unknown = error_of({"BiasAdd", "Requantize"}, 1, "HWIO");
    CHECK(unknown.find("'Requantize' is not supported") != std::string::npos);
    const std::string layout = error_of({"BiasAdd"}, 1, "OIHW");
    CHECK(layout.find("'filter_format' is 'OIHW'") != std::string::npos);
}

TEST_CASE("GatherNd with full and partial index depth, ScatterNd summing duplicate indices") {
    GraphBuilder builder;
    builder.placeholder("params", {2, 3, 2});
    builder.constant("full", i32({2, 3}, {1, 2, 0, 0, 0, 1}));
    builder.constant("pairs", i32({2, 1, 2}, {1, 2, 0, 1}));
    builder.constant("rows", i32({1, 1}, {1}));
    builder.node("gather_full", "GatherNd", {"params", "full"});
    builder.node("gather_pairs", "GatherNd", {"params", "pairs"});
    builder.node("gather_rows", "GatherNd", {"params", "rows"});
    builder.placeholder("updates", {3, 2});
    builder.constant("row_indices", i32({3, 1}, {1, 3, 1}));
    builder.constant("shape", i32({2}, {4, 2}));
    builder.node("scatter_rows", "ScatterNd", {"row_indices", "updates", "shape"});
    builder.placeholder("values", {2});
    builder.constant("same_cell", i64({2, 2}, {0, 1, 0, 1}));
    builder.constant("square", i64({2}, {2, 2}));
    builder.node("scatter_cells", "ScatterNd", {"same_cell", "values", "square"});

    // params[i][j][k] = 6 i + 2 j + k
    auto param = [](int i, int j, int k) { return static_cast<float>(6 * i + 2 * j + k); };
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(
            convert(builder),
            {iota_f32({2, 3, 2}), f32({3, 2}, {1, 2, 3, 4, 10, 20}), f32({2}, {5, 7})}, device);
        REQUIRE(outputs.size() == 5);
        check_close(outputs[0], {2}, {param(1, 2, 0), param(0, 0, 1)});
        check_close(outputs[1], {2, 1, 2},
                    {param(1, 2, 0), param(1, 2, 1), param(0, 1, 0), param(0, 1, 1)});
        check_close(outputs[2], {1, 3, 2}, {6, 7, 8, 9, 10, 11});
        check_close(outputs[3], {4, 2}, {0, 0, 1 + 10, 2 + 20, 0, 0, 3, 4});
        check_close(outputs[4], {2, 2}, {0, 5 + 7, 0, 0});
    }
}

TEST_CASE("Where: coordinates of true elements, none at all, and Select with three inputs") {
    GraphBuilder builder;
    builder.placeholder("mask", {2, 3}, tensorflow::DT_BOOL);
    builder.node("where", "Where", {"mask"});
    builder.placeholder("zeros", {4});
    builder.node("where_none", "Where", {"zeros"});
    builder.placeholder("rows", {2}, tensorflow::DT_BOOL);
    builder.placeholder("a", {2, 2});
    builder.placeholder("b", {2, 2});
    builder.node("select", "Where", {"rows", "a", "b"});
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(
            convert(builder),
            {booleans({2, 3}, {true, false, true, false, false, true}), f32({4}, {0, 0, 0, 0}),
             booleans({2}, {false, true}), f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {5, 6, 7, 8})},
            device);
        REQUIRE(outputs.size() == 3);
        CHECK(outputs[0].type() == ElementType::i64);
        check_equal(outputs[0], {3, 2}, {0, 0, 0, 2, 1, 2});
        check_equal(outputs[1], {0, 1}, {});
        check_close(outputs[2], {2, 2}, {5, 6, 3, 4});
    }
}

TEST_CASE("SpaceToBatchND with padding and BatchToSpaceND with crops move blocks as TF does") {
    // x: [N=2, H=2, W=3, C=2]; blocks 2x2; one zero column padded on the left
    const Shape x_shape{2, 2, 3, 2};
    const int64_t n = 2, h = 2, w = 3, c = 2, b0 = 2, b1 = 2, pad_top = 0, pad_left = 1;
    GraphBuilder builder;
    builder.placeholder("x", x_shape);
    builder.constant("block", i32({2}, {2, 2}));
    builder.constant("paddings", i32({2, 2}, {0, 0, 1, 0}));
    builder.node("to_batch", "SpaceToBatchND", {"x", "block", "paddings"});
    builder.node("back", "BatchToSpaceND", {"to_batch", "block", "paddings"});
    // BatchToSpaceND on its own: [8, 1, 2, 2] → [2, 2, 4, 2], cropped to [2, 1, 3, 2]
    builder.placeholder("y", {8, 1, 2, 2});
    builder.constant("crops", i32({2, 2}, {1, 0, 0, 1}));
    builder.node("to_space", "BatchToSpaceND", {"y", "block", "crops"});

    const Tensor x = iota_f32(x_shape);
    const Tensor y = iota_f32({8, 1, 2, 2});
    // TF: output batch (bh · b1 + bw) · N + n holds padded[n, i · b0 + bh, j · b1 + bw, :]
    std::vector<float> to_batch;
    for (int64_t ob = 0; ob < n * b0 * b1; ++ob)
        for (int64_t i = 0; i < (h + pad_top) / b0; ++i)
            for (int64_t j = 0; j < (w + pad_left) / b1; ++j)
                for (int64_t k = 0; k < c; ++k) {
                    const int64_t image = ob % n, offset = ob / n;
                    const int64_t row = i * b0 + offset / b1 - pad_top;
                    const int64_t col = j * b1 + offset % b1 - pad_left;
                    const bool inside = row >= 0 && row < h && col >= 0 && col < w;
                    to_batch.push_back(
                        inside ? x.data<float>()[((image * h + row) * w + col) * c + k] : 0.0f);
                }
    // the inverse: output[n, r, q, :] = y[((r + crop_top) % b0 · b1 + (q + crop_left) % b1) · N
    // + n, (r + crop_top) / b0, (q + crop_left) / b1, :]
    std::vector<float> to_space;
    const int64_t crop_top = 1, crop_left = 0, y_h = 1, y_w = 2;
    for (int64_t image = 0; image < n; ++image)
        for (int64_t r = 0; r < y_h * b0 - 1; ++r)
            for (int64_t q = 0; q < y_w * b1 - 1; ++q)
                for (int64_t k = 0; k < c; ++k) {
                    const int64_t row = r + crop_top, col = q + crop_left;
                    const int64_t batch = ((row % b0) * b1 + col % b1) * n + image;
                    to_space.push_back(
                        y.data<float>()[((batch * y_h + row / b0) * y_w + col / b1) * c + k]);
                }
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {x, y}, device);
        REQUIRE(outputs.size() == 2);
        check_close(outputs[0], x_shape, std::vector<float>(x.data<float>(), x.data<float>() + 24));
        check_close(outputs[1], {2, 1, 3, 2}, to_space);
        // the intermediate SpaceToBatchND result, read on its own
        GraphBuilder alone;
        alone.placeholder("x", x_shape);
        alone.constant("block", i32({2}, {2, 2}));
        alone.constant("paddings", i32({2, 2}, {0, 0, 1, 0}));
        alone.node("to_batch", "SpaceToBatchND", {"x", "block", "paddings"});
        const auto batched = run_on(convert(alone), {x}, device);
        check_close(batched[0], {8, 1, 2, 2}, to_batch);
    }
}

TEST_CASE("SpaceToBatchND → Conv2D → BatchToSpaceND folds into a dilated convolution") {
    // tf.nn.atrous_conv2d(x [1,5,5,1], filter 3x3, rate 2, SAME): base paddings 2 per side,
    // one more at the end for whole blocks, cropped again
    GraphBuilder builder;
    builder.placeholder("x", {1, 5, 5, 1});
    builder.constant("block", i32({2}, {2, 2}));
    builder.constant("paddings", i32({2, 2}, {2, 3, 2, 3}));
    builder.constant("crops", i32({2, 2}, {0, 1, 0, 1}));
    builder.constant("filter", iota_f32({3, 3, 1, 1}));
    builder.node("s2b", "SpaceToBatchND", {"x", "block", "paddings"});
    set_conv_attributes(builder.node("conv", "Conv2D", {"s2b", "filter"}));
    builder.node("b2s", "BatchToSpaceND", {"conv", "block", "crops"});
    const Tensor x = iota_f32({1, 5, 5, 1}, 0.5f);
    // y[i][j] = Σ filter[a][b] · x[i + 2a - 2][j + 2b - 2], zero outside
    std::vector<float> expected;
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) {
            float sum = 0;
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b) {
                    const int row = i + 2 * a - 2, col = j + 2 * b - 2;
                    if (row >= 0 && row < 5 && col >= 0 && col < 5)
                        sum += static_cast<float>(3 * a + b) * x.data<float>()[row * 5 + col];
                }
            expected.push_back(sum);
        }
    const graph::Model model = convert(builder);
    CHECK(has_convolution_with_dilations(model, "2,2"));
    CHECK(model.results().size() == 1);
    for (const auto& node : model.nodes())  // no block shuffling left
        CHECK((node->type != "Pad" && node->type != "Reshape" && node->type != "StridedSlice"));
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {x}, device);
        check_close(outputs[0], {1, 5, 5, 1}, expected, 1e-3f);
    }
}

TEST_CASE("A block pattern whose crops exceed its paddings runs through the general translations") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 4, 4, 1});
    builder.constant("block", i32({2}, {2, 2}));
    builder.constant("paddings", i32({2, 2}, {0, 0, 0, 0}));
    builder.constant("crops", i32({2, 2}, {1, 0, 0, 0}));
    builder.constant("filter", f32({2, 2, 1, 1}, {1, 2, 3, 4}));
    builder.node("s2b", "SpaceToBatchND", {"x", "block", "paddings"});
    set_conv_attributes(builder.node("conv", "Conv2D", {"s2b", "filter"}));
    builder.node("b2s", "BatchToSpaceND", {"conv", "block", "crops"});
    const Tensor x = iota_f32({1, 4, 4, 1});
    // the dilated VALID convolution z[i][j] = Σ f[a][b] x[i + 2a][j + 2b], its first row cropped
    auto z = [&](int i, int j) {
        float sum = 0;
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
                sum += static_cast<float>(1 + 2 * a + b) *
                       x.data<float>()[(i + 2 * a) * 4 + j + 2 * b];
        return sum;
    };
    const graph::Model model = convert(builder);
    CHECK_FALSE(has_convolution_with_dilations(model, "2,2"));
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {x}, device);
        check_close(outputs[0], {1, 1, 2, 1}, {z(1, 0), z(1, 1)});
    }
}

TEST_CASE("NonMaxSuppressionV4/V5: a score threshold above every score, padding, soft NMS") {
    GraphBuilder builder;
    builder.placeholder("boxes", {3, 4});
    builder.placeholder("scores", {3});
    builder.constant("max_output", i32({}, {4}));
    builder.constant("max_three", i32({}, {3}));
    builder.constant("iou", f32({}, {0.4f}));
    builder.constant("high", f32({}, {0.95f}));
    builder.constant("zero", f32({}, {0}));
    builder.constant("sigma", f32({}, {0.5f}));
    set_bool(builder.node("padded", "NonMaxSuppressionV4",
                          {"boxes", "scores", "max_output", "iou", "high"}),
             "pad_to_max_output_size", true);
    builder.node("unpadded", "NonMaxSuppressionV4",
                 {"boxes", "scores", "max_output", "iou", "high"});
    builder.node("soft", "NonMaxSuppressionV5",
                 {"boxes", "scores", "max_three", "iou", "zero", "sigma"});
    // IoU(box 0, box 1) = 0.5 / 1 = 0.5; box 2 overlaps neither. Soft NMS (sigma 0.5) keeps box 1
    // at 0.8 · exp(-0.5 · 0.5² / 0.5); TensorFlow applies no hard IoU limit with sigma > 0.
    const float decayed = 0.8f * std::exp(-0.5f * 0.25f / 0.5f);
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(
            convert(builder),
            {f32({3, 4}, {0, 0, 1, 1, 0, 0, 1, 0.5f, 0, 2, 1, 3}), f32({3}, {0.9f, 0.8f, 0.7f})},
            device);
        REQUIRE(outputs.size() == 7);
        check_equal(outputs[0], {4}, {0, 0, 0, 0});
        check_equal(outputs[1], {}, {0});
        check_equal(outputs[2], {0}, {});
        check_equal(outputs[3], {}, {0});
        check_equal(outputs[4], {3}, {0, 2, 1});
        check_close(outputs[5], {3}, {0.9f, 0.7f, decayed});
        check_equal(outputs[6], {}, {3});
    }
}

TEST_CASE("CombinedNonMaxSuppression: shared and per-class boxes, clipping, padding, empty batch") {
    GraphBuilder builder;
    builder.placeholder("boxes", {1, 3, 1, 4});
    builder.placeholder("scores", {1, 3, 2});
    builder.constant("per_class", i32({}, {2}));
    builder.constant("three", i32({}, {3}));
    builder.constant("seven", i32({}, {7}));
    builder.constant("ten", i32({}, {10}));
    builder.constant("iou", f32({}, {0.5f}));
    builder.constant("threshold", f32({}, {0.25f}));
    builder.node("top3", "CombinedNonMaxSuppression",
                 {"boxes", "scores", "per_class", "three", "iou", "threshold"});
    set_bool(builder.node("per_class_padded", "CombinedNonMaxSuppression",
                          {"boxes", "scores", "per_class", "ten", "iou", "threshold"}),
             "pad_per_class", true);
    builder.node("padded", "CombinedNonMaxSuppression",
                 {"boxes", "scores", "per_class", "seven", "iou", "threshold"});
    builder.placeholder("class_boxes", {2, 3, 2, 4});
    builder.placeholder("class_scores", {2, 3, 2});
    set_bool(
        builder.node("by_class", "CombinedNonMaxSuppression",
                     {"class_boxes", "class_scores", "per_class", "three", "iou", "threshold"}),
        "clip_boxes", false);

    // box 1 overlaps box 0 (IoU 0.25 / 0.3); box 2 reaches past 1 and overlaps neither.
    // class 0 keeps box 0 (0.9) and box 2 (0.3); class 1 keeps box 1 (0.85) and box 2 (0.6).
    const std::vector<float> boxes{0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.6f, 0.5f, 0.5f, 1.2f, 1};
    const std::vector<float> scores{0.9f, 0.2f, 0.8f, 0.85f, 0.3f, 0.6f};
    // per-class boxes: class 0 has the boxes above, class 1 has box 0's corners for every box,
    // so its box 2 (0.6) is suppressed by its box 1; batch 1 scores stay under the threshold
    std::vector<float> class_boxes;
    for (int batch = 0; batch < 2; ++batch)
        for (int box = 0; box < 3; ++box) {
            class_boxes.insert(class_boxes.end(), boxes.begin() + 4 * box,
                               boxes.begin() + 4 * box + 4);
            class_boxes.insert(class_boxes.end(), {0, 0, 0.5f, 0.5f});
        }
    std::vector<float> class_scores = scores;
    class_scores.insert(class_scores.end(), 6, 0.1f);
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder),
                                    {f32({1, 3, 1, 4}, boxes), f32({1, 3, 2}, scores),
                                     f32({2, 3, 2, 4}, class_boxes), f32({2, 3, 2}, class_scores)},
                                    device);
        REQUIRE(outputs.size() == 16);
        check_close(outputs[0], {1, 3, 4}, {0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.6f, 0.5f, 0.5f, 1, 1});
        check_close(outputs[1], {1, 3}, {0.9f, 0.85f, 0.6f});
        check_close(outputs[2], {1, 3}, {0, 1, 1});
        check_equal(outputs[3], {1}, {3});
        // pad_per_class: min(10, 2 · 2) = 4 rows, all four selections
        check_close(outputs[4], {1, 4, 4},
                    {0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.6f, 0.5f, 0.5f, 1, 1, 0.5f, 0.5f, 1, 1});
        check_close(outputs[5], {1, 4}, {0.9f, 0.85f, 0.6f, 0.3f});
        check_close(outputs[6], {1, 4}, {0, 1, 1, 0});
        check_equal(outputs[7], {1}, {4});
        // 7 rows: four selections, then zeros
        check_close(outputs[9], {1, 7}, {0.9f, 0.85f, 0.6f, 0.3f, 0, 0, 0});
        check_close(outputs[10], {1, 7}, {0, 1, 1, 0, 0, 0, 0});
        check_equal(outputs[11], {1}, {4});
        check_close(outputs[8], {1, 7, 4},
                    {0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.6f, 0.5f, 0.5f, 1, 1, 0.5f, 0.5f,
                     1, 1, 0,    0,    0, 0, 0,    0,    0,    0,    0, 0, 0,    0});
        // per-class boxes, unclipped; batch 1 has nothing above the threshold
        check_close(outputs[12], {2, 3, 4},
                    {0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, 1.2f, 1,
                     0, 0, 0,    0,    0, 0, 0,    0,    0,    0,    0,    0});
        check_close(outputs[13], {2, 3}, {0.9f, 0.85f, 0.3f, 0, 0, 0});
        check_close(outputs[14], {2, 3}, {0, 1, 0, 0, 0, 0});
        check_equal(outputs[15], {2}, {3, 0});
    }
}

TEST_CASE("TopKV2 on REF and CPU: ties in index order") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 5});
    builder.constant("k", i32({}, {3}));
    builder.node("top", "TopKV2", {"x", "k"});
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs =
            run_on(convert(builder), {f32({2, 5}, {1, 3, 3, 0, 3, 5, 2, 7, 7, -1})}, device);
        check_close(outputs[0], {2, 3}, {3, 3, 3, 7, 7, 5});
        check_equal(outputs[1], {2, 3}, {1, 2, 4, 2, 3, 0});
    }
}

TEST_CASE("Size, SparseToDense with 2-D and 1-D indices") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 3});
    builder.node("size", "Size", {"x"});
    set_type(builder.node("size64", "Size", {"x"}), "out_type", tensorflow::DT_INT64);
    builder.constant("cells", i32({2, 2}, {0, 1, 2, 0}));
    builder.constant("grid", i32({2}, {3, 2}));
    builder.placeholder("values", {2});
    builder.constant("fill", f32({}, {-1}));
    builder.node("dense", "SparseToDense", {"cells", "grid", "values", "fill"});
    builder.constant("positions", i64({2}, {3, 0}));
    builder.constant("length", i64({1}, {5}));
    builder.constant("two", f32({}, {2}));
    builder.constant("nothing", f32({}, {0}));
    builder.node("spikes", "SparseToDense", {"positions", "length", "two", "nothing"});
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {iota_f32({2, 3}), f32({2}, {5, 7})}, device);
        REQUIRE(outputs.size() == 4);
        CHECK(outputs[0].type() == ElementType::i32);
        check_equal(outputs[0], {}, {6});
        CHECK(outputs[1].type() == ElementType::i64);
        check_equal(outputs[1], {}, {6});
        check_close(outputs[2], {3, 2}, {-1, 5, -1, -1, 7, -1});
        check_close(outputs[3], {5}, {2, 0, 0, 2, 0});
    }
}

TEST_CASE("GatherNd on params of dynamic leading dimensions takes its strides from the shape") {
    GraphBuilder builder;
    builder.placeholder("params", {-1, -1, 2});
    builder.constant("pairs", i32({2, 2}, {1, 2, 0, 1}));
    builder.node("gather", "GatherNd", {"params", "pairs"});
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {iota_f32({2, 3, 2})}, device);
        // params[i][j][:] = 6 i + 2 j + [0, 1]
        check_close(outputs[0], {2, 2}, {10, 11, 2, 3});
    }
}

TEST_CASE("Sin, Cos and Atan2 in every quadrant, on the axes and at the origin") {
    GraphBuilder builder;
    builder.placeholder("y", {9});
    builder.placeholder("x", {9});
    builder.node("sin", "Sin", {"x"});
    builder.node("cos", "Cos", {"x"});
    builder.node("atan2", "Atan2", {"y", "x"});
    const std::vector<float> y{1, 1, -1, -1, 0, 0, 2, -2, 0};
    const std::vector<float> x{1, -1, -1, 1, 3, -3, 0, 0, 0};
    std::vector<float> sines, cosines, angles;
    for (size_t i = 0; i < x.size(); ++i) {
        sines.push_back(std::sin(x[i]));
        cosines.push_back(std::cos(x[i]));
        angles.push_back(std::atan2(y[i], x[i]));
    }
    for (const auto& device : k_devices) {
        CAPTURE(device);
        const auto outputs = run_on(convert(builder), {f32({9}, y), f32({9}, x)}, device);
        REQUIRE(outputs.size() == 3);
        check_close(outputs[0], {9}, sines);
        check_close(outputs[1], {9}, cosines);
        check_close(outputs[2], {9}, angles);
    }
}
