#pragma once

#include "pipeline/postprocess/detection.h"

#include <vector>

namespace es::pipeline {

// Detections per frame.
using FrameDetections = std::vector<std::vector<Detection>>;

// Average precision at IoU 0.5 of the `candidate` detections, taking the `reference` ones as
// the truth (each matched at most once, best confidence first; all-point interpolation as
// PASCAL VOC since 2010), per label and averaged over the labels the reference has. Without
// any reference detection: the share of frames where the candidate has none either.
double detection_agreement(const FrameDetections& reference, const FrameDetections& candidate);

}  // namespace es::pipeline
