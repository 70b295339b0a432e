#include "pipeline/postprocess/centernet_decoder.h"

#include "pipeline/postprocess/nms.h"

#include <cmath>

namespace es::pipeline {
namespace {

bool is_detections_shape(const PartialShape& shape) {
    return shape.rank_known() && shape.rank() == 3 && shape[2] == 6;
}

}  // namespace

CenterNetDecoder::CenterNetDecoder(DecoderOptions options,
                                   const std::vector<runtime::PortInfo>& outputs)
    : Decoder(std::move(options)) {
    // By name first: the model has other outputs (the heat map, the sizes).
    for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].name == "tower_0/detections" && is_detections_shape(outputs[i].type.shape)) {
            m_output = i;
            return;
        }
    for (size_t i = 0; i < outputs.size(); ++i)
        if (is_detections_shape(outputs[i].type.shape)) {
            m_output = i;
            return;
        }
    throw_bad_input(
        "decoder centernet: expected an output of shape [1,N,6] (tower_0/detections); the "
        "model's outputs are {}",
        describe_outputs(outputs));
}

void CenterNetDecoder::decode(std::span<const Tensor> outputs, size_t batch_index,
                              const LetterboxTransform& transform,
                              std::vector<Detection>& detections) const {
    if (m_output >= outputs.size())
        throw_runtime("centernet decoder: output {} is missing ({} given)", m_output,
                      outputs.size());
    const Tensor& tensor = outputs[m_output];
    if (tensor.rank() != 3 || tensor.shape()[2] != 6 ||
        batch_index >= static_cast<size_t>(tensor.shape()[0]))
        throw_runtime("centernet decoder: output of shape {} for image {}; expected [B,N,6]",
                      es::to_string(tensor.shape()), batch_index);
    const size_t first = detections.size();
    const size_t rows = static_cast<size_t>(tensor.shape()[1]);
    const float threshold = options().threshold;
    with_float_data(tensor, "centernet", [&](const auto* data) {
        const auto* image = data + batch_index * rows * 6;
        for (size_t row = 0; row < rows; ++row) {
            const auto* values = image + row * 6;
            const float confidence = static_cast<float>(values[4]);
            const float label_id = static_cast<float>(values[5]);
            if (!(confidence >= threshold) || !(label_id >= 0.0f && label_id < 1e6f)) continue;
            Detection detection;
            detection.x_min = static_cast<float>(values[0]);
            detection.y_min = static_cast<float>(values[1]);
            detection.x_max = static_cast<float>(values[2]);
            detection.y_max = static_cast<float>(values[3]);
            detection.confidence = confidence;
            detection.label_id = static_cast<int>(std::lround(label_id));
            detections.push_back(std::move(detection));
        }
    });
    nms_per_class(detections, first, options().nms_iou);
    to_source(detections, first, transform);
}

}  // namespace es::pipeline
