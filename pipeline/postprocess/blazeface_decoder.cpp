#include "pipeline/postprocess/blazeface_decoder.h"

#include "pipeline/postprocess/nms.h"

#include <cmath>
#include <optional>

namespace es::pipeline {
namespace {

constexpr int64_t k_regressors = 16;
constexpr int k_fine_cells = 16;
constexpr int k_fine_anchors = 2;
constexpr int k_coarse_cells = 8;
constexpr int k_coarse_anchors = 6;
constexpr int64_t k_fine_rows = k_fine_cells * k_fine_cells * k_fine_anchors;
constexpr int64_t k_coarse_rows = k_coarse_cells * k_coarse_cells * k_coarse_anchors;

size_t rows_of(const BlazeFaceDecoder::AnchorGrid& grid) {
    return static_cast<size_t>(grid.cells * grid.cells * grid.anchors_per_cell);
}

// The first output of shape [B,rows,columns].
std::optional<size_t> find_output(const std::vector<runtime::PortInfo>& outputs, int64_t rows,
                                  int64_t columns) {
    for (size_t i = 0; i < outputs.size(); ++i) {
        const auto& shape = outputs[i].type.shape;
        if (shape.rank_known() && shape.rank() == 3 && shape[1] == rows && shape[2] == columns)
            return i;
    }
    return std::nullopt;
}

const Tensor& grid_output(std::span<const Tensor> outputs, size_t index, int64_t columns,
                          size_t rows, size_t batch_index) {
    if (index >= outputs.size())
        throw_runtime("blazeface decoder: output {} is missing ({} given)", index, outputs.size());
    const Tensor& tensor = outputs[index];
    if (tensor.rank() != 3 || tensor.shape()[2] != columns ||
        static_cast<size_t>(tensor.shape()[1]) < rows ||
        batch_index >= static_cast<size_t>(tensor.shape()[0]))
        throw_runtime("blazeface decoder: output {} of shape {} for image {}; expected [B,{},{}]",
                      index, es::to_string(tensor.shape()), batch_index, rows, columns);
    return tensor;
}

// Appends the boxes of one grid at or above `threshold`, in input pixels.
template <typename Score, typename Regressor>
void collect(const Score* scores, const Regressor* regressors,
             const BlazeFaceDecoder::AnchorGrid& grid, float stride_x, float stride_y,
             float threshold, std::vector<Detection>& detections) {
    const size_t rows = rows_of(grid);
    for (size_t anchor = 0; anchor < rows; ++anchor) {
        const float logit = static_cast<float>(scores[anchor]);
        const float confidence = 1.0f / (1.0f + std::exp(-logit));
        if (!(confidence >= threshold)) continue;
        const auto* box = regressors + anchor * k_regressors;
        const float width = static_cast<float>(box[2]);
        const float height = static_cast<float>(box[3]);
        if (!(width > 0.0f && height > 0.0f && std::isfinite(width) && std::isfinite(height)))
            continue;
        const size_t cell = anchor / static_cast<size_t>(grid.anchors_per_cell);
        const size_t cells = static_cast<size_t>(grid.cells);
        const float center_x =
            stride_x * (static_cast<float>(cell % cells) + 0.5f) + static_cast<float>(box[0]);
        const float center_y =
            stride_y * (static_cast<float>(cell / cells) + 0.5f) + static_cast<float>(box[1]);
        Detection detection;
        detection.x_min = center_x - width / 2;
        detection.y_min = center_y - height / 2;
        detection.x_max = center_x + width / 2;
        detection.y_max = center_y + height / 2;
        detection.confidence = confidence;
        detections.push_back(std::move(detection));
    }
}

}  // namespace

BlazeFaceDecoder::BlazeFaceDecoder(DecoderOptions options,
                                   const std::vector<runtime::PortInfo>& outputs)
    : Decoder(std::move(options)) {
    const auto fine_scores = find_output(outputs, k_fine_rows, 1);
    const auto fine_regressors = find_output(outputs, k_fine_rows, k_regressors);
    const auto coarse_scores = find_output(outputs, k_coarse_rows, 1);
    const auto coarse_regressors = find_output(outputs, k_coarse_rows, k_regressors);
    if (fine_scores && fine_regressors && coarse_scores && coarse_regressors) {
        m_grids = {{*fine_scores, *fine_regressors, 0, k_fine_cells, k_fine_anchors},
                   {*coarse_scores, *coarse_regressors, 0, k_coarse_cells, k_coarse_anchors}};
        return;
    }
    const auto scores = find_output(outputs, k_fine_rows + k_coarse_rows, 1);
    const auto regressors = find_output(outputs, k_fine_rows + k_coarse_rows, k_regressors);
    if (scores && regressors) {
        m_grids = {{*scores, *regressors, 0, k_fine_cells, k_fine_anchors},
                   {*scores, *regressors, static_cast<size_t>(k_fine_rows), k_coarse_cells,
                    k_coarse_anchors}};
        return;
    }
    throw_bad_input(
        "decoder blazeface: expected scores [1,512,1] and [1,384,1] with regressors [1,512,16] "
        "and [1,384,16], or scores [1,896,1] with regressors [1,896,16]; the model's outputs "
        "are {}",
        describe_outputs(outputs));
}

void BlazeFaceDecoder::decode(std::span<const Tensor> outputs, size_t batch_index,
                              const LetterboxTransform& transform,
                              std::vector<Detection>& detections) const {
    const size_t first = detections.size();
    for (const AnchorGrid& grid : m_grids) {
        const size_t rows = grid.first_row + rows_of(grid);
        const Tensor& scores = grid_output(outputs, grid.scores, 1, rows, batch_index);
        const Tensor& regressors =
            grid_output(outputs, grid.regressors, k_regressors, rows, batch_index);
        const size_t score_row = batch_index * static_cast<size_t>(scores.shape()[1]);
        const size_t regressor_row = batch_index * static_cast<size_t>(regressors.shape()[1]);
        const float stride_x = static_cast<float>(transform.input_width) / grid.cells;
        const float stride_y = static_cast<float>(transform.input_height) / grid.cells;
        with_float_data(scores, "blazeface", [&](const auto* score_data) {
            with_float_data(regressors, "blazeface", [&](const auto* regressor_data) {
                collect(score_data + score_row + grid.first_row,
                        regressor_data + (regressor_row + grid.first_row) * k_regressors, grid,
                        stride_x, stride_y, options().threshold, detections);
            });
        });
    }
    nms_per_class(detections, first, options().nms_iou);
    to_source(detections, first, transform);
}

}  // namespace es::pipeline
