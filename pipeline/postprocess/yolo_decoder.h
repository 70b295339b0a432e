#pragma once

#include "pipeline/postprocess/decoder.h"

namespace es::pipeline {

// The raw detection head of Ultralytics YOLO exports, boxes as centre and size in network-input
// pixels, then class-wise NMS:
//   YOLOv5 [B,N,5+C]: rows of (cx, cy, w, h, objectness, C class scores); confidence is
//                     objectness times the best class score.
//   YOLOv8 [B,4+C,N]: one column per box: (cx, cy, w, h, C class scores).
// Which of the two is told by the shape: a tensor with fewer columns than rows is YOLOv5.
class YoloDecoder : public Decoder {
  public:
    YoloDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs);
    void decode(std::span<const Tensor> outputs, size_t batch_index,
                const LetterboxTransform& transform,
                std::vector<Detection>& detections) const override;

  private:
    size_t m_output = 0;
};

}  // namespace es::pipeline
