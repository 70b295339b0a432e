#pragma once

#include "inference/quantize/quantizer.h"
#include "pipeline/config/config.h"

#include <opencv2/core/mat.hpp>

#include <string>
#include <vector>

namespace es::pipeline {

// `count` frames to calibrate a model on, spread evenly over a folder of images (.jpg, .jpeg,
// .png, .bmp, in name order), a video file, or any other source URI a pipeline takes (a live
// source gives every k_live_stride-th frame as it arrives). Throws es::Error (BadInput) naming
// the source when it cannot be read or has fewer than `count` frames.
std::vector<cv::Mat> sample_frames(const std::string& source, size_t count);

// Frames as a model's one image input reads them.
struct CalibrationSamples {
    std::vector<quantize::Sample> samples;
    int input_width = 0;  // of the network input, in pixels
    int input_height = 0;
};

// Each frame preprocessed as a pipeline with `preprocess` would, into the one image input of a
// model. Throws es::Error (BadInput) for a model with other inputs.
CalibrationSamples to_samples(const std::vector<cv::Mat>& frames,
                              const PreprocessConfig& preprocess,
                              const std::vector<runtime::PortInfo>& inputs);

}  // namespace es::pipeline
