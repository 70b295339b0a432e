#pragma once

#include "pipeline/postprocess/decoder.h"

namespace es::pipeline {

// DetectionOutput of Open Model Zoo SSD detectors: [1,1,N,7] rows of (image_id, label,
// confidence, x_min, y_min, x_max, y_max), boxes normalized to the network input; the first
// row with image_id -1 ends the list. label indexes the labels directly (0 is the background
// class in most of these models).
class SsdDecoder : public Decoder {
  public:
    SsdDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs);
    void decode(std::span<const Tensor> outputs, size_t batch_index,
                const LetterboxTransform& transform,
                std::vector<Detection>& detections) const override;

  private:
    size_t m_output = 0;
};

}  // namespace es::pipeline
