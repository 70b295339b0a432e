#pragma once

#include <string>

namespace es::benchmarks {

// An ONNX model rewritten so that OpenCV 4.6's importer reads it, with the same arithmetic.
struct OpenCvCompatModel {
    std::string bytes;    // the serialized ModelProto
    int clip_bounds = 0;  // Clip nodes whose constant min/max inputs became attributes
    int identities = 0;   // Identity nodes of an initializer removed
};

// Rewrites the two constructs that OpenCV 4.6 rejects in current exports: Clip with min/max as
// inputs (opset 11 and later; it reads only the opset-6 attributes) and Identity applied to an
// initializer (it expects every layer to have a non-constant input). Throws std::runtime_error
// naming the file when it cannot be read or parsed.
OpenCvCompatModel rewrite_for_opencv(const std::string& path);

}  // namespace es::benchmarks
