#include "pipeline/postprocess/decoder.h"

#include "pipeline/postprocess/blazeface_decoder.h"
#include "pipeline/postprocess/centernet_decoder.h"
#include "pipeline/postprocess/classification_decoder.h"
#include "pipeline/postprocess/ssd_decoder.h"
#include "pipeline/postprocess/yolo_decoder.h"

namespace es::pipeline {

DecoderOptions DecoderOptions::from(const ModelConfig& model) {
    DecoderOptions options;
    options.kind = model.decoder;
    options.threshold = model.threshold;
    options.labels = model.labels;
    options.top_k = model.top_k;
    return options;
}

std::string Decoder::label(int label_id) const {
    if (label_id >= 0 && static_cast<size_t>(label_id) < m_options.labels.size())
        return m_options.labels[static_cast<size_t>(label_id)];
    return std::to_string(label_id);
}

void Decoder::to_source(std::vector<Detection>& detections, size_t first,
                        const LetterboxTransform& transform) const {
    for (size_t i = first; i < detections.size(); ++i) {
        Detection& detection = detections[i];
        detection.x_min = transform.source_x(detection.x_min);
        detection.y_min = transform.source_y(detection.y_min);
        detection.x_max = transform.source_x(detection.x_max);
        detection.y_max = transform.source_y(detection.y_max);
        detection.label = label(detection.label_id);
    }
}

// The decoders, one per DecoderKind.
std::unique_ptr<Decoder> make_decoder(const DecoderOptions& options,
                                      const std::vector<runtime::PortInfo>& outputs) {
    switch (options.kind) {
        case DecoderKind::ssd:
            return std::make_unique<SsdDecoder>(options, outputs);
        case DecoderKind::yolo:
            return std::make_unique<YoloDecoder>(options, outputs);
        case DecoderKind::centernet:
            return std::make_unique<CenterNetDecoder>(options, outputs);
        case DecoderKind::blazeface:
            return std::make_unique<BlazeFaceDecoder>(options, outputs);
        case DecoderKind::classification:
            return std::make_unique<ClassificationDecoder>(options, outputs);
    }
    throw_bad_input("unknown decoder");
}

std::string describe_outputs(const std::vector<runtime::PortInfo>& outputs) {
    std::string text;
    for (const auto& output : outputs)
        text += (text.empty() ? "" : ", ") + output.name + " " + to_string(output.type.shape);
    return text.empty() ? "none" : text;
}

}  // namespace es::pipeline
