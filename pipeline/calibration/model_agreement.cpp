#include "pipeline/calibration/model_agreement.h"

#include "pipeline/calibration/detection_agreement.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {
namespace {

constexpr float k_candidate_threshold = 0.05f;

bool is_detection_output(const runtime::PortInfo& output) {
    const PartialShape& shape = output.type.shape;
    return shape.rank_known() && shape.rank() == 4 && shape[3] == 7 && shape[0] == 1 &&
           shape[1] == 1;
}

// One output of at least two class scores per image: [1,C] or [1,C,1,1].
bool is_class_scores(const std::vector<runtime::PortInfo>& outputs) {
    if (outputs.size() != 1 || !outputs[0].type.shape.is_static()) return false;
    const Shape shape = outputs[0].type.shape.to_shape();
    size_t classes = 1;
    for (size_t axis = 1; axis < shape.size(); ++axis)
        classes *= static_cast<size_t>(shape[axis]);
    return shape.size() >= 2 && shape[0] == 1 && classes >= 2 &&
           classes == static_cast<size_t>(shape[1]);
}

// Whether every frame's first output is a probability vector (a softmax): regressions and
// landmarks share the class scores' shape.
bool holds_probabilities(const quantize::FrameOutputs& reference) {
    return std::all_of(reference.begin(), reference.end(), [](const std::vector<Tensor>& frame) {
        if (frame.empty()) return false;
        const Tensor values = convert(frame[0], ElementType::f32);
        const float* data = values.data<float>();
        double sum = 0;
        for (size_t i = 0; i < values.size(); ++i) {
            if (data[i] < -1e-3f || data[i] > 1.001f) return false;
            sum += data[i];
        }
        return std::abs(sum - 1.0) <= 1e-2;
    });
}

}  // namespace

bool ModelAgreement::has_truths() const {
    return std::any_of(m_truths.begin(), m_truths.end(),
                       [](const std::vector<Detection>& frame) { return !frame.empty(); });
}

std::string_view to_string(AgreementMetric metric) {
    switch (metric) {
        case AgreementMetric::detection:
            return "detection AP@0.5";
        case AgreementMetric::top1:
            return "top-1 agreement";
        case AgreementMetric::cosine:
            return "cosine similarity";
    }
    return "?";
}

ModelAgreement::ModelAgreement(const std::string& metric, std::optional<DecoderOptions> decoder,
                               const std::vector<runtime::PortInfo>& outputs, int input_width,
                               int input_height, quantize::FrameOutputs reference)
    : m_transform(
          LetterboxTransform::stretch(input_width, input_height, input_width, input_height)),
      m_reference(std::move(reference)) {
    const bool classifier = decoder && decoder->kind == DecoderKind::classification;
    if (classifier) decoder.reset();
    if (!decoder && std::any_of(outputs.begin(), outputs.end(), is_detection_output)) {
        decoder = DecoderOptions{};
        decoder->kind = DecoderKind::ssd;
    }
    if (metric == "auto")
        m_metric = decoder ? AgreementMetric::detection
                   : is_class_scores(outputs) && (classifier || holds_probabilities(m_reference))
                       ? AgreementMetric::top1
                       : AgreementMetric::cosine;
    else if (metric == "detection")
        m_metric = AgreementMetric::detection;
    else if (metric == "top1")
        m_metric = AgreementMetric::top1;
    else if (metric == "cosine")
        m_metric = AgreementMetric::cosine;
    else
        throw_bad_input("--metric {}: expected auto, top1, detection or cosine", metric);

    if (m_metric == AgreementMetric::detection) {
        if (!decoder)
            throw_bad_input(
                "--metric detection: the model has no SSD DetectionOutput [1,1,N,7]; "
                "name the pipeline whose decoder reads it with --config and "
                "--pipeline ({})",
                describe_outputs(outputs));
        m_truth = make_decoder(*decoder, outputs);
        DecoderOptions ranking = *decoder;
        ranking.threshold = std::min(k_candidate_threshold, decoder->threshold);
        m_candidate = make_decoder(ranking, outputs);
        m_truths = detections(m_reference, *m_truth);
    }
    if (m_metric == AgreementMetric::top1 && !is_class_scores(outputs))
        throw_bad_input("--metric top1: the model does not have one output of class scores ({})",
                        describe_outputs(outputs));
}

FrameDetections ModelAgreement::detections(const quantize::FrameOutputs& outputs,
                                           const Decoder& decoder) const {
    FrameDetections found(outputs.size());
    for (size_t f = 0; f < outputs.size(); ++f)
        decoder.decode(outputs[f], 0, m_transform, found[f]);
    return found;
}

double ModelAgreement::score(const quantize::FrameOutputs& candidate) const {
    switch (m_metric) {
        case AgreementMetric::detection:
            if (!has_truths())
                // Nothing to rank against: the share of frames where the candidate finds
                // nothing either, at the model's threshold.
                return detection_agreement(m_truths, detections(candidate, *m_truth));
            return detection_agreement(m_truths, detections(candidate, *m_candidate));
        case AgreementMetric::top1:
            return quantize::top1_agreement(m_reference, candidate);
        case AgreementMetric::cosine:
            return quantize::cosine_agreement(m_reference, candidate);
    }
    return 0;
}

}  // namespace es::pipeline
