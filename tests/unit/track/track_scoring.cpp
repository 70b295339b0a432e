#include "tests/unit/track/track_scoring.h"

#include "pipeline/track/assignment.h"

#include <map>
#include <stdexcept>

namespace es::testing {
namespace {

// The one-to-one pairing of rows and columns with the largest total value(i, j) (an IoU, a count
// of frames); pairs worth nothing are left out: -1.
template <typename Value>
std::vector<int> best_pairs(int rows, int cols, const Value& value) {
    std::vector<double> cost(static_cast<size_t>(rows) * cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j)
            cost[static_cast<size_t>(i) * cols + j] = -value(i, j);
    pipeline::Assignment assignment;
    const std::span<const int> assigned = assignment.solve(cost, rows, cols);
    std::vector<int> pairs(assigned.begin(), assigned.end());
    for (int i = 0; i < rows; ++i)
        if (pairs[i] >= 0 && value(i, pairs[i]) <= 0.0) pairs[i] = -1;
    return pairs;
}

}  // namespace

TrackingScores score_tracking(std::span<const FrameBoxes> truth, std::span<const FrameBoxes> tracks,
                              float min_iou) {
    if (truth.size() != tracks.size())
        throw std::invalid_argument("score_tracking: truth and tracks differ in frames");
    TrackingScores scores;
    std::map<int64_t, int64_t> last_partner;  // truth id → track id at its last match
    std::map<std::pair<int64_t, int64_t>, int> matched_frames;  // (truth, track) → frames
    std::map<int64_t, int> truth_index;
    std::map<int64_t, int> track_index;
    for (size_t frame = 0; frame < truth.size(); ++frame) {
        const FrameBoxes& gt = truth[frame];
        const FrameBoxes& hyp = tracks[frame];
        scores.truth_boxes += static_cast<int>(gt.size());
        scores.track_boxes += static_cast<int>(hyp.size());
        for (const auto& t : gt)
            truth_index.emplace(t.id, static_cast<int>(truth_index.size()));
        for (const auto& h : hyp)
            track_index.emplace(h.id, static_cast<int>(track_index.size()));
        for (const auto& t : gt)
            for (const auto& h : hyp)
                if (pipeline::iou(t.box, h.box) >= min_iou) ++matched_frames[{t.id, h.id}];

        std::vector<int> partner(gt.size(), -1);
        std::vector<char> taken(hyp.size(), 0);
        for (size_t i = 0; i < gt.size(); ++i) {
            const auto last = last_partner.find(gt[i].id);
            if (last == last_partner.end()) continue;
            for (size_t j = 0; j < hyp.size(); ++j)
                if (!taken[j] && hyp[j].id == last->second &&
                    pipeline::iou(gt[i].box, hyp[j].box) >= min_iou) {
                    partner[i] = static_cast<int>(j);
                    taken[j] = 1;
                }
        }
        const auto overlap = [&](int i, int j) -> double {
            if (partner[i] >= 0 || taken[j]) return 0.0;
            const float value = pipeline::iou(gt[i].box, hyp[j].box);
            return value >= min_iou ? value : 0.0;
        };
        const std::vector<int> pairs =
            best_pairs(static_cast<int>(gt.size()), static_cast<int>(hyp.size()), overlap);
        for (size_t i = 0; i < gt.size(); ++i) {
            if (pairs[i] >= 0) partner[i] = pairs[i];
            if (partner[i] < 0) {
                ++scores.misses;
                continue;
            }
            const int64_t track_id = hyp[static_cast<size_t>(partner[i])].id;
            const auto last = last_partner.find(gt[i].id);
            if (last != last_partner.end() && last->second != track_id) ++scores.id_switches;
            last_partner[gt[i].id] = track_id;
        }
        int matched = 0;
        for (const int p : partner)
            matched += p >= 0;
        scores.false_positives += static_cast<int>(hyp.size()) - matched;
    }
    if (scores.truth_boxes > 0)
        scores.mota =
            1.0 - static_cast<double>(scores.misses + scores.false_positives + scores.id_switches) /
                      scores.truth_boxes;

    std::vector<int64_t> truth_ids(truth_index.size());
    std::vector<int64_t> track_ids(track_index.size());
    for (const auto& [id, index] : truth_index)
        truth_ids[static_cast<size_t>(index)] = id;
    for (const auto& [id, index] : track_index)
        track_ids[static_cast<size_t>(index)] = id;
    const auto frames = [&](int i, int j) -> double {
        const auto found = matched_frames.find({truth_ids[i], track_ids[j]});
        return found == matched_frames.end() ? 0.0 : found->second;
    };
    const std::vector<int> identities = best_pairs(static_cast<int>(truth_index.size()),
                                                   static_cast<int>(track_index.size()), frames);
    for (size_t i = 0; i < identities.size(); ++i)
        if (identities[i] >= 0)
            scores.id_true_positives +=
                static_cast<int>(frames(static_cast<int>(i), identities[i]));
    if (scores.truth_boxes + scores.track_boxes > 0)
        scores.idf1 = 2.0 * scores.id_true_positives / (scores.truth_boxes + scores.track_boxes);
    return scores;
}

std::string describe(const TrackingScores& scores) {
    return "truth " + std::to_string(scores.truth_boxes) + ", tracks " +
           std::to_string(scores.track_boxes) + ", misses " + std::to_string(scores.misses) +
           ", false positives " + std::to_string(scores.false_positives) + ", id switches " +
           std::to_string(scores.id_switches) + ", MOTA " + std::to_string(scores.mota) +
           ", IDF1 " + std::to_string(scores.idf1);
}

}  // namespace es::testing
