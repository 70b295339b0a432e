#include "inference/graph/ops/detection.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace es::graph::ops::detection {
namespace {

enum class BoxEncoding { corner, center };

struct NmsAttributes {
    BoxEncoding box_encoding = BoxEncoding::corner;
    bool sort_result_descending = true;
    ElementType output_type = ElementType::i64;
};

NmsAttributes read_attributes(const Attributes& attributes, int version) {
    NmsAttributes result;
    const std::string encoding = attributes.get_string("box_encoding", "corner");
    if (encoding == "corner")
        result.box_encoding = BoxEncoding::corner;
    else if (encoding == "center")
        result.box_encoding = BoxEncoding::center;
    else
        throw_bad_input("attribute 'box_encoding' is '{}', expected corner or center", encoding);
    result.sort_result_descending = attributes.get_bool("sort_result_descending", true);
    if (version >= 3 && attributes.has("output_type")) {
        result.output_type = attributes.get_element_type("output_type");
        if (result.output_type != ElementType::i64 && result.output_type != ElementType::i32)
            throw_bad_input("attribute 'output_type' is {}, expected i64 or i32",
                            to_string(result.output_type));
    }
    return result;
}

const char* input_name(size_t i) {
    static constexpr const char* names[] = {
        "boxes",         "scores",          "max_output_boxes_per_class",
        "iou_threshold", "score_threshold", "soft_nms_sigma"};
    return names[i];
}

void expect_float(const InferContext& context, size_t i) {
    const ElementType type = context.input(i).type;
    if (type != ElementType::f32 && type != ElementType::f16)
        throw_bad_input("input {} ({}) has element type {}, expected f32 or f16", i, input_name(i),
                        to_string(type));
}

// The optional inputs hold one value: a scalar or a 1-element 1-D tensor.
void expect_single_value(const InferContext& context, size_t i) {
    const PartialShape& shape = context.input(i).shape;
    if (!shape.rank_known()) return;
    if (shape.rank() == 0 || (shape.rank() == 1 && (shape[0] == 1 || shape[0] == k_dynamic)))
        return;
    throw_bad_input("input {} ({}) has shape {}, expected a scalar", i, input_name(i),
                    to_string(shape));
}

struct NmsDims {
    int64_t batches = k_dynamic;
    int64_t boxes = k_dynamic;
    int64_t classes = k_dynamic;
    std::optional<int64_t> max_boxes;  // max_output_boxes_per_class when known, clamped at 0
};

NmsDims check_inputs(const InferContext& context) {
    expect_float(context, 0);
    expect_float(context, 1);
    expect_rank(context, 0, 3, "boxes");
    expect_rank(context, 1, 3, "scores");
    const PartialShape& boxes = context.input(0).shape;
    const PartialShape& scores = context.input(1).shape;
    NmsDims dims;
    if (boxes.rank_known()) {
        if (boxes[2] != k_dynamic && boxes[2] != 4)
            throw_bad_input("input 0 (boxes) has shape {}, expected [batches, boxes, 4]",
                            to_string(boxes));
        dims.batches = boxes[0];
        dims.boxes = boxes[1];
    }
    if (scores.rank_known()) {
        auto merge = [&](int64_t& dim, int64_t value, const char* what) {
            if (value == k_dynamic) return;
            if (dim != k_dynamic && dim != value)
                throw_bad_input("input 1 (scores) has shape {}, but boxes {} has {} {}",
                                to_string(scores), to_string(boxes), dim, what);
            dim = value;
        };
        merge(dims.batches, scores[0], "batches");
        merge(dims.boxes, scores[2], "boxes");
        dims.classes = scores[1];
    }
    for (size_t i = 2; i < context.input_count(); ++i) {
        if (i == 2)
            expect_integer(context, i, input_name(i));
        else
            expect_float(context, i);
        expect_single_value(context, i);
    }
    if (context.input_count() < 3) {
        dims.max_boxes = 0;
    } else if (const auto value = constant_ints(context, 2)) {
        if (value->size() != 1)
            throw_bad_input("input 2 (max_output_boxes_per_class) has {} values, expected 1",
                            value->size());
        dims.max_boxes = std::max<int64_t>((*value)[0], 0);
    }
    return dims;
}

bool all_known(std::initializer_list<int64_t> dims) {
    return std::all_of(dims.begin(), dims.end(), [](int64_t dim) { return dim != k_dynamic; });
}

// NonMaxSuppression-1 and -3: [min(boxes, max_output_boxes_per_class * classes), 3].
std::vector<PortType> infer_nms_v1_v3(const InferContext& context, int version) {
    const NmsAttributes attributes = read_attributes(context.attributes(), version);
    const NmsDims dims = check_inputs(context);
    int64_t rows = k_dynamic;
    if (dims.max_boxes && all_known({dims.boxes, dims.classes})) {
        const int64_t max_boxes = *dims.max_boxes;
        const bool fits = dims.classes == 0 || max_boxes <= dims.boxes / dims.classes;
        rows = fits ? std::min(dims.boxes, max_boxes * dims.classes) : dims.boxes;
    }
    return {{attributes.output_type, PartialShape{rows, 3}}};
}

struct Box {
    float ymin, xmin, ymax, xmax;
};

float intersection_over_union(const Box& a, const Box& b) {
    const float area_a = (a.ymax - a.ymin) * (a.xmax - a.xmin);
    const float area_b = (b.ymax - b.ymin) * (b.xmax - b.xmin);
    if (area_a <= 0.0f || area_b <= 0.0f) return 0.0f;
    const float height = std::max(std::min(a.ymax, b.ymax) - std::max(a.ymin, b.ymin), 0.0f);
    const float width = std::max(std::min(a.xmax, b.xmax) - std::max(a.xmin, b.xmin), 0.0f);
    const float intersection = height * width;
    return intersection / (area_a + area_b - intersection);
}

// Corners in any diagonal order, or [x_center, y_center, width, height].
std::vector<Box> read_boxes(const float* data, size_t count, BoxEncoding encoding) {
    std::vector<Box> boxes(count);
    for (size_t i = 0; i < count; ++i) {
        const float* v = data + i * 4;
        if (encoding == BoxEncoding::corner)
            boxes[i] = {std::min(v[0], v[2]), std::min(v[1], v[3]), std::max(v[0], v[2]),
                        std::max(v[1], v[3])};
        else
            boxes[i] = {v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2};
    }
    return boxes;
}

struct Selected {
    int64_t batch;
    int64_t label;
    int64_t box;
    float score;
};

struct NmsParameters {
    int64_t max_boxes = 0;
    float iou_threshold = 0.0f;
    float score_threshold = 0.0f;
    float soft_nms_sigma = 0.0f;
    bool iou_limits_soft_nms = false;  // -5: soft-NMS still drops boxes above iou_threshold
};

// Selects boxes of one class of one batch element, appending them in selection order.
// Boxes compete while their (decayed) score is above score_threshold, like the OpenVINO, ONNX
// and TensorFlow kernels; the highest score goes first, ties to the lower box index.
void select_class(const std::vector<Box>& boxes, const float* scores, const NmsParameters& nms,
                  int64_t batch, int64_t label, std::vector<Selected>& selected) {
    struct Candidate {
        float score;
        int64_t box;
    };
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < boxes.size(); ++i)
        if (scores[i] > nms.score_threshold)
            candidates.push_back({scores[i], static_cast<int64_t>(i)});
    auto higher = [](const Candidate& a, const Candidate& b) {
        return a.score > b.score || (a.score == b.score && a.box < b.box);
    };
    const size_t first = selected.size();
    const auto limit = static_cast<size_t>(nms.max_boxes);
    if (nms.soft_nms_sigma <= 0.0f) {
        std::sort(candidates.begin(), candidates.end(), higher);
        for (const Candidate& candidate : candidates) {
            if (selected.size() - first >= limit) break;
            const Box& box = boxes[static_cast<size_t>(candidate.box)];
            const bool suppressed = std::any_of(
                selected.begin() + static_cast<std::ptrdiff_t>(first), selected.end(),
                [&](const Selected& kept) {
                    return intersection_over_union(box, boxes[static_cast<size_t>(kept.box)]) >
                           nms.iou_threshold;
                });
            if (!suppressed) selected.push_back({batch, label, candidate.box, candidate.score});
        }
        return;
    }
    // Soft-NMS (Bodla et al.): each selection scales the remaining scores by
    // exp(-0.5 * iou^2 / sigma); boxes decayed to score_threshold or below drop out.
    const float scale = -0.5f / nms.soft_nms_sigma;
    while (!candidates.empty() && selected.size() - first < limit) {
        const auto best = std::min_element(candidates.begin(), candidates.end(), higher);
        const Candidate chosen = *best;
        candidates.erase(best);
        selected.push_back({batch, label, chosen.box, chosen.score});
        const Box& chosen_box = boxes[static_cast<size_t>(chosen.box)];
        std::erase_if(candidates, [&](Candidate& candidate) {
            const float iou =
                intersection_over_union(boxes[static_cast<size_t>(candidate.box)], chosen_box);
            if (nms.iou_limits_soft_nms && iou > nms.iou_threshold) return true;
            if (iou == 0.0f) return false;  // weight 1
            candidate.score *= std::exp(scale * iou * iou);
            return !(candidate.score > nms.score_threshold);
        });
    }
}

