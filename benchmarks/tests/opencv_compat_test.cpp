// The OpenCV compatibility rewrite used by opencv_dnn_bench: its patterns on a hand-built graph,
// and OpenCV 4.6 on the rewritten shared ONNX models against the ONNX Runtime references.
#include "benchmarks/opencv_compat.h"
#include "inference/core/npy.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

using es::benchmarks::rewrite_for_opencv;

namespace {

onnx::TensorProto scalar(const std::string& name, float value) {
    onnx::TensorProto tensor;
    tensor.set_name(name);
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_float_data(value);
    return tensor;
}

onnx::NodeProto* add_node(onnx::GraphProto& graph, const std::string& type,
                          std::vector<std::string> inputs, const std::string& output) {
    onnx::NodeProto* node = graph.add_node();
    node->set_op_type(type);
    node->set_name(output);
    for (const auto& input : inputs)
        node->add_input(input);
    node->add_output(output);
    return node;
}

float attribute(const onnx::NodeProto& node, const std::string& name) {
    for (const auto& attribute : node.attribute())
        if (attribute.name() == name) return attribute.f();
    FAIL("attribute ", name, " missing on ", node.name());
    return 0;
}

// Worst |actual - expected| relative to the largest |expected|.
double max_scaled_error(const cv::Mat& actual, const es::Tensor& expected) {
    REQUIRE(actual.total() == expected.size());
    const float* x = actual.ptr<float>();
    const float* y = expected.data<float>();
    double scale = 0, worst = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
        scale = std::max(scale, std::abs(double(y[i])));
        worst = std::max(worst, std::abs(double(x[i]) - y[i]));
    }
    return worst / scale;
}

}  // namespace

TEST_CASE("OpenCV rewrite: constant Clip bounds become attributes, constant Identity goes") {
    onnx::ModelProto model;
    onnx::GraphProto& graph = *model.mutable_graph();
    graph.add_input()->set_name("x");
    graph.add_output()->set_name("y");
    graph.add_output()->set_name("kept");
    *graph.add_initializer() = scalar("zero", 0);
    *graph.add_initializer() = scalar("weights", 2);
    onnx::NodeProto* six = add_node(graph, "Constant", {}, "six");
    onnx::AttributeProto* value = six->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    *value->mutable_t() = scalar("", 6);
    add_node(graph, "Clip", {"x", "zero", "six"}, "relu6");
    add_node(graph, "Clip", {"relu6", "", "six"}, "upper_only");
    add_node(graph, "Clip", {"upper_only", "x", "six"}, "dynamic_min");
    add_node(graph, "Identity", {"weights"}, "weights_copy");
    add_node(graph, "Mul", {"dynamic_min", "weights_copy"}, "y");
    add_node(graph, "Identity", {"weights"}, "kept");

    const auto dir = es::testing::temp_dir("opencv_compat");
    const auto path = dir / "model.onnx";
    {
        std::ofstream file(path, std::ios::binary);
        REQUIRE(model.SerializeToOstream(&file));
    }
    const auto rewritten = rewrite_for_opencv(path.string());
    CHECK(rewritten.clip_bounds == 2);
    CHECK(rewritten.identities == 1);

    onnx::ModelProto result;
    REQUIRE(result.ParseFromString(rewritten.bytes));
    const auto& nodes = result.graph().node();
    REQUIRE(nodes.size() == 6);
    CHECK(nodes[1].input_size() == 1);
    CHECK(attribute(nodes[1], "min") == 0);
    CHECK(attribute(nodes[1], "max") == 6);
    CHECK(nodes[2].input_size() == 1);
    CHECK(attribute(nodes[2], "max") == 6);
    CHECK(nodes[2].attribute_size() == 1);
    CHECK(nodes[3].input_size() == 3);  // a bound computed at run time stays an input
    CHECK(nodes[4].op_type() == "Mul");
    CHECK(nodes[4].input(1) == "weights");
    CHECK(nodes[5].op_type() == "Identity");  // its output is a graph output
}

TEST_CASE("OpenCV rewrite: unreadable files are named") {
    const auto dir = es::testing::temp_dir("opencv_compat");
    std::ofstream(dir / "junk.onnx") << "not a protobuf";
    CHECK_THROWS_WITH(rewrite_for_opencv((dir / "junk.onnx").string()),
                      doctest::Contains("junk.onnx: not a valid ONNX model"));
    CHECK_THROWS_WITH(rewrite_for_opencv((dir / "missing.onnx").string()),
                      doctest::Contains("missing.onnx: cannot open"));
}

TEST_CASE("OpenCV 4.6 runs the rewritten shared ONNX models like ONNX Runtime (error <= 1e-4)") {
    const auto shared = es::testing::shared_dir();
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    const auto dir = shared / "models" / "onnx";
    for (const auto& [name, outputs] : es::testing::shared_onnx_models()) {
        CAPTURE(name);
        const auto rewritten = rewrite_for_opencv((dir / (name + ".onnx")).string());
        CHECK(rewritten.clip_bounds + rewritten.identities > 0);
        cv::dnn::Net net = cv::dnn::readNetFromONNX(rewritten.bytes.data(), rewritten.bytes.size());
        const es::Tensor input = es::read_npy(dir / "references" / (name + ".input.npy"));
        std::vector<int> dims(input.shape().begin(), input.shape().end());
        net.setInput(cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F,
                             const_cast<float*>(input.data<float>())));
        std::vector<cv::Mat> results;
        net.forward(results, std::vector<cv::String>(outputs.begin(), outputs.end()));
        REQUIRE(results.size() == outputs.size());
        for (size_t i = 0; i < outputs.size(); ++i) {
            CAPTURE(outputs[i]);
            const es::Tensor expected =
                es::read_npy(dir / "references" / (name + "." + outputs[i] + ".npy"));
            CHECK(max_scaled_error(results[i], expected) <= 1e-4);
        }
    }
}
