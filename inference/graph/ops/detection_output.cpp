#include "inference/graph/ops/detection.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace es::graph::ops::detection {
namespace {

enum class CodeType { corner, center_size };

struct DetectionOutputAttributes {
    int64_t num_classes = 0;  // DetectionOutput-1 only; 0 when derived from the input shapes
    int64_t background_label_id = 0;
    int64_t top_k = -1;
    std::vector<int64_t> keep_top_k;
    CodeType code_type = CodeType::corner;
    bool variance_encoded_in_target = false;
    bool share_location = true;
    bool clip_after_nms = false;
    bool clip_before_nms = false;
    bool decrease_label_id = false;
    bool normalized = false;
    float nms_threshold = 0.0f;
    float confidence_threshold = 0.0f;
    float objectness_score = 0.0f;
    int64_t input_height = 1;
    int64_t input_width = 1;
};

DetectionOutputAttributes read_attributes(const Attributes& attributes, bool with_num_classes) {
    DetectionOutputAttributes result;
    if (with_num_classes) {
        result.num_classes = attributes.get_int("num_classes");
        if (result.num_classes <= 0)
            throw_bad_input("attribute 'num_classes' is {}, expected > 0", result.num_classes);
    }
    result.background_label_id = attributes.get_int("background_label_id", 0);
    result.top_k = attributes.get_int("top_k", -1);
    result.keep_top_k = attributes.get_ints("keep_top_k");
    if (result.keep_top_k.empty()) throw_bad_input("attribute 'keep_top_k' is empty");
    const std::string code_type =
        attributes.get_string("code_type", "caffe.PriorBoxParameter.CORNER");
    if (code_type == "caffe.PriorBoxParameter.CORNER")
        result.code_type = CodeType::corner;
    else if (code_type == "caffe.PriorBoxParameter.CENTER_SIZE")
        result.code_type = CodeType::center_size;
    else
        throw_bad_input(
            "attribute 'code_type' is '{}', expected caffe.PriorBoxParameter.CORNER or "
            "caffe.PriorBoxParameter.CENTER_SIZE",
            code_type);
    result.variance_encoded_in_target = attributes.get_bool("variance_encoded_in_target", false);
    result.share_location = attributes.get_bool("share_location", true);
    result.clip_after_nms = attributes.get_bool("clip_after_nms", false);
    result.clip_before_nms = attributes.get_bool("clip_before_nms", false);
    result.decrease_label_id = attributes.get_bool("decrease_label_id", false);
    result.normalized = attributes.get_bool("normalized", false);
    result.nms_threshold = static_cast<float>(attributes.get_float("nms_threshold"));
    result.confidence_threshold =
        static_cast<float>(attributes.get_float("confidence_threshold", 0.0));
    result.objectness_score = static_cast<float>(attributes.get_float("objectness_score", 0.0));
    result.input_height = attributes.get_int("input_height", 1);
    result.input_width = attributes.get_int("input_width", 1);
    if (!result.normalized && (result.input_height <= 0 || result.input_width <= 0))
        throw_bad_input("attributes 'input_height' and 'input_width' are {} and {}, expected > 0",
                        result.input_height, result.input_width);
    return result;
}

bool known(int64_t dim) {
    return dim != k_dynamic;
}

// Sets `dim` from `value` or checks they agree.
void merge_dim(int64_t& dim, int64_t value, const std::string& what) {
    if (!known(value)) return;
    if (!known(dim))
        dim = value;
    else if (dim != value)
        throw_bad_input("{} is {}, expected {}", what, value, dim);
}

// Checks `value` is a positive multiple of `factor` (when both are known) and returns the quotient.
int64_t divide_dim(int64_t value, int64_t factor, const std::string& what) {
    if (!known(value) || !known(factor)) return k_dynamic;
    if (factor <= 0 || value % factor != 0 || value == 0)
        throw_bad_input("{} is {}, expected a positive multiple of {}", what, value, factor);
    return value / factor;
}

int64_t dim_product(std::initializer_list<int64_t> dims) {
    for (int64_t dim : dims)
        if (!known(dim)) return k_dynamic;
    return static_cast<int64_t>(shape_size(Shape(dims)));
}

std::vector<PortType> infer_detection_output(const InferContext& context, bool v1) {
    const DetectionOutputAttributes attributes = read_attributes(context.attributes(), v1);
    if (context.input_count() == 4)
        throw_bad_input("has 4 inputs, expected 3, or 5 with the additional predictions");
    const bool refined = context.input_count() == 5;
    const char* names[] = {"box_logits", "class_preds", "proposals", "aux_class_preds",
                           "aux_box_preds"};
    for (size_t i = 0; i < context.input_count(); ++i) {
        const ElementType type = context.input(i).type;
        if (type != ElementType::f32 && type != ElementType::f16)
            throw_bad_input("input {} ({}) has element type {}, expected f32 or f16", i, names[i],
                            to_string(type));
        expect_rank(context, i, i == 2 ? 3 : 2, names[i]);
    }
    auto dim = [&](size_t input, size_t axis) {
        const PartialShape& shape = context.input(input).shape;
        return shape.rank_known() ? shape[axis] : k_dynamic;
    };
    const int64_t box_size = attributes.normalized ? 4 : 5;
    int64_t priors = divide_dim(dim(2, 2), box_size, "proposals dimension 2 (priors * box size)");
    if (refined)
        merge_dim(priors, divide_dim(dim(3, 1), 2, "aux_class_preds dimension 1 (priors * 2)"),
                  "number of priors from aux_class_preds");
    int64_t classes = v1 ? attributes.num_classes : k_dynamic;
    if (!known(priors) && (attributes.share_location || known(classes))) {
        const int64_t loc_classes = attributes.share_location ? 1 : classes;
        priors = divide_dim(dim(0, 1), dim_product({loc_classes, 4}), "box_logits dimension 1");
    }
    if (!known(priors)) priors = divide_dim(dim(1, 1), classes, "class_preds dimension 1");
    if (!known(classes)) classes = divide_dim(dim(1, 1), priors, "class_preds dimension 1");
    if (!known(classes) && !attributes.share_location)
        classes = divide_dim(dim(0, 1), dim_product({priors, 4}), "box_logits dimension 1");
    const int64_t loc_classes = attributes.share_location ? 1 : classes;

    if (known(dim(0, 1)) && known(priors) && known(loc_classes) &&
        dim(0, 1) != dim_product({priors, loc_classes, 4}))
        throw_bad_input("box_logits dimension 1 is {}, expected {} priors * {} classes * 4",
                        dim(0, 1), priors, loc_classes);
    if (known(dim(1, 1)) && known(priors) && known(classes) &&
        dim(1, 1) != dim_product({priors, classes}))
        throw_bad_input("class_preds dimension 1 is {}, expected {} priors * {} classes", dim(1, 1),
                        priors, classes);
    if (known(dim(2, 2)) && known(priors) && dim(2, 2) != dim_product({priors, box_size}))
        throw_bad_input("proposals dimension 2 is {}, expected {} priors * {}", dim(2, 2), priors,
                        box_size);
    if (refined && known(dim(3, 1)) && known(priors) && dim(3, 1) != dim_product({priors, 2}))
        throw_bad_input("aux_class_preds dimension 1 is {}, expected {} priors * 2", dim(3, 1),
                        priors);

    int64_t batch = dim(0, 0);
    merge_dim(batch, dim(1, 0), "class_preds dimension 0 (batch)");
    if (known(dim(2, 0)) && dim(2, 0) != 1 && known(batch) && dim(2, 0) != batch)
        throw_bad_input("proposals dimension 0 is {}, expected 1 or the batch {}", dim(2, 0),
                        batch);
    // Row 1 of the proposals holds the variances; they are needed unless encoded in the target.
    const int64_t rows = dim(2, 1);
    if (known(rows) &&
        (rows < 1 || rows > 2 || (rows == 1 && !attributes.variance_encoded_in_target)))
        throw_bad_input("proposals dimension 1 is {}, expected {}", rows,
                        attributes.variance_encoded_in_target ? "1 or 2" : "2 (boxes, variances)");
    if (refined) {
        merge_dim(batch, dim(3, 0), "aux_class_preds dimension 0 (batch)");
        merge_dim(batch, dim(4, 0), "aux_box_preds dimension 0 (batch)");
        if (known(dim(4, 1)) && known(dim(0, 1)) && dim(4, 1) != dim(0, 1))
            throw_bad_input("aux_box_preds dimension 1 is {}, expected {} as box_logits", dim(4, 1),
                            dim(0, 1));
    }

    int64_t detections = k_dynamic;
    if (attributes.keep_top_k[0] > 0)
        detections = dim_product({batch, attributes.keep_top_k[0]});
    else if (attributes.keep_top_k[0] == -1 && attributes.top_k > 0)
        detections = dim_product({batch, attributes.top_k, classes});
    else
        detections = dim_product({batch, priors, classes});
    if (known(detections)) shape_size({detections, 7});
    return {{context.input(0).type, PartialShape{1, 1, detections, 7}}};
}

struct Box {
    float xmin = 0.0f;
    float ymin = 0.0f;
    float xmax = 0.0f;
    float ymax = 0.0f;
};

float area(const Box& box) {
    if (box.xmax < box.xmin || box.ymax < box.ymin) return 0.0f;
    return (box.xmax - box.xmin) * (box.ymax - box.ymin);
}

float jaccard_overlap(const Box& a, const Box& b) {
    if (b.xmin > a.xmax || b.xmax < a.xmin || b.ymin > a.ymax || b.ymax < a.ymin) return 0.0f;
    const float width = std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin);
    const float height = std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin);
    if (width <= 0.0f || height <= 0.0f) return 0.0f;
    const float intersection = width * height;
    return intersection / (area(a) + area(b) - intersection);
}

