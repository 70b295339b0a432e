#pragma once

#include "inference/core/error.h"
#include "inference/core/tensor.h"
#include "inference/runtime/infer_request.h"
#include "pipeline/config/config.h"
#include "pipeline/postprocess/detection.h"
#include "pipeline/preprocess/letterbox.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace es::pipeline {

struct DecoderOptions {
    DecoderKind kind = DecoderKind::ssd;
    float threshold = 0.5f;           // results below this confidence are dropped
    std::vector<std::string> labels;  // label_id → name
    int top_k = 1;                    // classification: results per image
    float nms_iou = 0.45f;  // YOLO, CenterNet, BlazeFace: overlap above which a box is suppressed

    static DecoderOptions from(const ModelConfig& model);
};

// Turns a model's output tensors into detections in source-image coordinates.
// decode() is const and keeps no state: one decoder serves every request of a model.
class Decoder {
  public:
    explicit Decoder(DecoderOptions options) : m_options(std::move(options)) {}
    virtual ~Decoder() = default;

    // Appends the results for image `batch_index` of `outputs` (the model's outputs in the
    // order the decoder was made for) to `detections`; `transform` places that image in the
    // network input. Throws es::Error (Runtime) when the tensors do not have the expected form.
    virtual void decode(std::span<const Tensor> outputs, size_t batch_index,
                        const LetterboxTransform& transform,
                        std::vector<Detection>& detections) const = 0;

    const DecoderOptions& options() const { return m_options; }

  protected:
    // labels[label_id], or label_id as text.
    std::string label(int label_id) const;
    // Maps the boxes of detections[first..] from input pixels to the source image and names
    // their labels.
    void to_source(std::vector<Detection>& detections, size_t first,
                   const LetterboxTransform& transform) const;

  private:
    DecoderOptions m_options;
};

// The decoder `options.kind` names, for a model with these outputs. Throws es::Error
// (BadInput) when the outputs are not what that decoder reads, listing them.
std::unique_ptr<Decoder> make_decoder(const DecoderOptions& options,
                                      const std::vector<runtime::PortInfo>& outputs);

// "detection_out [1,1,200,7], ..." for error messages.
std::string describe_outputs(const std::vector<runtime::PortInfo>& outputs);

// Calls `function` with a pointer to the elements of a f32 or f16 tensor; throws es::Error
// (Runtime) for other element types.
template <typename Function>
void with_float_data(const Tensor& tensor, const char* decoder, Function&& function) {
    if (tensor.type() == ElementType::f32)
        function(tensor.data<float>());
    else if (tensor.type() == ElementType::f16)
        function(tensor.data<float16>());
    else
        throw_runtime("{} decoder: output of type {}; expected f32 or f16", decoder,
                      to_string(tensor.type()));
}

}  // namespace es::pipeline
