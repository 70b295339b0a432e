#pragma once

#include "pipeline/postprocess/detection.h"

#include <vector>

namespace es::pipeline {

// Detections per frame.
using FrameDetections = std::vector<std::vector<Detection>>;

// Average precision at IoU 0.5 of the `candidate` detections, taking the `reference` ones as
// the truth (each matched at most once, best confidence first; all-point interpolation as
// PASCAL VOC since 2010), per label and averaged over the labels the reference has. 1 when
// neither has any detection; 0 when only the candidate has.
double detection_agreement(const FrameDetections& reference, const FrameDetections& candidate);

}  // namespace es::pipeline