Box clip(const Box& box) {
    return {std::clamp(box.xmin, 0.0f, 1.0f), std::clamp(box.ymin, 0.0f, 1.0f),
            std::clamp(box.xmax, 0.0f, 1.0f), std::clamp(box.ymax, 0.0f, 1.0f)};
}

// Applies the predicted offsets `delta` to `prior`; `variance` is null when encoded in the target.
Box decode(const DetectionOutputAttributes& attributes, const Box& prior, const float* variance,
           const float* delta) {
    static constexpr std::array<float, 4> k_unit = {1.0f, 1.0f, 1.0f, 1.0f};
    const float* v = variance ? variance : k_unit.data();
    Box box;
    if (attributes.code_type == CodeType::corner) {
        box = {prior.xmin + v[0] * delta[0], prior.ymin + v[1] * delta[1],
               prior.xmax + v[2] * delta[2], prior.ymax + v[3] * delta[3]};
    } else {
        const float prior_width = prior.xmax - prior.xmin;
        const float prior_height = prior.ymax - prior.ymin;
        const float center_x = v[0] * delta[0] * prior_width + (prior.xmin + prior.xmax) / 2;
        const float center_y = v[1] * delta[1] * prior_height + (prior.ymin + prior.ymax) / 2;
        const float width = std::exp(v[2] * delta[2]) * prior_width;
        const float height = std::exp(v[3] * delta[3]) * prior_height;
        box = {center_x - width / 2, center_y - height / 2, center_x + width / 2,
               center_y + height / 2};
    }
    return attributes.clip_before_nms ? clip(box) : box;
}

