#include "pipeline/postprocess/classification_decoder.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {
namespace {

// [B,C] or [B,C,1,…,1] with C > 1.
bool is_scores_shape(const PartialShape& shape) {
    if (!shape.rank_known() || shape.rank() < 2 || shape[1] == 1) return false;
    for (size_t axis = 2; axis < shape.rank(); ++axis)
        if (shape[axis] != 1) return false;
    return true;
}

template <typename T>
bool is_distribution(const T* scores, size_t count) {
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) {
        const float score = static_cast<float>(scores[i]);
        if (!(score >= 0.0f && score <= 1.0f)) return false;
        sum += score;
    }
    return std::abs(sum - 1.0) < 1e-2;
}

template <typename T>
void top_classes(const T* scores, size_t count, int top_k, float threshold,
                 std::vector<Detection>& detections) {
    const size_t first = detections.size();
    const size_t k = static_cast<size_t>(top_k);
    // The top k raw scores, kept sorted in detections[first..], highest first.
    for (size_t c = 0; c < count; ++c) {
        const float score = static_cast<float>(scores[c]);
        if (std::isnan(score)) continue;
        const size_t held = detections.size() - first;
        if (held == k && !(score > detections.back().confidence)) continue;
        if (held < k) detections.emplace_back();
        size_t position = detections.size() - 1;
        while (position > first && detections[position - 1].confidence < score) {
            detections[position] = detections[position - 1];
            --position;
        }
        detections[position].confidence = score;
        detections[position].label_id = static_cast<int>(c);
    }
    if (!is_distribution(scores, count)) {
        float max_score = -INFINITY;
        for (size_t c = 0; c < count; ++c)
            max_score = std::max(max_score, static_cast<float>(scores[c]));
        double sum = 0.0;
        for (size_t c = 0; c < count; ++c)
            if (!std::isnan(static_cast<float>(scores[c])))
                sum += std::exp(static_cast<double>(static_cast<float>(scores[c]) - max_score));
        for (size_t i = first; i < detections.size(); ++i)
            detections[i].confidence = static_cast<float>(
                std::exp(static_cast<double>(detections[i].confidence - max_score)) / sum);
    }
    const auto below = std::find_if(
        detections.begin() + static_cast<std::ptrdiff_t>(first), detections.end(),
        [&](const Detection& detection) { return !(detection.confidence >= threshold); });
    detections.erase(below, detections.end());
}

}  // namespace

ClassificationDecoder::ClassificationDecoder(DecoderOptions options,
                                             const std::vector<runtime::PortInfo>& outputs)
    : Decoder(std::move(options)) {
    for (size_t i = 0; i < outputs.size(); ++i)
        if (is_scores_shape(outputs[i].type.shape)) {
            m_output = i;
            return;
        }
    throw_bad_input(
        "decoder classification: expected an output of class scores [1,C] or [1,C,1,1]; the "
        "model's outputs are {}",
        describe_outputs(outputs));
}

void ClassificationDecoder::decode(std::span<const Tensor> outputs, size_t batch_index,
                                   const LetterboxTransform&,
                                   std::vector<Detection>& detections) const {
    if (m_output >= outputs.size())
        throw_runtime("classification decoder: output {} is missing ({} given)", m_output,
                      outputs.size());
    const Tensor& tensor = outputs[m_output];
    if (tensor.rank() < 2 || batch_index >= static_cast<size_t>(tensor.shape()[0]) ||
        tensor.size() == 0)
        throw_runtime("classification decoder: output of shape {} for image {}; expected [B,C]",
                      es::to_string(tensor.shape()), batch_index);
    const size_t classes = tensor.size() / static_cast<size_t>(tensor.shape()[0]);
    const size_t first = detections.size();
    with_float_data(tensor, "classification", [&](const auto* data) {
        top_classes(data + batch_index * classes, classes, options().top_k, options().threshold,
                    detections);
    });
    for (size_t i = first; i < detections.size(); ++i) {
        Detection& detection = detections[i];
        detection.x_min = 0.0f;
        detection.y_min = 0.0f;
        detection.x_max = 1.0f;
        detection.y_max = 1.0f;
        detection.label = label(detection.label_id);
    }
}

}  // namespace es::pipeline
