#include "pipeline/calibration/detection_agreement.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace es::pipeline {
namespace {

constexpr float k_match_iou = 0.5f;

struct Ranked {
    float confidence = 0;
    bool hit = false;
};

double average_precision(std::vector<Ranked> ranked, size_t truths) {
    std::sort(ranked.begin(), ranked.end(),
              [](const Ranked& a, const Ranked& b) { return a.confidence > b.confidence; });
    std::vector<double> precision;
    std::vector<double> recall;
    size_t hits = 0;
    for (size_t i = 0; i < ranked.size(); ++i) {
        hits += ranked[i].hit ? 1 : 0;
        precision.push_back(static_cast<double>(hits) / static_cast<double>(i + 1));
        recall.push_back(static_cast<double>(hits) / static_cast<double>(truths));
    }
    // Precision made non-increasing from the right, then summed over the recall steps.
    for (size_t i = precision.size(); i-- > 1;)
        precision[i - 1] = std::max(precision[i - 1], precision[i]);
    double area = 0;
    double previous_recall = 0;
    for (size_t i = 0; i < precision.size(); ++i) {
        area += (recall[i] - previous_recall) * precision[i];
        previous_recall = recall[i];
    }
    return area;
}

}  // namespace

double detection_agreement(const FrameDetections& reference, const FrameDetections& candidate) {
    std::map<int, std::vector<Ranked>> ranked;
    std::map<int, size_t> truths;
    const size_t frames = std::min(reference.size(), candidate.size());
    for (size_t f = 0; f < frames; ++f) {
        for (const Detection& truth : reference[f])
            ++truths[truth.label_id];
        std::vector<const Detection*> order;
        for (const Detection& detection : candidate[f])
            order.push_back(&detection);
        std::sort(order.begin(), order.end(), [](const Detection* a, const Detection* b) {
            return a->confidence > b->confidence;
        });
        std::vector<bool> matched(reference[f].size(), false);
        for (const Detection* detection : order) {
            float best = k_match_iou;
            std::optional<size_t> match;
            for (size_t t = 0; t < reference[f].size(); ++t) {
                const Detection& truth = reference[f][t];
                if (matched[t] || truth.label_id != detection->label_id) continue;
                const float overlap = iou(box_of(truth), box_of(*detection));
                if (overlap >= best) {
                    best = overlap;
                    match = t;
                }
            }
            if (match) matched[*match] = true;
            ranked[detection->label_id].push_back({detection->confidence, match.has_value()});
        }
    }
    if (truths.empty()) {
        size_t quiet = 0;
        for (size_t f = 0; f < frames; ++f)
            quiet += candidate[f].empty() ? 1 : 0;
        return frames ? static_cast<double>(quiet) / static_cast<double>(frames) : 1.0;
    }
    double total = 0;
    for (const auto& [label, count] : truths)
        total += average_precision(ranked[label], count);
    return total / static_cast<double>(truths.size());
}

}  // namespace es::pipeline