struct Candidate {
    float score;
    int64_t label;
    int64_t prior;
};

// Score descending, then prior index, then label ascending.
bool higher_score(const Candidate& a, const Candidate& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.prior != b.prior ? a.prior < b.prior : a.label < b.label;
}

// Orders the candidates by score and keeps the first `top_k` (all when top_k is negative).
void sort_top_k(std::vector<Candidate>& candidates, int64_t top_k) {
    if (top_k >= 0 && static_cast<size_t>(top_k) < candidates.size()) {
        const auto end = candidates.begin() + static_cast<std::ptrdiff_t>(top_k);
        std::partial_sort(candidates.begin(), end, candidates.end(), higher_score);
        candidates.erase(end, candidates.end());
    } else {
        std::sort(candidates.begin(), candidates.end(), higher_score);
    }
}

// Greedy NMS step: keeps the candidate unless it overlaps a kept prior of its label by more
// than the threshold. Candidates come in score order.
void keep_unless_overlapping(const Candidate& candidate, std::span<const Box> boxes,
                             float threshold, std::vector<int64_t>& kept) {
    const Box& box = boxes[static_cast<size_t>(candidate.prior)];
    for (int64_t k : kept)
        if (jaccard_overlap(box, boxes[static_cast<size_t>(k)]) > threshold) return;
    kept.push_back(candidate.prior);
}

}  // namespace

