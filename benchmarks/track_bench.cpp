// The cost of the track stage per frame: a tracker following `objects` people walking across
// the frame, with a tenth of the detections missed, over `frames` frames. Prints one JSON
// object: the mean and 99th percentile of an update, in milliseconds.
#include "pipeline/track/tracker.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>

using namespace es::pipeline;

int main(int argc, char** argv) {
    CLI::App app{"Time the multi-object tracker on a generated scene"};
    int objects = 50;
    int frames = 3000;
    app.add_option("--objects", objects, "Objects in every frame (default 50)")
        ->check(CLI::Range(1, 1000));
    app.add_option("--frames", frames, "Frames (default 3000)")->check(CLI::Range(10, 1000000));
    CLI11_PARSE(app, argc, argv);

    std::mt19937 random(7);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    struct Walker {
        float x, y, vx, vy;
    };
    std::vector<Walker> walkers(static_cast<size_t>(objects));
    for (Walker& walker : walkers)
        walker = {unit(random) * 0.95f, unit(random) * 0.9f, (unit(random) - 0.5f) * 0.004f,
                  (unit(random) - 0.5f) * 0.002f};

    Tracker tracker;
    std::vector<Detection> detections;
    std::vector<double> update_ms;
    update_ms.reserve(static_cast<size_t>(frames));
    for (int frame = 0; frame < frames; ++frame) {
        detections.clear();
        for (Walker& walker : walkers) {
            walker.x = std::clamp(walker.x + walker.vx, 0.0f, 0.95f);
            walker.y = std::clamp(walker.y + walker.vy, 0.0f, 0.9f);
            if (walker.x <= 0.0f || walker.x >= 0.95f) walker.vx = -walker.vx;
            if (walker.y <= 0.0f || walker.y >= 0.9f) walker.vy = -walker.vy;
            if (unit(random) < 0.1f) continue;
            detections.push_back({walker.x, walker.y, walker.x + 0.05f, walker.y + 0.1f,
                                  0.6f + 0.4f * unit(random), 1, "person"});
        }
        const auto start = std::chrono::steady_clock::now();
        tracker.update(detections, frame / 25.0);
        update_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    // The first second fills the tracks; the steady state follows.
    update_ms.erase(update_ms.begin(), update_ms.begin() + std::min(frames / 10, 25));
    double total = 0;
    for (const double ms : update_ms)
        total += ms;
    std::sort(update_ms.begin(), update_ms.end());
    fmt::print("{{\"objects\": {}, \"frames\": {}, \"mean_ms\": {:.4f}, \"p99_ms\": {:.4f}}}\n",
               objects, frames, total / static_cast<double>(update_ms.size()),
               update_ms[update_ms.size() * 99 / 100]);
    return 0;
}
