#pragma once

#include "pipeline/postprocess/detection.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace es::testing {

// A box with an identity: ground truth's or a tracker's.
struct IdentifiedBox {
    int64_t id = 0;
    pipeline::Box box;
};
using FrameBoxes = std::vector<IdentifiedBox>;

struct TrackingScores {
    int truth_boxes = 0;
    int track_boxes = 0;
    int misses = 0;
    int false_positives = 0;
    int id_switches = 0;
    double mota = 0.0;  // 1 - (misses + false positives + id switches) / truth boxes
    int id_true_positives = 0;
    double idf1 = 0.0;  // 2 IDTP / (truth boxes + track boxes)
};

// CLEAR-MOT (a match needs IoU ≥ `min_iou`; a truth keeps last frame's partner while they still
// match, the rest by optimal assignment; an id switch is a truth matched to another track than
// at its last match) and IDF1 (truth and track identities paired one to one over the whole
// sequence to maximize the frames where the pair matches).
TrackingScores score_tracking(std::span<const FrameBoxes> truth, std::span<const FrameBoxes> tracks,
                              float min_iou = 0.5f);

// The scores in a line, for a test's log.
std::string describe(const TrackingScores& scores);

}  // namespace es::testing
