#include "inference/graph/ops/op_util.h"

namespace es::graph::ops {

void expect_rank(const InferContext& context, size_t i, size_t rank, const char* what) {
    const auto& shape = context.input(i).shape;
    if (shape.rank_known() && shape.rank() != rank)
        throw_bad_input("input {} ({}) has rank {} {}, expected rank {}", i, what, shape.rank(),
                        to_string(shape), rank);
}

void expect_integer(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (!is_integer(type))
        throw_bad_input("input {} ({}) has element type {}, expected an integer type", i, what,
                        to_string(type));
}

std::optional<std::vector<int64_t>> constant_ints(const InferContext& context, size_t i) {
    const Tensor* value = context.value(i);
    if (!value) return std::nullopt;
    return value->to_int64s();
}

std::vector<PortType> same_as_input(const InferContext& context) {
    return {context.input(0)};
}

}  // namespace es::graph::ops
