#pragma once

#include "inference/runtime/compiled_model.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/preprocess/preprocessor.h"

#include <doctest/doctest.h>
#include <opencv2/core/mat.hpp>

#include <vector>

namespace es::testing {

// Preprocesses `frame` into the request's input, runs it and decodes the outputs.
inline std::vector<pipeline::Detection> detect_frame(const cv::Mat& frame,
                                                     pipeline::Preprocessor& preprocessor,
                                                     const runtime::CompiledModel& compiled,
                                                     runtime::InferRequest& request,
                                                     const pipeline::Decoder& decoder) {
    REQUIRE(!frame.empty());
    Tensor input = request.input(0);  // shares the request's buffer: written in place
    const pipeline::LetterboxTransform transform = preprocessor.run(frame, input, 0);
    request.infer();
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < compiled.outputs().size(); ++i)
        outputs.push_back(request.output(i));
    std::vector<pipeline::Detection> detections;
    decoder.decode(outputs, 0, transform, detections);
    return detections;
}

}  // namespace es::testing
