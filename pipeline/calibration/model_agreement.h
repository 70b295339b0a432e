#pragma once

#include "inference/quantize/agreement.h"
#include "pipeline/calibration/detection_agreement.h"
#include "pipeline/postprocess/decoder.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace es::pipeline {

enum class AgreementMetric {
    detection,  // AP@0.5 against the float model's own detections (the pipeline's decoder)
    top1,       // the same class first
    cosine,     // cosine similarity of the outputs
};

std::string_view to_string(AgreementMetric metric);

// How a model's outputs on the held-out frames agree with the float model's: 1 the same.
class ModelAgreement {
  public:
    // `metric` is "auto", "detection", "top1" or "cosine"; auto picks detection where there is
    // a detection decoder (`decoder`, or an SSD DetectionOutput [1,1,N,7] among `outputs`),
    // top-1 for one output of class scores (the classification decoder, or probabilities in
    // `reference`), cosine otherwise. Boxes are compared in the
    // network input (`input_width` x `input_height`). Throws es::Error (BadInput) when the
    // metric asked for does not fit the model.
    ModelAgreement(const std::string& metric, std::optional<DecoderOptions> decoder,
                   const std::vector<runtime::PortInfo>& outputs, int input_width, int input_height,
                   quantize::FrameOutputs reference);

    AgreementMetric metric() const { return m_metric; }
    double score(const quantize::FrameOutputs& candidate) const;
    const quantize::FrameOutputs& reference() const { return m_reference; }
    // Detection: whether the float model detects anything on the held-out frames.
    bool has_truths() const;

  private:
    FrameDetections detections(const quantize::FrameOutputs& outputs, const Decoder& decoder) const;

    AgreementMetric m_metric = AgreementMetric::cosine;
    LetterboxTransform m_transform;
    quantize::FrameOutputs m_reference;
    std::unique_ptr<Decoder> m_truth;      // at the model's threshold
    std::unique_ptr<Decoder> m_candidate;  // down to k_candidate_threshold, for the ranking
    FrameDetections m_truths;
};

}  // namespace es::pipeline
