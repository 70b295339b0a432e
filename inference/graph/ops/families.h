#pragma once

#include "inference/graph/op.h"

#include <vector>

// Each op family appends its definitions; op_registry.cpp calls them all.
namespace es::graph::ops {

void add_io_ops(std::vector<OpDef>& ops);           // Parameter, Const, Result, Convert
void add_eltwise_ops(std::vector<OpDef>& ops);      // binary arithmetic, comparison, Select
void add_activation_ops(std::vector<OpDef>& ops);   // unary math and activations, FakeQuantize
void add_convolution_ops(std::vector<OpDef>& ops);  // Convolution, GroupConvolution, deconvolution
void add_pooling_ops(std::vector<OpDef>& ops);      // MaxPool, AvgPool
void add_matmul_ops(std::vector<OpDef>& ops);       // MatMul
void add_shape_ops(std::vector<OpDef>& ops);        // Reshape, ShapeOf, Squeeze, Unsqueeze
void add_movement_ops(std::vector<OpDef>& ops);     // Concat, Split, Gather, Transpose, Pad …
void add_normalization_ops(std::vector<OpDef>& ops);           // MVN, NormalizeL2, SoftMax
void add_reduction_ops(std::vector<OpDef>& ops);               // Reduce*, TopK
void add_interpolate_ops(std::vector<OpDef>& ops);             // Interpolate v1, v4, v11
void add_detection_ops(std::vector<OpDef>& ops);               // PriorBox*, DetectionOutput, NMS
void add_grid_sample_ops(std::vector<OpDef>& ops);             // GridSample
void add_deformable_convolution_ops(std::vector<OpDef>& ops);  // DeformableConvolution
void add_roi_align_ops(std::vector<OpDef>& ops);               // ROIAlign v3, v9
void add_gather_elements_ops(std::vector<OpDef>& ops);         // GatherElements v6
void add_scatter_nd_ops(std::vector<OpDef>& ops);              // ScatterNDUpdate v3, v15
void add_trigonometric_ops(std::vector<OpDef>& ops);           // Sin, Cos, Atan
void add_ctc_decoder_ops(std::vector<OpDef>& ops);    // CTCGreedyDecoder, CTCGreedyDecoderSeqLen
void add_proposal_ops(std::vector<OpDef>& ops);       // Proposal v1, v4
void add_psroi_pooling_ops(std::vector<OpDef>& ops);  // PSROIPooling

}  // namespace es::graph::ops
