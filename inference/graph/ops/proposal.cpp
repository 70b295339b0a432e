#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>

namespace es::graph::ops {
namespace {

// Proposal-1 and Proposal-4 (Faster R-CNN / R-FCN region proposals), as the OpenVINO opset
// specification and its reference implementation define them.
struct ProposalAttributes {
    int64_t base_size = 0;
    int64_t pre_nms_topn = 0;
    int64_t post_nms_topn = 0;
    float nms_thresh = 0.0f;
    int64_t feat_stride = 0;
    float min_size = 0.0f;
    std::vector<float> ratios;
    std::vector<float> scales;
    bool clip_before_nms = true;
    bool clip_after_nms = false;
    bool normalize = false;
    float box_size_scale = 1.0f;
    float box_coordinate_scale = 1.0f;
    bool tensorflow = false;  // framework "tensorflow"; anything else is Caffe's convention
};

// Bounds the output so that a bad attribute cannot allocate without limit.
constexpr int64_t k_max_topn = int64_t{1} << 24;

ProposalAttributes read_attributes(const Attributes& attributes) {
    ProposalAttributes result;
    result.base_size = attributes.get_int("base_size");
    result.pre_nms_topn = attributes.get_int("pre_nms_topn");
    result.post_nms_topn = attributes.get_int("post_nms_topn");
    result.nms_thresh = static_cast<float>(attributes.get_float("nms_thresh"));
    result.feat_stride = attributes.get_int("feat_stride");
    result.min_size = static_cast<float>(attributes.get_float("min_size"));
    for (double ratio : attributes.get_floats("ratio"))
        result.ratios.push_back(static_cast<float>(ratio));
    for (double scale : attributes.get_floats("scale"))
        result.scales.push_back(static_cast<float>(scale));
    result.clip_before_nms = attributes.get_bool("clip_before_nms", true);
    result.clip_after_nms = attributes.get_bool("clip_after_nms", false);
    result.normalize = attributes.get_bool("normalize", false);
    result.box_size_scale = static_cast<float>(attributes.get_float("box_size_scale", 1.0));
    result.box_coordinate_scale =
        static_cast<float>(attributes.get_float("box_coordinate_scale", 1.0));
    result.tensorflow = attributes.get_string("framework", "") == "tensorflow";
    if (result.base_size <= 0 || result.feat_stride <= 0)
        throw_bad_input("attributes 'base_size' and 'feat_stride' are {} and {}, expected positive",
                        result.base_size, result.feat_stride);
    if (result.pre_nms_topn <= 0 || result.post_nms_topn <= 0 || result.pre_nms_topn > k_max_topn ||
        result.post_nms_topn > k_max_topn)
        throw_bad_input(
            "attributes 'pre_nms_topn' and 'post_nms_topn' are {} and {}, expected positive counts",
            result.pre_nms_topn, result.post_nms_topn);
    if (result.ratios.empty() || result.scales.empty())
        throw_bad_input("attributes 'ratio' and 'scale' need at least one value each");
    if (!(result.box_size_scale > 0.0f) || !(result.box_coordinate_scale > 0.0f))
        throw_bad_input("attributes 'box_size_scale' and 'box_coordinate_scale' must be positive");
    return result;
}

size_t anchor_count(const ProposalAttributes& attributes) {
    return attributes.ratios.size() * attributes.scales.size();
}

// Outputs [N * post_nms_topn, 5] (batch index, x0, y0, x1, y1) and, from opset 4,
// [N * post_nms_topn] scores.
std::vector<PortType> infer_proposal(const InferContext& context, bool with_scores) {
    const ProposalAttributes attributes = read_attributes(context.attributes());
    const PortType& probs = context.input(0);
    if (!is_float(probs.type))
        throw_bad_input("input 0 (class_probs) has element type {}, expected a floating-point type",
                        to_string(probs.type));
    // The kernel reads every input as f32 (the reference engine widens f16), so the inputs may
    // differ in float width; an integer input is an error.
    for (size_t i = 1; i < 3; ++i)
        if (!is_float(context.input(i).type))
            throw_bad_input("input {} has element type {}, expected a floating-point type", i,
                            to_string(context.input(i).type));
    expect_rank(context, 0, 4, "class_probs");
    expect_rank(context, 1, 4, "bbox_deltas");
    expect_rank(context, 2, 1, "image_shape");
    const PartialShape& deltas = context.input(1).shape;
    const PartialShape& image = context.input(2).shape;
    if (image.rank_known() && image[0] >= 0 && image[0] != 3 && image[0] != 4)
        throw_bad_input("input 2 (image_shape) has shape {}, expected [3] or [4]",
                        to_string(image));
    const auto anchors = static_cast<int64_t>(anchor_count(attributes));
    int64_t batch = k_dynamic;
    if (probs.shape.rank_known()) {
        batch = probs.shape[0];
        if (probs.shape[1] >= 0 && probs.shape[1] != 2 * anchors)
            throw_bad_input(
                "input 0 (class_probs) has shape {}, expected 2 x {} channels for {} ratios "
                "times {} scales",
                to_string(probs.shape), anchors, attributes.ratios.size(),
                attributes.scales.size());
    }
    if (deltas.rank_known()) {
        if (deltas[1] >= 0 && deltas[1] != 4 * anchors)
            throw_bad_input("input 1 (bbox_deltas) has shape {}, expected 4 x {} channels",
                            to_string(deltas), anchors);
        for (size_t d = 0; d < 4; ++d)
            if (d != 1 && probs.shape.rank_known() && probs.shape[d] >= 0 && deltas[d] >= 0 &&
                probs.shape[d] != deltas[d])
                throw_bad_input("input 1 (bbox_deltas) has shape {}, which does not match {}",
                                to_string(deltas), to_string(probs.shape));
        if (batch < 0) batch = deltas[0];
    }
    const int64_t rows = batch >= 0 ? batch * attributes.post_nms_topn : k_dynamic;
    std::vector<PortType> outputs{{probs.type, PartialShape{rows, 5}}};
    if (with_scores) outputs.push_back({probs.type, PartialShape{rows}});
    return outputs;
}

std::vector<PortType> infer_proposal_v1(const InferContext& context) {
    return infer_proposal(context, false);
}

std::vector<PortType> infer_proposal_v4(const InferContext& context) {
    return infer_proposal(context, true);
}

struct Box {
    float x0, y0, x1, y1, score;
};

// Anchors centred on the first cell, in the order ratio-major, scale-minor: x0, y0, x1, y1.
std::vector<Box> make_anchors(const ProposalAttributes& attributes) {
    const float offset = attributes.tensorflow ? 0.0f : 1.0f;
    const auto base = static_cast<float>(attributes.base_size);
    const float area = base * base;
    const float center = 0.5f * (base - offset);
    std::vector<Box> anchors;
    for (float ratio : attributes.ratios) {
        // Caffe rounds the anchor sides to whole pixels; TensorFlow keeps them exact.
        float width = std::sqrt(area / ratio);
        float height = width * ratio;
        if (!attributes.tensorflow) {
            width = std::round(width);
            height = std::round(width * ratio);
        }
        for (float scale : attributes.scales) {
            const float half_w = 0.5f * (width * scale - offset);
            const float half_h = 0.5f * (height * scale - offset);
            Box anchor{center - half_w, center - half_h, center + half_w, center + half_h, 0.0f};
            if (attributes.tensorflow) {
                anchor.x0 -= 0.5f * base;
                anchor.y0 -= 0.5f * base;
                anchor.x1 -= 0.5f * base;
                anchor.y1 -= 0.5f * base;
            }
            anchors.push_back(anchor);
        }
    }
    return anchors;
}

struct Image {
    float height, width, min_box_h, min_box_w;
};

// Every anchor at every cell of one batch item, moved by its deltas; boxes smaller than the
// minimum size get score 0. Index: (y * W + x) * K + anchor.
std::vector<Box> enumerate_proposals(const float* scores, const float* deltas,
                                     const std::vector<Box>& anchors, int64_t height, int64_t width,
                                     const Image& image, const ProposalAttributes& attributes) {
    const float offset = attributes.tensorflow ? 0.0f : 1.0f;
    const bool tensorflow = attributes.tensorflow;  // clips the anchors first; swaps x and y
    const auto area = static_cast<size_t>(height * width);
    const size_t count = anchors.size();
    std::vector<Box> proposals(area * count);
    const auto clamp = [](float value, float high) {
        return std::max(0.0f, std::min(value, high));
    };
    for (int64_t h = 0; h < height; ++h) {
        for (int64_t w = 0; w < width; ++w) {
            const auto cell = static_cast<size_t>(h * width + w);
            const auto x = static_cast<float>((tensorflow ? h : w) * attributes.feat_stride);
            const auto y = static_cast<float>((tensorflow ? w : h) * attributes.feat_stride);
            for (size_t k = 0; k < count; ++k) {
                const float dx =
                    deltas[(k * 4 + 0) * area + cell] / attributes.box_coordinate_scale;
                const float dy =
                    deltas[(k * 4 + 1) * area + cell] / attributes.box_coordinate_scale;
                const float dw = deltas[(k * 4 + 2) * area + cell] / attributes.box_size_scale;
                const float dh = deltas[(k * 4 + 3) * area + cell] / attributes.box_size_scale;
                float x0 = x + anchors[k].x0, y0 = y + anchors[k].y0;
                float x1 = x + anchors[k].x1, y1 = y + anchors[k].y1;
                if (tensorflow) {
                    x0 = clamp(x0, image.width);
                    y0 = clamp(y0, image.height);
                    x1 = clamp(x1, image.width);
                    y1 = clamp(y1, image.height);
                }
                const float box_w = x1 - x0 + offset;
                const float box_h = y1 - y0 + offset;
                const float center_x = dx * box_w + (x0 + 0.5f * box_w);
                const float center_y = dy * box_h + (y0 + 0.5f * box_h);
                const float new_w = std::exp(dw) * box_w;
                const float new_h = std::exp(dh) * box_h;
                x0 = center_x - 0.5f * new_w;
                y0 = center_y - 0.5f * new_h;
                x1 = center_x + 0.5f * new_w;
                y1 = center_y + 0.5f * new_h;
                if (attributes.clip_before_nms) {
                    x0 = clamp(x0, image.width - offset);
                    y0 = clamp(y0, image.height - offset);
                    x1 = clamp(x1, image.width - offset);
                    y1 = clamp(y1, image.height - offset);
                }
                const bool big_enough =
                    image.min_box_w <= x1 - x0 + offset && image.min_box_h <= y1 - y0 + offset;
                const float score = scores[k * area + cell];
                proposals[cell * count + k] = {x0, y0, x1, y1, big_enough ? score : 0.0f};
            }
        }
    }
    return proposals;
}

// Greedy NMS over boxes sorted by score: keeps a box unless an earlier kept one overlaps it by
// more than `threshold` IoU (areas count the +1 pixel in Caffe's convention).
std::vector<size_t> non_max_suppression(const std::vector<Box>& boxes, size_t count,
                                        float threshold, size_t max_out, float offset) {
    std::vector<size_t> kept;
    std::vector<bool> dead(count, false);
    for (size_t i = 0; i < count && kept.size() < max_out; ++i) {
        if (dead[i]) continue;
        kept.push_back(i);
        const Box& a = boxes[i];
        for (size_t j = i + 1; j < count; ++j) {
            const Box& b = boxes[j];
            if (!(a.x0 <= b.x1 && a.y0 <= b.y1 && b.x0 <= a.x1 && b.y0 <= a.y1)) continue;
            const float w = std::max(0.0f, std::min(a.x1, b.x1) - std::max(a.x0, b.x0) + offset);
            const float h = std::max(0.0f, std::min(a.y1, b.y1) - std::max(a.y0, b.y0) + offset);
            const float overlap = w * h;
            const float area_a = (a.x1 - a.x0 + offset) * (a.y1 - a.y0 + offset);
            const float area_b = (b.x1 - b.x0 + offset) * (b.y1 - b.y0 + offset);
            if (threshold < overlap / (area_a + area_b - overlap)) dead[j] = true;
        }
    }
    return kept;
}

void evaluate_proposal(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs) {
    const ProposalAttributes attributes = read_attributes(node.attributes);
    for (const Tensor& input : inputs)
        if (input.type() != ElementType::f32)
            throw_bad_input("element type {} is not supported here, expected f32",
                            to_string(input.type()));
    const Shape& shape = inputs[0].shape();
    const int64_t batch = shape[0], height = shape[2], width = shape[3];
    const std::vector<Box> anchors = make_anchors(attributes);
    const auto count = static_cast<int64_t>(anchors.size());
    if (shape[1] != 2 * count || inputs[1].shape() != Shape{batch, 4 * count, height, width})
        throw_bad_input(
            "inputs 0 and 1 have shapes {} and {}, expected [N, {}, H, W] and "
            "[N, {}, H, W]",
            to_string(shape), to_string(inputs[1].shape()), 2 * count, 4 * count);
    const auto image_info = inputs[2].to_doubles();
    if (image_info.size() != 3 && image_info.size() != 4)
        throw_bad_input("input 2 (image_shape) has {} values, expected 3 or 4", image_info.size());
    // [height, width, scale] or [height, width, scale_h, scale_w].
    const auto scale_h = static_cast<float>(image_info[2]);
    const auto scale_w = static_cast<float>(image_info.size() == 4 ? image_info[3] : image_info[2]);
    const Image image{static_cast<float>(image_info[0]), static_cast<float>(image_info[1]),
                      attributes.min_size * scale_h, attributes.min_size * scale_w};
    const float offset = attributes.tensorflow ? 0.0f : 1.0f;
    const auto post_nms = static_cast<size_t>(attributes.post_nms_topn);
    const auto per_item = static_cast<size_t>(count * height * width);
    const size_t pre_nms = std::min(per_item, static_cast<size_t>(attributes.pre_nms_topn));
    float* rois = outputs[0].data<float>();
    float* probs = outputs.size() > 1 ? outputs[1].data<float>() : nullptr;
    std::fill(rois, rois + outputs[0].size(), 0.0f);
    if (probs) std::fill(probs, probs + outputs[1].size(), 0.0f);
    for (int64_t n = 0; n < batch; ++n) {
        // Input 0 holds K background then K foreground maps per item; only the latter count.
        const float* scores =
            inputs[0].data<float>() + (2 * n + 1) * static_cast<int64_t>(per_item);
        const float* deltas = inputs[1].data<float>() + 4 * n * static_cast<int64_t>(per_item);
        std::vector<Box> proposals =
            enumerate_proposals(scores, deltas, anchors, height, width, image, attributes);
        // Stable, so that equal scores keep the enumeration order on every device.
        std::stable_sort(proposals.begin(), proposals.end(),
                         [](const Box& a, const Box& b) { return a.score > b.score; });
        const std::vector<size_t> kept =
            non_max_suppression(proposals, pre_nms, attributes.nms_thresh, post_nms, offset);
        float* item_rois = rois + static_cast<size_t>(n) * post_nms * 5;
        float* item_probs = probs ? probs + static_cast<size_t>(n) * post_nms : nullptr;
        for (size_t r = 0; r < kept.size(); ++r) {
            Box box = proposals[kept[r]];
            if (attributes.clip_after_nms) {
                box.x0 = std::max(0.0f, std::min(box.x0, image.width));
                box.y0 = std::max(0.0f, std::min(box.y0, image.height));
                box.x1 = std::max(0.0f, std::min(box.x1, image.width));
                box.y1 = std::max(0.0f, std::min(box.y1, image.height));
            }
            if (attributes.normalize) {
                box.x0 /= image.width;
                box.y0 /= image.height;
                box.x1 /= image.width;
                box.y1 /= image.height;
            }
            float* row = item_rois + r * 5;
            row[0] = static_cast<float>(n);
            row[1] = box.x0;
            row[2] = box.y0;
            row[3] = box.x1;
            row[4] = box.y1;
            if (item_probs) item_probs[r] = box.score;
        }
        // Rows past the last proposal stay 0; the first of them gets batch index -1.
        if (kept.size() < post_nms) item_rois[kept.size() * 5] = -1.0f;
    }
}

}  // namespace

void add_proposal_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Proposal", 1, 3, 3, infer_proposal_v1, evaluate_proposal});
    ops.push_back({"Proposal", 4, 3, 3, infer_proposal_v4, evaluate_proposal});
}

}  // namespace es::graph::ops
