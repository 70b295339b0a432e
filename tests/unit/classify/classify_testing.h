#pragma once

#include "inference/graph/model.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/publish/frame_result.h"

#include <opencv2/core.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace es::testing {

// The device registry's Core, made once.
const runtime::Core& test_core();

// image f32 [1,3,size,size] → per channel the mean over the crop, each its own output
// [1,1,1,1] named `names[c]`: attributes that are the crop's mean colour.
graph::Model channel_means_model(int size, const std::array<std::string, 3>& names);

// image f32 [1,3,size,size] → SoftMax over the channel means, output "colour" [1,3,1,1]: class
// scores whose top class is the crop's dominant channel.
graph::Model dominant_channel_model(int size);

// `model` compiled as the classifier `config` describes (its path only names it).
pipeline::Classifier compile_test_classifier(const graph::Model& model,
                                             pipeline::ClassifyConfig config,
                                             int max_batch = pipeline::Classifier::k_max_batch);

// A detected object at `box` (pixels of a `width` × `height` frame), tracked when `id` is set.
pipeline::ObjectResult object_at(const cv::Rect& box, int width, int height,
                                 std::optional<int64_t> id = std::nullopt,
                                 const std::string& label = "face");

// The attribute named `name` of `object`; fails the test when it has none.
const pipeline::ObjectAttribute& attribute(const pipeline::ObjectResult& object,
                                           const std::string& name);

}  // namespace es::testing
