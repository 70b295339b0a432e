#pragma once

#include "pipeline/postprocess/detection.h"
#include "pipeline/track/tracker.h"
#include "tests/unit/track/track_scoring.h"

#include <cstdint>
#include <span>
#include <vector>

namespace es::testing {

// Where a box's centre is at a time.
struct Waypoint {
    double time_s = 0.0;
    float x = 0.0f;
    float y = 0.0f;
};

// An object moving through a scene of normalized coordinates: it exists from its first
// waypoint's time to its last one's, moving in straight lines between them.
struct SceneObject {
    int64_t id = 0;
    int label_id = 1;  // 1: "person", 2: "car"
    float width = 0.05f;
    float height = 0.18f;
    float depth = 1.0f;  // nearer objects (smaller depth) hide farther ones
    std::vector<Waypoint> path;
};

// How a synthetic detector sees a scene's objects.
struct DetectorModel {
    float min_visible = 0.3f;         // an object less visible (hidden, out of the image) is missed
    float confident_visible = 0.7f;   // one less visible is found with a low confidence
    double miss_rate = 0.0;           // detections dropped at random
    float jitter = 0.0f;              // standard deviation of each box edge, times the box height
    double spurious_rate = 0.0;       // chance of a detection of nothing in a frame
    double spurious_confident = 0.0;  // chance that such a detection is confident
    uint32_t seed = 1;
};

struct SceneFrame {
    double time_s = 0.0;
    // Every object at least `min_visible` inside the image, occluded or not; boxes clipped to it.
    FrameBoxes truth;
    std::vector<pipeline::Detection> detections;
};

// The object's box at a time (normalized, not clipped to the image), if it exists then.
bool box_at(const SceneObject& object, double time_s, pipeline::Box& box);

// `frames` frames at `fps` from time 0.
std::vector<SceneFrame> render_scene(std::span<const SceneObject> objects,
                                     const DetectorModel& detector, int frames, double fps = 30.0);

// A person moving from (x0, y0) at time t0 to (x1, y1) at time t1.
SceneObject moving(int64_t id, double t0, float x0, float y0, double t1, float x1, float y1,
                   float depth = 1.0f);

// Six people over 5 s, each there from the start or coming in at an edge: two pairs crossing
// head-on, one crossing diagonally, one nearly standing.
std::vector<SceneObject> busy_street();

// The tracker's objects on every frame: update() on every `interval`-th frame from the first,
// predict() on the others.
std::vector<FrameBoxes> run_tracker(pipeline::Tracker& tracker, std::span<const SceneFrame> frames,
                                    int interval = 1);

std::vector<FrameBoxes> truth_of(std::span<const SceneFrame> frames);

}  // namespace es::testing
