#pragma once

#include "pipeline/publish/frame_result.h"

#include <opencv2/core/mat.hpp>

#include <deque>
#include <filesystem>
#include <string>

namespace es::pipeline {

// Every `every`-th published frame of each source, as a JPEG with its boxes drawn; the newest
// `keep` of each pipeline stay in the folder.
struct SnapshotOptions {
    std::filesystem::path dir;  // empty: no snapshots
    int every = 30;
    int keep = 1000;
};

// Writes DIR/<pipeline>-<source>-<frame>.jpg with the boxes and labels of a result drawn, and
// deletes the pipeline's oldest snapshots (earlier runs' included, by time) beyond `keep`. A
// snapshot that cannot be written (a full disk) is logged once, until one can be again.
class SnapshotWriter {
  public:
    SnapshotWriter(SnapshotOptions options, const std::string& pipeline);

    void write(const FrameResult& result, cv::Mat& image);

  private:
    void remember(const std::filesystem::path& path);

    SnapshotOptions m_options;
    std::string m_prefix;
    std::deque<std::filesystem::path> m_kept;  // oldest first
    bool m_failing = false;
};

}  // namespace es::pipeline
