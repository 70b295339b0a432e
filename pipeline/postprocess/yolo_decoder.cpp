#include "pipeline/postprocess/yolo_decoder.h"

#include "pipeline/postprocess/nms.h"

namespace es::pipeline {
namespace {

struct HeadLayout {
    bool v8 = false;  // boxes in columns, no objectness
    size_t boxes = 0;
    size_t classes = 0;
};

std::optional<HeadLayout> head_layout(int64_t dim1, int64_t dim2) {
    if (dim1 <= 0 || dim2 <= 0) return std::nullopt;
    HeadLayout layout;
    layout.v8 = dim1 < dim2;
    const int64_t attributes = layout.v8 ? dim1 : dim2;
    const int64_t box_attributes = layout.v8 ? 4 : 5;
    if (attributes <= box_attributes) return std::nullopt;
    layout.boxes = static_cast<size_t>(layout.v8 ? dim2 : dim1);
    layout.classes = static_cast<size_t>(attributes - box_attributes);
    return layout;
}

// Appends the boxes above `threshold`, in input pixels, with their best class.
template <typename T>
void collect(const T* data, const HeadLayout& layout, float threshold,
             std::vector<Detection>& detections) {
    const size_t boxes = layout.boxes;
    // Attribute a of box i.
    const auto at = [&](size_t i, size_t a) {
        return static_cast<float>(layout.v8 ? data[a * boxes + i]
                                            : data[i * (layout.classes + 5) + a]);
    };
    const size_t first_class = layout.v8 ? 4 : 5;
    for (size_t i = 0; i < boxes; ++i) {
        const float objectness = layout.v8 ? 1.0f : at(i, 4);
        if (!(objectness >= threshold)) continue;
        size_t best = 0;
        float best_score = at(i, first_class);
        for (size_t c = 1; c < layout.classes; ++c) {
            const float score = at(i, first_class + c);
            if (score > best_score) {
                best = c;
                best_score = score;
            }
        }
        const float confidence = objectness * best_score;
        if (!(confidence >= threshold)) continue;
        const float cx = at(i, 0), cy = at(i, 1), w = at(i, 2), h = at(i, 3);
        Detection detection;
        detection.x_min = cx - w / 2;
        detection.y_min = cy - h / 2;
        detection.x_max = cx + w / 2;
        detection.y_max = cy + h / 2;
        detection.confidence = confidence;
        detection.label_id = static_cast<int>(best);
        detections.push_back(std::move(detection));
    }
}

}  // namespace

YoloDecoder::YoloDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs)
    : Decoder(std::move(options)) {
    for (size_t i = 0; i < outputs.size(); ++i) {
        const auto& shape = outputs[i].type.shape;
        if (!shape.rank_known() || shape.rank() != 3) continue;
        if (shape.is_static() && !head_layout(shape[1], shape[2])) continue;
        m_output = i;
        return;
    }
    throw_bad_input(
        "decoder yolo: expected an output of shape [1,N,5+C] (YOLOv5) or [1,4+C,N] (YOLOv8); "
        "the model's outputs are {}",
        describe_outputs(outputs));
}

void YoloDecoder::decode(std::span<const Tensor> outputs, size_t batch_index,
                         const LetterboxTransform& transform,
                         std::vector<Detection>& detections) const {
    if (m_output >= outputs.size())
        throw_runtime("yolo decoder: output {} is missing ({} given)", m_output, outputs.size());
    const Tensor& tensor = outputs[m_output];
    const auto layout =
        tensor.rank() == 3 ? head_layout(tensor.shape()[1], tensor.shape()[2]) : std::nullopt;
    if (!layout || batch_index >= static_cast<size_t>(tensor.shape()[0]))
        throw_runtime(
            "yolo decoder: output of shape {} for image {}; expected [B,N,5+C] or "
            "[B,4+C,N]",
            es::to_string(tensor.shape()), batch_index);
    const size_t first = detections.size();
    const size_t image_size = tensor.size() / static_cast<size_t>(tensor.shape()[0]);
    with_float_data(tensor, "yolo", [&](const auto* data) {
        collect(data + batch_index * image_size, *layout, options().threshold, detections);
    });
    nms_per_class(detections, first, options().nms_iou);
    to_source(detections, first, transform);
}

}  // namespace es::pipeline
