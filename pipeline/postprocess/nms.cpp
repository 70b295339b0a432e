#include "pipeline/postprocess/nms.h"

#include <algorithm>

namespace es::pipeline {
namespace {

// Most confident first; ties in a fixed order so that results do not depend on the sort.
bool by_confidence(const Detection& a, const Detection& b) {
    if (a.confidence != b.confidence) return a.confidence > b.confidence;
    if (a.label_id != b.label_id) return a.label_id < b.label_id;
    if (a.y_min != b.y_min) return a.y_min < b.y_min;
    return a.x_min < b.x_min;
}

}  // namespace

float iou(const Detection& a, const Detection& b) {
    return iou(box_of(a), box_of(b));
}

void nms_per_class(std::vector<Detection>& detections, size_t first, float iou_threshold) {
    const auto begin = detections.begin() + static_cast<std::ptrdiff_t>(first);
    std::sort(begin, detections.end(), [](const Detection& a, const Detection& b) {
        if (a.label_id != b.label_id) return a.label_id < b.label_id;
        return by_confidence(a, b);
    });
    // Kept boxes are compacted to the front; those of the current class start at class_begin.
    size_t kept_end = first;
    size_t class_begin = first;
    for (size_t i = first; i < detections.size(); ++i) {
        if (i == first || detections[i].label_id != detections[i - 1].label_id)
            class_begin = kept_end;
        bool suppressed = false;
        for (size_t k = class_begin; k < kept_end && !suppressed; ++k)
            suppressed = iou(detections[k], detections[i]) > iou_threshold;
        if (suppressed) continue;
        if (kept_end != i) detections[kept_end] = std::move(detections[i]);
        ++kept_end;
    }
    detections.erase(detections.begin() + static_cast<std::ptrdiff_t>(kept_end), detections.end());
    std::sort(detections.begin() + static_cast<std::ptrdiff_t>(first), detections.end(),
              by_confidence);
}

}  // namespace es::pipeline
