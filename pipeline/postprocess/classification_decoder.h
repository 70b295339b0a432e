#pragma once

#include "pipeline/postprocess/decoder.h"

namespace es::pipeline {

// Class scores [B,C] (or [B,C,1,1]): the top_k classes at or above the threshold, each a
// detection covering the whole image. Scores that are not already probabilities (some below 0
// or above 1, or not summing to 1) go through a softmax first.
class ClassificationDecoder : public Decoder {
  public:
    ClassificationDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs);
    void decode(std::span<const Tensor> outputs, size_t batch_index,
                const LetterboxTransform& transform,
                std::vector<Detection>& detections) const override;

  private:
    size_t m_output = 0;
};

}  // namespace es::pipeline