float single_float(std::span<const Tensor> inputs, size_t i) {
    return i < inputs.size() ? static_cast<float>(inputs[i].to_doubles().at(0)) : 0.0f;
}

// Runs NMS over every batch element and class; the result in output order.
std::vector<Selected> run_nms(const Node& node, std::span<const Tensor> inputs, int version) {
    const NmsAttributes attributes = read_attributes(node.attributes, version);
    NmsParameters nms;
    nms.max_boxes = inputs.size() > 2 ? std::max<int64_t>(inputs[2].to_int64s().at(0), 0) : 0;
    nms.iou_threshold = single_float(inputs, 3);
    nms.score_threshold = single_float(inputs, 4);
    nms.soft_nms_sigma = version >= 5 ? single_float(inputs, 5) : 0.0f;
    nms.iou_limits_soft_nms = version == 5;

    const Shape& scores_shape = inputs[1].shape();
    const auto batches = static_cast<size_t>(scores_shape[0]);
    const auto classes = static_cast<size_t>(scores_shape[1]);
    const auto count = static_cast<size_t>(scores_shape[2]);
    const float* boxes = inputs[0].data<float>();
    const float* scores = inputs[1].data<float>();
    std::vector<Selected> selected;
    for (size_t b = 0; b < batches; ++b) {
        const std::vector<Box> batch_boxes =
            read_boxes(boxes + b * count * 4, count, attributes.box_encoding);
        for (size_t c = 0; c < classes; ++c)
            select_class(batch_boxes, scores + (b * classes + c) * count, nms,
                         static_cast<int64_t>(b), static_cast<int64_t>(c), selected);
    }
    // Sorted across batches and classes by score; ties keep batch, class, selection order.
    if (attributes.sort_result_descending)
        std::stable_sort(selected.begin(), selected.end(),
                         [](const Selected& a, const Selected& b) { return a.score > b.score; });
    return selected;
}

