#include "inference/graph/ops/movement.h"

namespace es::graph::ops::movement {
namespace {

struct BlockParams {
    int64_t block = 1;
    bool blocks_first = true;  // channel = block index * C + c, else c * blocks + block index
};

BlockParams block_params(const Attributes& attributes) {
    BlockParams params;
    params.block = attributes.get_int("block_size", 1);
    if (params.block < 1 || params.block > (int64_t{1} << 20))
        throw_bad_input("attribute 'block_size' is {}, expected a positive size", params.block);
    const std::string mode = attributes.get_string("mode");
    if (mode != "blocks_first" && mode != "depth_first")
        throw_bad_input("attribute 'mode' is '{}', expected blocks_first or depth_first", mode);
    params.blocks_first = mode == "blocks_first";
    return params;
}

// block_size ^ spatial rank: how many channels one output pixel's block spreads over.
int64_t block_volume(int64_t block, size_t spatial_rank) {
    int64_t volume = 1;
    for (size_t i = 0; i < spatial_rank; ++i) {
        if (volume > (int64_t{1} << 44) / block)
            throw_bad_input("block_size {} is too large for {} spatial axes", block, spatial_rank);
        volume *= block;
    }
    return volume;
}

void expect_spatial(const PartialShape& shape) {
    if (shape.rank() < 3)
        throw_bad_input("input 0 has shape {}, expected [N, C, spatial…] of rank 3 or more",
                        to_string(shape));
}

}  // namespace

std::vector<PortType> infer_depth_to_space(const InferContext& context) {
    const BlockParams params = block_params(context.attributes());
    const PortType& data = context.input(0);
    if (!data.shape.rank_known()) return {data};
    expect_spatial(data.shape);
    const int64_t volume = block_volume(params.block, data.shape.rank() - 2);
    PartialShape output = data.shape;
    if (output[1] >= 0) {
        if (output[1] % volume != 0)
            throw_bad_input("{} channels do not divide into blocks of {}", output[1], volume);
        output[1] /= volume;
    }
    for (size_t axis = 2; axis < output.rank(); ++axis)
        if (output[axis] >= 0) output[axis] *= params.block;
    check_output_size(output);
    return {{data.type, output}};
}

// Output [N, C', D1*b, …] seen as [N, C', D1, b, D2, b, …] reads input channel
// (block index, c) or (c, block index) at spatial position (D1, D2, …).
void evaluate_depth_to_space(const Node& node, std::span<const Tensor> inputs,
                             std::vector<Tensor>& outputs) {
    const BlockParams params = block_params(node.attributes);
    const Tensor& src = inputs[0];
    const Shape& shape = src.shape();
    const size_t spatial = shape.size() - 2;
    const int64_t volume = block_volume(params.block, spatial);
    const int64_t channels = shape[1] / volume;
    const auto strides = element_strides(shape);
    const int64_t channel_stride = strides[1];
    Shape expanded{shape[0], channels};
    std::vector<int64_t> expanded_strides{
        strides[0], params.blocks_first ? channel_stride : volume * channel_stride};
    int64_t block_weight = volume;
    for (size_t k = 0; k < spatial; ++k) {
        block_weight /= params.block;
        const int64_t block_stride =
            block_weight * (params.blocks_first ? channels : 1) * channel_stride;
        expanded.insert(expanded.end(), {shape[2 + k], params.block});
        expanded_strides.insert(expanded_strides.end(), {strides[2 + k], block_stride});
    }
    copy_strided(src.bytes(), element_size(src.type()), 0, expanded_strides, expanded,
                 outputs[0].bytes());
}

std::vector<PortType> infer_space_to_depth(const InferContext& context) {
    const BlockParams params = block_params(context.attributes());
    const PortType& data = context.input(0);
    if (!data.shape.rank_known()) return {data};
    expect_spatial(data.shape);
    const int64_t volume = block_volume(params.block, data.shape.rank() - 2);
    PartialShape output = data.shape;
    if (output[1] > (int64_t{1} << 44) / volume)
        throw_bad_input("{} channels times blocks of {} are too many", output[1], volume);
    if (output[1] >= 0) output[1] *= volume;
    for (size_t axis = 2; axis < output.rank(); ++axis) {
        if (output[axis] < 0) continue;
        if (output[axis] % params.block != 0)
            throw_bad_input("spatial dimension {} of size {} is not a multiple of block_size {}",
                            axis, output[axis], params.block);
        output[axis] /= params.block;
    }
    check_output_size(output);
    return {{data.type, output}};
}

// Output [N, C*b^K, D1', …] seen as [N, b…, C, D1', …] (blocks_first) or [N, C, b…, D1', …]
// reads input position (D1' * b + b1, …).
void evaluate_space_to_depth(const Node& node, std::span<const Tensor> inputs,
                             std::vector<Tensor>& outputs) {
    const BlockParams params = block_params(node.attributes);
    const Tensor& src = inputs[0];
    const Shape& shape = src.shape();
    const size_t spatial = shape.size() - 2;
    const auto strides = element_strides(shape);
    Shape blocks_shape, spatial_shape;
    std::vector<int64_t> block_strides, spatial_strides;
    for (size_t k = 0; k < spatial; ++k) {
        blocks_shape.push_back(params.block);
        block_strides.push_back(strides[2 + k]);
        spatial_shape.push_back(shape[2 + k] / params.block);
        spatial_strides.push_back(strides[2 + k] * params.block);
    }
    Shape expanded{shape[0]};
    std::vector<int64_t> expanded_strides{strides[0]};
    auto append = [&](const Shape& dims, const std::vector<int64_t>& dim_strides) {
        expanded.insert(expanded.end(), dims.begin(), dims.end());
        expanded_strides.insert(expanded_strides.end(), dim_strides.begin(), dim_strides.end());
    };
    if (params.blocks_first) append(blocks_shape, block_strides);
    append({shape[1]}, {strides[1]});
    if (!params.blocks_first) append(blocks_shape, block_strides);
    append(spatial_shape, spatial_strides);
    copy_strided(src.bytes(), element_size(src.type()), 0, expanded_strides, expanded,
                 outputs[0].bytes());
}

}  // namespace es::graph::ops::movement