std::vector<PortType> infer_detection_output_v1(const InferContext& context) {
    return infer_detection_output(context, true);
}

std::vector<PortType> infer_detection_output_v8(const InferContext& context) {
    return infer_detection_output(context, false);
}

void evaluate_detection_output(const Node& node, std::span<const Tensor> inputs,
                               std::vector<Tensor>& outputs) {
    const DetectionOutputAttributes attributes = read_attributes(node.attributes, false);
    const bool refined = inputs.size() == 5;
    const Tensor& proposals = inputs[2];
    const auto batch = static_cast<size_t>(inputs[0].shape()[0]);
    const size_t box_size = attributes.normalized ? 4 : 5;
    const auto priors = static_cast<size_t>(proposals.shape()[2]) / box_size;
    const auto classes = static_cast<size_t>(inputs[1].shape()[1]) / priors;
    const size_t loc_classes = attributes.share_location ? 1 : classes;
    const auto prior_batch = static_cast<size_t>(proposals.shape()[0]);
    const auto prior_rows = static_cast<size_t>(proposals.shape()[1]);
    const auto background = attributes.background_label_id;

    const float* locations = inputs[0].data<float>();
    const float* confidences = inputs[1].data<float>();
    const float* arm_confidences = refined ? inputs[3].data<float>() : nullptr;
    const float* arm_locations = refined ? inputs[4].data<float>() : nullptr;
    Tensor& output = outputs[0];
    float* dst = output.data<float>();
    const auto capacity = static_cast<size_t>(output.shape()[2]);
    size_t count = 0;

    std::vector<Box> prior_boxes(priors);
    std::vector<Box> boxes(loc_classes * priors);  // per location class; decoded when candidates
    std::vector<char> decoded(loc_classes * priors);
    std::vector<float> scores(classes * priors);  // per class
    for (size_t image = 0; image < batch; ++image) {
        const float* prior_data = proposals.data<float>() +
                                  (prior_batch == 1 ? 0 : image) * prior_rows * priors * box_size;
        // Variances follow the boxes row, 4 per prior whatever the box size.
        const float* variances =
            attributes.variance_encoded_in_target ? nullptr : prior_data + priors * box_size;
        const size_t skip = attributes.normalized ? 0 : 1;
        for (size_t p = 0; p < priors; ++p) {
            const float* values = prior_data + p * box_size + skip;
            Box& prior = prior_boxes[p];
            prior = {values[0], values[1], values[2], values[3]};
            if (!attributes.normalized) {
                const auto width = static_cast<float>(attributes.input_width);
                const auto height = static_cast<float>(attributes.input_height);
                prior = {prior.xmin / width, prior.ymin / height, prior.xmax / width,
                         prior.ymax / height};
            }
        }
        const size_t loc_offset = image * priors * loc_classes * 4;
        std::fill(decoded.begin(), decoded.end(), 0);
        // Only the boxes of candidates are ever read: they are decoded as candidates appear.
        const auto decode_candidates = [&](const std::vector<Candidate>& candidates) {
            for (const Candidate& candidate : candidates) {
                const size_t c =
                    attributes.share_location ? 0 : static_cast<size_t>(candidate.label);
                const auto p = static_cast<size_t>(candidate.prior);
                if (decoded[c * priors + p]) continue;
                const float* variance = variances ? variances + p * 4 : nullptr;
                const size_t at = loc_offset + (p * loc_classes + c) * 4;
                Box prior = prior_boxes[p];
                // With the refinement inputs the priors are first moved by aux_box_preds.
                if (refined) prior = decode(attributes, prior, variance, arm_locations + at);
                boxes[c * priors + p] = decode(attributes, prior, variance, locations + at);
                decoded[c * priors + p] = 1;
            }
        };
        const float* image_confidences = confidences + image * priors * classes;
        for (size_t p = 0; p < priors; ++p) {
            // A prior whose objectness is below objectness_score counts as background.
            const bool not_object = refined && arm_confidences[(image * priors + p) * 2 + 1] <
                                                   attributes.objectness_score;
            for (size_t c = 0; c < classes; ++c)
                scores[c * priors + p] = not_object
                                             ? (static_cast<int64_t>(c) == background ? 1.0f : 0.0f)
                                             : image_confidences[p * classes + c];
        }
        auto label_boxes = [&](int64_t label) {
            const size_t c = attributes.share_location ? 0 : static_cast<size_t>(label);
            return std::span<const Box>(boxes).subspan(c * priors, priors);
        };

        std::map<int64_t, std::vector<int64_t>> kept;  // label -> priors, in score order
        if (!attributes.decrease_label_id) {
            // Caffe: per class, the top_k priors above the threshold, then NMS.
            for (size_t c = 0; c < classes; ++c) {
                const auto label = static_cast<int64_t>(c);
                if (label == background) continue;
                std::vector<Candidate> candidates;
                for (size_t p = 0; p < priors; ++p)
                    if (scores[c * priors + p] > attributes.confidence_threshold)
                        candidates.push_back(
                            {scores[c * priors + p], label, static_cast<int64_t>(p)});
                sort_top_k(candidates, attributes.top_k);
                decode_candidates(candidates);
                std::vector<int64_t>& label_kept = kept[label];
                for (const Candidate& candidate : candidates)
                    keep_unless_overlapping(candidate, label_boxes(label), attributes.nms_threshold,
                                            label_kept);
            }
        } else {
            // MXNet: each prior competes once, with its best class (class 0 is background).
            std::vector<Candidate> candidates;
            for (size_t p = 0; p < priors; ++p) {
                float best = -1.0f;
                int64_t best_label = 0;
                for (size_t c = 1; c < classes; ++c) {
                    if (static_cast<int64_t>(c) == background) continue;
                    if (scores[c * priors + p] > best) {
                        best = scores[c * priors + p];
                        best_label = static_cast<int64_t>(c);
                    }
                }
                if (best_label > 0 && best >= attributes.confidence_threshold)
                    candidates.push_back({best, best_label, static_cast<int64_t>(p)});
            }
            sort_top_k(candidates, attributes.top_k);
            decode_candidates(candidates);
            for (const Candidate& candidate : candidates)
                keep_unless_overlapping(candidate, label_boxes(candidate.label),
                                        attributes.nms_threshold, kept[candidate.label]);
        }

        size_t detections = 0;
        for (const auto& [label, label_kept] : kept)
            detections += label_kept.size();
        const int64_t keep_top_k = attributes.keep_top_k[0];
        if (keep_top_k > -1 && detections > static_cast<size_t>(keep_top_k)) {
            std::vector<Candidate> all;
            for (const auto& [label, label_kept] : kept)
                for (int64_t p : label_kept)
                    all.push_back(
                        {scores[static_cast<size_t>(label) * priors + static_cast<size_t>(p)],
                         label, p});
            sort_top_k(all, keep_top_k);
            kept.clear();
            for (const Candidate& candidate : all)
                kept[candidate.label].push_back(candidate.prior);
        }

        // Rows per label ascending, each label's priors by descending score.
        for (const auto& [label, label_kept] : kept) {
            const std::span<const Box> decoded = label_boxes(label);
            for (int64_t p : label_kept) {
                if (count == capacity)
                    throw_runtime(
                        "DetectionOutput found more than the {} detections its output "
                        "holds",
                        capacity);
                const Box box = attributes.clip_after_nms ? clip(decoded[static_cast<size_t>(p)])
                                                          : decoded[static_cast<size_t>(p)];
                float* row = dst + count * 7;
                row[0] = static_cast<float>(image);
                row[1] = static_cast<float>(attributes.decrease_label_id ? label - 1 : label);
                row[2] = scores[static_cast<size_t>(label) * priors + static_cast<size_t>(p)];
                row[3] = box.xmin;
                row[4] = box.ymin;
                row[5] = box.xmax;
                row[6] = box.ymax;
                ++count;
            }
        }
    }
    // Rows after the detections: image id -1 (the first one ends the list), zeros elsewhere.
    for (size_t i = count; i < capacity; ++i) {
        float* row = dst + i * 7;
        std::fill(row, row + 7, 0.0f);
        row[0] = -1.0f;
    }
}

}  // namespace es::graph::ops::detection
