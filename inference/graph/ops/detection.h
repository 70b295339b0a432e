#pragma once

#include "inference/graph/op.h"

#include <span>
#include <vector>

// Shape inference and reference kernels of the detection family, registered in detection.cpp.
namespace es::graph::ops::detection {

// prior_box.cpp: PriorBox-1, PriorBox-8, PriorBoxClustered-1.
std::vector<PortType> infer_prior_box(const InferContext& context);
void evaluate_prior_box_v1(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs);
void evaluate_prior_box_v8(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs);
std::vector<PortType> infer_prior_box_clustered(const InferContext& context);
void evaluate_prior_box_clustered(const Node& node, std::span<const Tensor> inputs,
                                  std::vector<Tensor>& outputs);

// detection_output.cpp: DetectionOutput-1 (num_classes attribute), DetectionOutput-8.
std::vector<PortType> infer_detection_output_v1(const InferContext& context);
std::vector<PortType> infer_detection_output_v8(const InferContext& context);
void evaluate_detection_output(const Node& node, std::span<const Tensor> inputs,
                               std::vector<Tensor>& outputs);

// non_max_suppression.cpp: NonMaxSuppression-1, -3, -4, -5, -9.
std::vector<PortType> infer_nms_v1(const InferContext& context);
std::vector<PortType> infer_nms_v3(const InferContext& context);
std::vector<PortType> infer_nms_v4(const InferContext& context);
std::vector<PortType> infer_nms_v5(const InferContext& context);
std::vector<PortType> infer_nms_v9(const InferContext& context);
void evaluate_nms_v1(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs);
void evaluate_nms_v3(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs);
void evaluate_nms_v4(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs);
void evaluate_nms_v5(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs);
void evaluate_nms_v9(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs);

}  // namespace es::graph::ops::detection
