#include "tests/unit/classify/classify_testing.h"

#include "devices/registry.h"
#include "inference/graph/shape_inference.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace es::testing {

const runtime::Core& test_core() {
    static const runtime::Core core(devices::make_registry());
    return core;
}

namespace {

graph::Output image_input(graph::Model& model, int size) {
    return model.add_parameter("image", ElementType::f32, PartialShape{1, 3, size, size});
}

}  // namespace

graph::Model channel_means_model(int size, const std::array<std::string, 3>& names) {
    graph::Model model;
    model.name = "channel_means";
    const graph::Output image = image_input(model, size);
    graph::Node& split = model.add_op("Split", "opset1", {image, model.add_constant(i64({}, {1}))},
                                      {{"num_splits", "3"}});
    for (size_t c = 0; c < 3; ++c) {
        graph::Node& mean = model.add_op("ReduceMean", "opset1",
                                         {split.output(c), model.add_constant(i64({3}, {1, 2, 3}))},
                                         {{"keep_dims", "true"}}, names[c]);
        model.add_result(mean.output(), names[c] + "/sink_port_0");
    }
    graph::infer_shapes(model);
    return model;
}

graph::Model dominant_channel_model(int size) {
    graph::Model model;
    model.name = "dominant_channel";
    const graph::Output image = image_input(model, size);
    graph::Node& mean =
        model.add_op("ReduceMean", "opset1", {image, model.add_constant(i64({2}, {2, 3}))},
                     {{"keep_dims", "true"}});
    graph::Node& scores =
        model.add_op("SoftMax", "opset1", {mean.output()}, {{"axis", "1"}}, "colour");
    model.add_result(scores.output(), "colour/sink_port_0");
    graph::infer_shapes(model);
    return model;
}

pipeline::Classifier compile_test_classifier(const graph::Model& model,
                                             pipeline::ClassifyConfig config, int max_batch) {
    auto classifiers = pipeline::compile_classifiers(
        test_core(), {std::move(config)},
        [&](const std::filesystem::path&) { return model.clone(); }, 1, max_batch);
    return std::move(classifiers.front());
}

pipeline::ObjectResult object_at(const cv::Rect& box, int width, int height,
                                 std::optional<int64_t> id, const std::string& label) {
    pipeline::ObjectResult object;
    const auto w = static_cast<float>(width);
    const auto h = static_cast<float>(height);
    pipeline::set_box(
        object,
        {static_cast<float>(box.x) / w, static_cast<float>(box.y) / h,
         static_cast<float>(box.x + box.width) / w, static_cast<float>(box.y + box.height) / h},
        width, height);
    object.id = id;
    object.confidence = 0.9f;
    object.label = label;
    object.label_id = 1;
    return object;
}

const pipeline::ObjectAttribute& attribute(const pipeline::ObjectResult& object,
                                           const std::string& name) {
    const auto found =
        std::find_if(object.tensors.begin(), object.tensors.end(),
                     [&](const pipeline::ObjectAttribute& entry) { return entry.name == name; });
    REQUIRE_MESSAGE(found != object.tensors.end(), "no attribute " << name);
    return *found;
}

}  // namespace es::testing
