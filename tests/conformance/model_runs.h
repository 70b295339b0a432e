#pragma once

#include "inference/core/tensor.h"
#include "inference/graph/model.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace es::testing {

// Worst |actual - expected| relative to the largest |expected|, taken as at least `floor` (so
// that an all-but-zero tensor is not compared to a tiny range): accumulation orders differ
// between engines, so an elementwise relative error is meaningless near zero.
double scaled_error(const Tensor& actual, const Tensor& expected, double floor);

// How an output differs from another engine's (TensorFlow.js, ONNX Runtime) on the same input.
// An element matches when |actual - reference| <= 1e-4 * scale + 1e-3 * |reference|, scale
// being the largest |reference| of the output (at least 1): both engines compute in f32 but sum
// in different orders, which deep networks amplify to ~1e-5 of the range.
struct Difference {
    double max_abs = 0;
    double max_rel = 0;  // relative to the output's largest |value|
    size_t failures = 0;
    std::string first;  // the first element that does not match
};
Difference compare_to_reference(const Tensor& actual, const Tensor& reference);

// How closely a result computed through 8-bit layers follows the reference: the cosine of the
// two as vectors, and the mean |actual - expected| relative to the largest |expected| (at least
// `floor`). A rounding step that flips in one layer moves a few values of the next ones by much,
// so the worst element says little; a wrong lowering moves the whole tensor.
struct Agreement {
    double cosine;
    double mean_error;
};
Agreement agreement(const Tensor& actual, const Tensor& expected, double floor);

// Whether two DetectionOutput results ([1, 1, N, 7] rows of image, label, score, box, ended by
// image -1) hold the same detections: as many, each row of `expected` matched by its own row
// of `actual` within `tolerance` in every field. Detections whose scores differ by rounding
// may come in either order.
bool same_detections(const Tensor& actual, const Tensor& expected, double tolerance);

// `--input NAME=FILE.npy` options for the inputs of an IR besides its image, written into `dir`
// with the values the Open Model Zoo demos give them: `seq_ind` of license-plate recognizers
// (0 then 1s) and `im_info` of R-FCN detectors (image height and width, then scales of 1).
// Empty for one-input models; fails the test for an input it has no convention for.
std::string auxiliary_inputs(const graph::Model& model, const std::filesystem::path& dir);

// Runs `edgesight infer --image` with `options` (an IR's other inputs at their conventional
// values, as auxiliary_inputs gives them) and returns its output files, and those of
// `extra_outputs`, as tensors by file stem.
std::map<std::string, Tensor> infer_image(const std::filesystem::path& model,
                                          const std::filesystem::path& image,
                                          const std::vector<std::string>& extra_outputs = {},
                                          const std::string& options = "");

// The output named `output` of `model` run on `device` with `input` as its only input.
Tensor run_model(const std::string& device, const graph::Model& model, const Tensor& input,
                 const std::string& output);

// The entries of a known-failures list (one per line: "<name>  <reason>"; '#' starts a comment
// line), reason by name. Fails the test when the file cannot be read.
std::map<std::string, std::string> known_failures(const std::filesystem::path& file);

}  // namespace es::testing
