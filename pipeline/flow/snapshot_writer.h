#pragma once

#include "pipeline/publish/frame_result.h"

#include <opencv2/core/mat.hpp>

#include <filesystem>

namespace es::pipeline {

// Every `every`-th published frame of each source, as a JPEG with its boxes drawn.
struct SnapshotOptions {
    std::filesystem::path dir;  // empty: no snapshots
    int every = 30;
};

// Draws the boxes and labels of `result` on `image` and writes
// DIR/<pipeline>-<source>-<frame>.jpg; throws es::Error (Runtime) when it cannot be written.
void write_snapshot(const SnapshotOptions& options, const FrameResult& result, cv::Mat& image);

}  // namespace es::pipeline
