#include "tests/unit/track/track_scenes.h"

#include <algorithm>
#include <random>
#include <string>

namespace es::testing {
namespace {

using pipeline::Box;

constexpr int k_samples = 20;  // per side of the grid that measures an object's visible part

std::string label_name(int label_id) {
    if (label_id == 1) return "person";
    if (label_id == 2) return "car";
    return std::to_string(label_id);
}

bool inside(const Box& box, float x, float y) {
    return x >= box.x_min && x <= box.x_max && y >= box.y_min && y <= box.y_max;
}

Box clipped(const Box& box) {
    return {std::clamp(box.x_min, 0.0f, 1.0f), std::clamp(box.y_min, 0.0f, 1.0f),
            std::clamp(box.x_max, 0.0f, 1.0f), std::clamp(box.y_max, 0.0f, 1.0f)};
}

}  // namespace

bool box_at(const SceneObject& object, double time_s, Box& box) {
    const auto& path = object.path;
    if (path.empty() || time_s < path.front().time_s || time_s > path.back().time_s) return false;
    size_t next = 1;
    while (next < path.size() && path[next].time_s < time_s)
        ++next;
    next = std::min(next, path.size() - 1);
    const Waypoint& a = path[next - (next > 0 ? 1 : 0)];
    const Waypoint& b = path[next];
    const double span = b.time_s - a.time_s;
    const float f = span > 0.0 ? static_cast<float>((time_s - a.time_s) / span) : 0.0f;
    const float x = a.x + f * (b.x - a.x);
    const float y = a.y + f * (b.y - a.y);
    box = {x - 0.5f * object.width, y - 0.5f * object.height, x + 0.5f * object.width,
           y + 0.5f * object.height};
    return true;
}

std::vector<SceneFrame> render_scene(std::span<const SceneObject> objects,
                                     const DetectorModel& detector, int frames, double fps) {
    std::mt19937 random(detector.seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<SceneFrame> scene(static_cast<size_t>(frames));
    std::vector<Box> boxes(objects.size());
    std::vector<char> present(objects.size());
    for (int index = 0; index < frames; ++index) {
        SceneFrame& frame = scene[static_cast<size_t>(index)];
        frame.time_s = index / fps;
        for (size_t i = 0; i < objects.size(); ++i)
            present[i] = box_at(objects[i], frame.time_s, boxes[i]);
        for (size_t i = 0; i < objects.size(); ++i) {
            if (!present[i]) continue;
            const Box& box = boxes[i];
            int in_image = 0;
            int visible = 0;
            for (int sy = 0; sy < k_samples; ++sy) {
                for (int sx = 0; sx < k_samples; ++sx) {
                    const float x = box.x_min + (sx + 0.5f) / k_samples * (box.x_max - box.x_min);
                    const float y = box.y_min + (sy + 0.5f) / k_samples * (box.y_max - box.y_min);
                    if (x < 0.0f || x > 1.0f || y < 0.0f || y > 1.0f) continue;
                    ++in_image;
                    bool hidden = false;
                    for (size_t k = 0; k < objects.size() && !hidden; ++k)
                        hidden = present[k] && objects[k].depth < objects[i].depth &&
                                 inside(boxes[k], x, y);
                    visible += !hidden;
                }
            }
            constexpr float k_all = k_samples * k_samples;
            if (in_image / k_all < detector.min_visible) continue;
            frame.truth.push_back({objects[i].id, clipped(box)});
            const float visible_part = visible / k_all;
            // Draw every random number whether or not it is used, so that one object's
            // visibility does not change the others' noise.
            const double miss = uniform(random);
            const double confidence = uniform(random);
            const float height = box.y_max - box.y_min;
            Box noisy = box;
            for (float* edge : {&noisy.x_min, &noisy.y_min, &noisy.x_max, &noisy.y_max})
                *edge += detector.jitter * height * normal(random);
            if (visible_part < detector.min_visible || miss < detector.miss_rate) continue;
            pipeline::Detection detection;
            const Box detected = clipped(noisy);
            detection.x_min = detected.x_min;
            detection.y_min = detected.y_min;
            detection.x_max = detected.x_max;
            detection.y_max = detected.y_max;
            detection.confidence = visible_part >= detector.confident_visible
                                       ? static_cast<float>(0.6 + 0.35 * confidence)
                                       : static_cast<float>(0.15 + 0.3 * confidence);
            detection.label_id = objects[i].label_id;
            detection.label = label_name(detection.label_id);
            frame.detections.push_back(std::move(detection));
        }
        if (uniform(random) < detector.spurious_rate) {
            const float x = static_cast<float>(0.05 + 0.9 * uniform(random));
            const float y = static_cast<float>(0.1 + 0.8 * uniform(random));
            pipeline::Detection detection;
            detection.x_min = x - 0.025f;
            detection.y_min = y - 0.08f;
            detection.x_max = x + 0.025f;
            detection.y_max = y + 0.08f;
            detection.confidence = uniform(random) < detector.spurious_confident
                                       ? static_cast<float>(0.6 + 0.2 * uniform(random))
                                       : static_cast<float>(0.15 + 0.3 * uniform(random));
            detection.label_id = 1;
            detection.label = label_name(1);
            frame.detections.push_back(std::move(detection));
        }
    }
    return scene;
}

SceneObject moving(int64_t id, double t0, float x0, float y0, double t1, float x1, float y1,
                   float depth) {
    SceneObject object;
    object.id = id;
    object.depth = depth;
    object.path = {{t0, x0, y0}, {t1, x1, y1}};
    return object;
}

std::vector<SceneObject> busy_street() {
    return {
        moving(1, 0.0, 0.05f, 0.45f, 5.0, 0.95f, 0.45f, 2.0f),
        moving(2, 0.0, 0.95f, 0.48f, 5.0, 0.05f, 0.48f, 1.0f),
        moving(3, 0.0, 0.2f, 0.2f, 5.0, 0.5f, 0.8f, 1.5f),
        moving(4, 0.0, -0.05f, 0.75f, 5.0, 0.7f, 0.75f, 0.5f),
        moving(5, 0.5, 1.05f, 0.72f, 5.0, 0.3f, 0.72f, 0.8f),
        moving(6, 0.0, 0.6f, 0.25f, 5.0, 0.62f, 0.25f, 3.0f),
    };
}

std::vector<FrameBoxes> run_tracker(pipeline::Tracker& tracker, std::span<const SceneFrame> frames,
                                    int interval) {
    std::vector<FrameBoxes> tracks;
    for (size_t index = 0; index < frames.size(); ++index) {
        const SceneFrame& frame = frames[index];
        const auto objects = index % static_cast<size_t>(interval) == 0
                                 ? tracker.update(frame.detections, frame.time_s)
                                 : tracker.predict(frame.time_s);
        FrameBoxes& boxes = tracks.emplace_back();
        for (const pipeline::TrackedObject& object : objects)
            boxes.push_back({object.id, object.box});
    }
    return tracks;
}

std::vector<FrameBoxes> truth_of(std::span<const SceneFrame> frames) {
    std::vector<FrameBoxes> truth;
    for (const SceneFrame& frame : frames)
        truth.push_back(frame.truth);
    return truth;
}

}  // namespace es::testing