template <typename T>
void write_indices(Tensor& output, const std::vector<Selected>& selected, size_t rows) {
    T* dst = output.data<T>();
    for (size_t i = 0; i < rows; ++i) {
        const bool valid = i < selected.size();
        dst[i * 3 + 0] = valid ? static_cast<T>(selected[i].batch) : T(-1);
        dst[i * 3 + 1] = valid ? static_cast<T>(selected[i].label) : T(-1);
        dst[i * 3 + 2] = valid ? static_cast<T>(selected[i].box) : T(-1);
    }
}

void write_all_indices(Tensor& output, const std::vector<Selected>& selected, size_t rows) {
    if (output.type() == ElementType::i32)
        write_indices<int32_t>(output, selected, rows);
    else
        write_indices<int64_t>(output, selected, rows);
}

// -1 to -4: a static number of rows; those after the selected boxes hold -1. Selections beyond
// the rows (possible with the -1/-3 bound) are dropped.
void evaluate_padded(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs,
                     int version) {
    std::vector<Selected> selected = run_nms(node, inputs, version);
    const auto rows = static_cast<size_t>(outputs[0].shape()[0]);
    if (selected.size() > rows) selected.resize(rows);
    write_all_indices(outputs[0], selected, rows);
}

// -5 and -9: as many rows as selected boxes, their scores, and their count.
void evaluate_dynamic(const Node& node, std::span<const Tensor> inputs,
                      std::vector<Tensor>& outputs, int version) {
    const std::vector<Selected> selected = run_nms(node, inputs, version);
    const ElementType output_type = read_attributes(node.attributes, version).output_type;
    const auto rows = static_cast<int64_t>(selected.size());
    outputs[0] = Tensor(output_type, {rows, 3});
    write_all_indices(outputs[0], selected, selected.size());
    outputs[1] = Tensor(ElementType::f32, {rows, 3});
    float* scores = outputs[1].data<float>();
    for (size_t i = 0; i < selected.size(); ++i) {
        scores[i * 3 + 0] = static_cast<float>(selected[i].batch);
        scores[i * 3 + 1] = static_cast<float>(selected[i].label);
        scores[i * 3 + 2] = selected[i].score;
    }
    outputs[2] = Tensor(output_type, {1});
    if (output_type == ElementType::i32)
        outputs[2].data<int32_t>()[0] = static_cast<int32_t>(rows);
    else
        outputs[2].data<int64_t>()[0] = rows;
}

