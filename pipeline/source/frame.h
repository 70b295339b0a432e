#pragma once

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace es::pipeline {

// One decoded picture of a source.
//
// Lifetime: `bgr` does not own its pixels; it views the decoded GStreamer buffer, which
// `buffer` keeps mapped. The pixels stay valid while this Frame or any copy of it (or of
// `buffer`) lives; copying the cv::Mat header alone does not keep them. Release frames
// promptly: a file source decodes only as far ahead as the frames it has buffered.
struct Frame {
    cv::Mat bgr;                // 8-bit BGR, rows possibly padded
    int64_t pts_ns = -1;        // presentation time in the stream; -1 when unknown
    int64_t wall_time_ns = 0;   // system clock when the frame left the decoder
    uint64_t frame_number = 0;  // 0, 1, 2 ... per source over restarts; gaps are drops
    std::string source_id;
    // The stream's picture size: `bgr` is smaller when the source scales at decode
    // (SourceSpec::decode_size).
    int width = 0;
    int height = 0;
    std::shared_ptr<const void> buffer;  // keeps `bgr`'s pixels mapped

    int64_t steady_time_ns = 0;  // steady clock when the frame left the decoder: for latencies

    void release() {
        bgr.release();
        buffer.reset();
    }
};

}  // namespace es::pipeline
