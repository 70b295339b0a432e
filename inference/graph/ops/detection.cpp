#include "inference/graph/ops/detection.h"
#include "inference/graph/ops/families.h"

namespace es::graph::ops {

void add_detection_ops(std::vector<OpDef>& ops) {
    using namespace detection;
    ops.push_back({"PriorBox", 1, 2, 2, infer_prior_box, evaluate_prior_box_v1});
    ops.push_back({"PriorBox", 8, 2, 2, infer_prior_box, evaluate_prior_box_v8});
    ops.push_back(
        {"PriorBoxClustered", 1, 2, 2, infer_prior_box_clustered, evaluate_prior_box_clustered});
    ops.push_back(
        {"DetectionOutput", 1, 3, 5, infer_detection_output_v1, evaluate_detection_output});
    ops.push_back(
        {"DetectionOutput", 8, 3, 5, infer_detection_output_v8, evaluate_detection_output});
    ops.push_back({"NonMaxSuppression", 1, 2, 5, infer_nms_v1, evaluate_nms_v1});
    ops.push_back({"NonMaxSuppression", 3, 2, 5, infer_nms_v3, evaluate_nms_v3});
    ops.push_back({"NonMaxSuppression", 4, 2, 5, infer_nms_v4, evaluate_nms_v4});
    ops.push_back({"NonMaxSuppression", 5, 2, 6, infer_nms_v5, evaluate_nms_v5});
    ops.push_back({"NonMaxSuppression", 9, 2, 6, infer_nms_v9, evaluate_nms_v9});
}

}  // namespace es::graph::ops