std::vector<PortType> infer_nms_v5_v9(const InferContext& context, int version) {
    const NmsAttributes attributes = read_attributes(context.attributes(), version);
    check_inputs(context);
    return {{attributes.output_type, PartialShape{k_dynamic, 3}},
            {ElementType::f32, PartialShape{k_dynamic, 3}},
            {attributes.output_type, PartialShape{1}}};
}

}  // namespace

std::vector<PortType> infer_nms_v1(const InferContext& context) {
    return infer_nms_v1_v3(context, 1);
}

std::vector<PortType> infer_nms_v3(const InferContext& context) {
    return infer_nms_v1_v3(context, 3);
}

// [min(boxes, max_output_boxes_per_class) * batches * classes, 3].
std::vector<PortType> infer_nms_v4(const InferContext& context) {
    const NmsAttributes attributes = read_attributes(context.attributes(), 4);
    const NmsDims dims = check_inputs(context);
    int64_t rows = k_dynamic;
    if (dims.max_boxes && all_known({dims.boxes, dims.batches, dims.classes}))
        rows = static_cast<int64_t>(
            shape_size({std::min(dims.boxes, *dims.max_boxes), dims.batches, dims.classes, 3}) / 3);
    return {{attributes.output_type, PartialShape{rows, 3}}};
}

std::vector<PortType> infer_nms_v5(const InferContext& context) {
    return infer_nms_v5_v9(context, 5);
}

std::vector<PortType> infer_nms_v9(const InferContext& context) {
    return infer_nms_v5_v9(context, 9);
}

void evaluate_nms_v1(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    evaluate_padded(node, inputs, outputs, 1);
}

void evaluate_nms_v3(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    evaluate_padded(node, inputs, outputs, 3);
}

void evaluate_nms_v4(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    evaluate_padded(node, inputs, outputs, 4);
}

void evaluate_nms_v5(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    evaluate_dynamic(node, inputs, outputs, 5);
}

void evaluate_nms_v9(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    evaluate_dynamic(node, inputs, outputs, 9);
}

}  // namespace es::graph::ops::detection
