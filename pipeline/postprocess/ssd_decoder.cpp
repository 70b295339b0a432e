#include "pipeline/postprocess/ssd_decoder.h"

#include <cmath>

namespace es::pipeline {

SsdDecoder::SsdDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs)
    : Decoder(std::move(options)) {
    for (size_t i = 0; i < outputs.size(); ++i) {
        const auto& shape = outputs[i].type.shape;
        if (shape.rank_known() && shape.rank() >= 2 && shape[shape.rank() - 1] == 7) {
            m_output = i;
            return;
        }
    }
    throw_bad_input(
        "decoder ssd: expected an output of shape [1,1,N,7] (DetectionOutput); the model's "
        "outputs are {}",
        describe_outputs(outputs));
}

void SsdDecoder::decode(std::span<const Tensor> outputs, size_t batch_index,
                        const LetterboxTransform& transform,
                        std::vector<Detection>& detections) const {
    if (m_output >= outputs.size())
        throw_runtime("ssd decoder: output {} is missing ({} given)", m_output, outputs.size());
    const Tensor& tensor = outputs[m_output];
    if (tensor.rank() < 2 || tensor.shape().back() != 7)
        throw_runtime("ssd decoder: output of shape {}; expected [1,1,N,7]",
                      es::to_string(tensor.shape()));
    const float width = static_cast<float>(transform.input_width);
    const float height = static_cast<float>(transform.input_height);
    const float threshold = options().threshold;
    with_float_data(tensor, "ssd", [&](const auto* data) {
        for (size_t row = 0; row + 7 <= tensor.size(); row += 7) {
            const float image_id = static_cast<float>(data[row]);
            if (!(image_id >= 0.0f)) break;
            const float confidence = static_cast<float>(data[row + 2]);
            const float label_id = static_cast<float>(data[row + 1]);
            if (image_id != static_cast<float>(batch_index) || !(confidence >= threshold) ||
                !(std::abs(label_id) < 1e6f))
                continue;
            Detection detection;
            detection.label_id = static_cast<int>(std::lround(label_id));
            detection.confidence = confidence;
            detection.x_min = transform.source_x(static_cast<float>(data[row + 3]) * width);
            detection.y_min = transform.source_y(static_cast<float>(data[row + 4]) * height);
            detection.x_max = transform.source_x(static_cast<float>(data[row + 5]) * width);
            detection.y_max = transform.source_y(static_cast<float>(data[row + 6]) * height);
            detection.label = label(detection.label_id);
            detections.push_back(std::move(detection));
        }
    });
}

}  // namespace es::pipeline
