// A classifier model that cannot serve is a clear error naming the classifier and its file.
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/ir.h"
#include "tests/unit/classify/classify_testing.h"

#include <doctest/doctest.h>

using namespace es::pipeline;
using namespace es::testing;

namespace {

// The message compile_classifiers throws for `model` as classifier `config`; empty when none.
std::string error_of(const es::graph::Model& model, ClassifyConfig config) {
    try {
        compile_test_classifier(model, std::move(config));
    } catch (const es::Error& error) {
        CHECK(error.kind() == es::ErrorKind::BadInput);
        return error.what();
    }
    return {};
}

ClassifyConfig named(const std::string& path) {
    ClassifyConfig config;
    config.path = path;
    config.name = "test";
    return config;
}

}  // namespace

TEST_CASE("classify errors: a missing model file names the classifier and the file") {
    ClassifyConfig config = named("/nonexistent/emotion.xml");
    std::string message;
    try {
        compile_classifiers(
            test_core(), {named("/tmp/a.xml"), config}, [](const std::filesystem::path& path) {
                return path == "/tmp/a.xml" ? channel_means_model(8, {"b", "g", "r"})
                                            : es::ir::read_model(path);
            });
    } catch (const es::Error& error) {
        message = error.what();
    }
    CHECK(message.starts_with("classify[1] (/nonexistent/emotion.xml): "));
}

TEST_CASE("classify errors: models that do not take an image or give no attribute") {
    es::graph::Model flat;
    const auto x = flat.add_parameter("features", es::ElementType::f32, es::PartialShape{1, 16});
    flat.add_result(flat.add_op("ReLU", "opset1", {x}, {}, "y").output(), "y/sink_port_0");
    es::graph::infer_shapes(flat);
    const std::string rank = error_of(flat, named("flat.xml"));
    CAPTURE(rank);
    CHECK(rank.starts_with("classify[0] (flat.xml): model input 'features' has shape [1,16]"));

    es::graph::Model maps;
    const auto image =
        maps.add_parameter("image", es::ElementType::f32, es::PartialShape{1, 3, 8, 8});
    maps.add_result(maps.add_op("ReLU", "opset1", {image}, {}, "maps").output(),
                    "maps/sink_port_0");
    es::graph::infer_shapes(maps);
    CHECK(error_of(maps, named("maps.xml")) ==
          "classify[0] (maps.xml): output 'maps' has shape [1,3,8,8]; expected class scores "
          "[N,C] (or [N,C,1,1]) or one number per crop; name the outputs to publish in "
          "\"outputs\"");

    ClassifyConfig labelled = named("colour.xml");
    labelled.labels = {"blue", "green"};
    CHECK(error_of(dominant_channel_model(8), labelled) ==
          "classify[0] (colour.xml): output 'colour' scores 3 classes; 2 labels given");

    ClassifyConfig unknown = named("means.xml");
    unknown.outputs = {{"alpha", "", {}, 1.0f}};
    CHECK(error_of(channel_means_model(8, {"b", "g", "r"}), unknown) ==
          "classify[0] (means.xml): outputs.alpha: the model has no such output; its outputs "
          "are b [1,1,1,1], g [1,1,1,1], r [1,1,1,1]");

    ClassifyConfig several = named("means.xml");
    several.labels = {"a"};
    CHECK(error_of(channel_means_model(8, {"b", "g", "r"}), several) ==
          "classify[0] (means.xml): labels: the model has 3 outputs; give each its labels in "
          "outputs.NAME.labels");
}
