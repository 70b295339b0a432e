#pragma once

#include "pipeline/postprocess/detection.h"

#include <vector>

namespace es::pipeline {

// Intersection over union of two detections' boxes.
float iou(const Detection& a, const Detection& b);

// Class-wise non-maximum suppression over detections[first..]: of boxes with one label_id
// overlapping by more than `iou_threshold`, only the most confident stays. What stays is
// ordered by confidence, highest first.
void nms_per_class(std::vector<Detection>& detections, size_t first, float iou_threshold);

}  // namespace es::pipeline
