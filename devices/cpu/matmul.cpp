#include "devices/cpu/broadcast_operands.h"
#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"

#include <numeric>

namespace es::devices::cpu {
namespace {

// The order that swaps the last two axes.
std::vector<int64_t> swap_last_two(size_t rank) {
    std::vector<int64_t> order(rank);
    std::iota(order.begin(), order.end(), 0);
    std::swap(order[rank - 1], order[rank - 2]);
    return order;
}

// The plain memory of an operand ([…, rows, cols] as stored) seen as the matrix the product
// reads: leading 1s to `rank`, the last two axes swapped when `transposed`.
dnnl::memory::desc operand_desc(const Shape& stored, size_t rank, bool transposed) {
    const dnnl::memory::desc desc = plain_desc(ElementType::f32, padded(stored, rank));
    return transposed ? permuted_desc(desc, swap_last_two(rank)) : desc;
}

Shape dims_of(const dnnl::memory::desc& desc) {
    const auto dims = desc.dims();
    return Shape(dims.begin(), dims.end());
}

// Constant weights [… K, N] (transposed: [… N, K]) as [… K, N] with column n scaled by the
// chain's folded scales and the folded shifts summed into a bias of N values.
Tensor fold_weights(const Tensor& weights, bool transposed, const PostOpChain& chain,
                    std::vector<float>& bias) {
    const Shape& shape = weights.shape();
    const size_t rank = shape.size();
    const int64_t rows = shape[rank - 2], cols = shape[rank - 1];
    const int64_t k = transposed ? cols : rows, n = transposed ? rows : cols;
    Shape folded_shape = shape;
    folded_shape[rank - 2] = k;
    folded_shape[rank - 1] = n;
    Tensor folded(ElementType::f32, folded_shape);
    const float* src = weights.data<float>();
    float* dst = folded.data<float>();
    const size_t matrices = weights.size() / static_cast<size_t>(k * n);
    for (size_t m = 0; m < matrices; ++m)
        for (int64_t i = 0; i < k; ++i)
            for (int64_t j = 0; j < n; ++j)
                dst[m * k * n + i * n + j] =
                    src[m * k * n + (transposed ? j * cols + i : i * cols + j)];
    bias.assign(static_cast<size_t>(n), 0.0f);
    for (size_t f = 0; f < chain.folded; ++f) {
        const FusedOp& op = chain.ops[f];
        for (int64_t j = 0; j < n; ++j) {
            const float value = op.operand.data<float>()[op.operand.size() > 1 ? j : 0];
            if (op.kind == FusedOp::Kind::shift) {
                bias[static_cast<size_t>(j)] += value;
                continue;
            }
            bias[static_cast<size_t>(j)] *= value;
            for (size_t m = 0; m < matrices; ++m)
                for (int64_t i = 0; i < k; ++i)
                    dst[m * k * n + i * n + j] *= value;
        }
    }
    return folded;
}

}  // namespace

// MatMul of two matrices or batches of them (batch dimensions broadcast). Constant weights are
// reordered once into oneDNN's preferred layout, with a following bias (and scale) folded in;
// activations and per-column arithmetic after it become post-ops.
bool lower_matmul(const graph::Node& node, Compiler& compiler) {
    const bool transpose_a = node.attributes.get_bool("transpose_a", false);
    const bool transpose_b = node.attributes.get_bool("transpose_b", false);
    const ValueId a = compiler.input_value(node, 0);
    const ValueId b = compiler.input_value(node, 1);
    const Shape a_shape = compiler.value(a).shape;
    const Shape b_shape = compiler.value(b).shape;
    if (compiler.value(a).type != ElementType::f32 || compiler.value(b).type != ElementType::f32 ||
        a_shape.size() < 2 || b_shape.size() < 2)
        return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const size_t rank = dst_shape.size();
    const Tensor* constant_b = compiler.constant_input(node, 1);

    const PostOpChain chain = collect_post_ops(
        node, compiler, dst_shape, {.channel_axis = rank - 1, .fold = constant_b != nullptr});
    std::vector<float> bias;
    Tensor weights;
    dnnl::memory::desc b_desc;
    if (constant_b) {
        weights =
            chain.folded > 0 ? fold_weights(*constant_b, transpose_b, chain, bias) : *constant_b;
        b_desc = operand_desc(weights.shape(), rank, transpose_b && chain.folded == 0);
    } else {
        b_desc = operand_desc(b_shape, rank, transpose_b);
    }
    const dnnl::memory::desc a_desc = operand_desc(a_shape, rank, transpose_a);
    dnnl::memory::dims bias_dims(rank, 1);
    bias_dims[rank - 1] = dst_shape[rank - 1];
    const auto bias_desc = plain_desc(ElementType::f32, Shape(bias_dims.begin(), bias_dims.end()));
    const dnnl::memory::desc dst_any(dnnl_dims(dst_shape), dnnl::memory::data_type::f32,
                                     dnnl::memory::format_tag::any);
    const auto created = create_with_post_ops(
        chain, rank, rank - 1, compiler, dst_any,
        [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
            const dnnl::memory::desc weights_desc =
                constant_b ? dnnl::memory::desc(b_desc.dims(), dnnl::memory::data_type::f32,
                                                dnnl::memory::format_tag::any)
                           : b_desc;
            const auto desc = bias.empty()
                                  ? dnnl::matmul::desc(a_desc, weights_desc, dst_desc)
                                  : dnnl::matmul::desc(a_desc, weights_desc, bias_desc, dst_desc);
            return dnnl::matmul::primitive_desc(desc, attr, cpu_engine());
        });
    if (!created) return false;
    const auto& [primitive, count] = *created;

    const ValueId a_plain = compiler.to_plain(a);
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC, compiler.add_alias(a_plain, compiler.value(a_plain).name, dims_of(a_desc),
                                          a_desc, Compiler::Alias::view)}};
    if (constant_b) {
        args.push_back(
            {DNNL_ARG_WEIGHTS, compiler.add_weights(weights, b_desc, primitive.weights_desc())});
    } else {
        const ValueId b_plain = compiler.to_plain(b);
        args.push_back(
            {DNNL_ARG_WEIGHTS, compiler.add_alias(b_plain, compiler.value(b_plain).name,
                                                  dims_of(b_desc), b_desc, Compiler::Alias::view)});
    }
    if (!bias.empty()) {
        Tensor bias_tensor(ElementType::f32, Shape(bias_dims.begin(), bias_dims.end()));
        std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
        args.push_back({DNNL_ARG_BIAS, compiler.add_weights(bias_tensor, bias_desc, bias_desc)});
    }
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, dst_shape, primitive.dst_desc());
    args.push_back({DNNL_ARG_DST, dst});
    for (const PrimitiveArg& arg : post_op_args(chain, count, rank, rank - 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args));
    compiler.define(finish_fusion(chain, count, node, compiler), dst);
    return true;
}

}  // namespace es::devices::cpu
