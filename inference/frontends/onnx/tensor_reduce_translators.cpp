#include "inference/frontends/onnx/tensor_translators.h"

#include "inference/core/error.h"

#include <numeric>

namespace es::frontends::onnx_import::tensor {
namespace {

// Every axis of `data`: a constant when its rank is known, else Range(0, rank).
graph::Output all_axes(NodeContext& context, graph::Output data) {
    const PartialShape& shape = data.type().shape;
    if (shape.rank_known()) {
        std::vector<int64_t> axes(shape.rank());
        std::iota(axes.begin(), axes.end(), int64_t{0});
        return i64_constant(context, axes);
    }
    const graph::Output dims =
        add_op(context, "ShapeOf", "opset3", {data}, {{"output_type", "i64"}});
    const graph::Output rank =
        add_op(context, "ShapeOf", "opset3", {dims}, {{"output_type", "i64"}});
    const graph::Output count =
        add_op(context, "Squeeze", "opset1", {rank, i64_constant(context, {0})});
    return add_op(context, "Range", "opset4",
                  {i64_scalar(context, 0), count, i64_scalar(context, 1)},
                  {{"output_type", "i64"}});
}

// The axes a Reduce* node reduces: an attribute before opset 18 (ReduceSum: an input from 13).
// No axes reduce all of them, unless noop_with_empty_axes: then none (an empty IR axes list,
// which leaves each element on its own).
graph::Output reduce_axes(NodeContext& context) {
    const bool from_input =
        context.opset() >= 18 || (context.op_type() == "ReduceSum" && context.opset() >= 13);
    std::optional<graph::Output> axes;
    if (from_input) {
        const Tensor* value = context.constant_input(1);
        if (context.has_input(1) && !(value && value->size() == 0)) axes = context.input(1);
    } else if (!context.attribute_ints("axes").empty()) {
        axes = i64_constant(context, context.attribute_ints("axes"));
    }
    if (axes) return *axes;
    if (context.attribute_int("noop_with_empty_axes", 0) != 0) return i64_constant(context, {});
    return all_axes(context, context.input(0));
}

bool keep_dims(const NodeContext& context) {
    return context.attribute_int("keepdims", 1) != 0;
}

graph::Output reduce(NodeContext& context, const char* type, const char* version,
                     graph::Output data, graph::Output axes, bool keep) {
    return add_op(context, type, version, {data, axes}, {{"keep_dims", keep ? "true" : "false"}});
}

std::vector<graph::Output> translate_reduce(NodeContext& context, const char* type,
                                            const char* version) {
    const graph::Output axes = reduce_axes(context);
    // ReduceMax and ReduceMin take booleans from opset 20: any and all.
    if (context.input_type(0).type == ElementType::boolean) {
        const std::string op = type;
        if (op == "ReduceMax") type = "ReduceLogicalOr";
        if (op == "ReduceMin") type = "ReduceLogicalAnd";
    }
    return {reduce(context, type, version, context.input(0), axes, keep_dims(context))};
}

std::vector<graph::Output> translate_reduce_sum_square(NodeContext& context) {
    const graph::Output axes = reduce_axes(context);
    const graph::Output data = context.input(0);
    const graph::Output squares = add_op(context, "Multiply", "opset1", {data, data});
    return {reduce(context, "ReduceSum", "opset1", squares, axes, keep_dims(context))};
}

std::vector<graph::Output> translate_reduce_log_sum(NodeContext& context) {
    const graph::Output axes = reduce_axes(context);
    const graph::Output sum =
        reduce(context, "ReduceSum", "opset1", context.input(0), axes, keep_dims(context));
    return {add_op(context, "Log", "opset1", {sum})};
}

// log(sum(exp(x))) = m + log(sum(exp(x - m))) with m the maximum, so that exp cannot overflow.
std::vector<graph::Output> translate_reduce_log_sum_exp(NodeContext& context) {
    const graph::Output axes = reduce_axes(context);
    const graph::Output data = context.input(0);
    const bool keep = keep_dims(context);
    const graph::Output max_kept = reduce(context, "ReduceMax", "opset1", data, axes, true);
    const graph::Output shifted = add_op(context, "Subtract", "opset1", {data, max_kept});
    const graph::Output exp = add_op(context, "Exp", "opset1", {shifted});
    const graph::Output sum = reduce(context, "ReduceSum", "opset1", exp, axes, keep);
    const graph::Output max =
        keep ? max_kept : reduce(context, "ReduceMax", "opset1", data, axes, false);
    return {add_op(context, "Add", "opset1", {add_op(context, "Log", "opset1", {sum}), max})};
}

std::vector<graph::Output> translate_binary(NodeContext& context, const char* type) {
    return {add_op(context, type, "opset1", {context.input(0), context.input(1)})};
}

std::vector<graph::Output> translate_not(NodeContext& context) {
    return {add_op(context, "LogicalNot", "opset1", {context.input(0)})};
}

std::vector<graph::Output> translate_where(NodeContext& context) {
    return {add_op(context, "Select", "opset1",
                   {context.input(0), context.input(1), context.input(2)},
                   {{"auto_broadcast", "numpy"}})};
}

}  // namespace

void add_reduce_translators(std::vector<OpTranslator>& table) {
    // Reduce* ops that map one to one; ReduceL1 and ReduceL2 came in IR opset 4.
    table.push_back(
        {"ReduceMean", [](NodeContext& c) { return translate_reduce(c, "ReduceMean", "opset1"); }});
    table.push_back(
        {"ReduceMax", [](NodeContext& c) { return translate_reduce(c, "ReduceMax", "opset1"); }});
    table.push_back(
        {"ReduceMin", [](NodeContext& c) { return translate_reduce(c, "ReduceMin", "opset1"); }});
    table.push_back(
        {"ReduceSum", [](NodeContext& c) { return translate_reduce(c, "ReduceSum", "opset1"); }});
    table.push_back(
        {"ReduceProd", [](NodeContext& c) { return translate_reduce(c, "ReduceProd", "opset1"); }});
    table.push_back(
        {"ReduceL1", [](NodeContext& c) { return translate_reduce(c, "ReduceL1", "opset4"); }});
    table.push_back(
        {"ReduceL2", [](NodeContext& c) { return translate_reduce(c, "ReduceL2", "opset4"); }});
    table.push_back({"ReduceSumSquare", translate_reduce_sum_square});
    table.push_back({"ReduceLogSum", translate_reduce_log_sum});
    table.push_back({"ReduceLogSumExp", translate_reduce_log_sum_exp});
    table.push_back({"Equal", [](NodeContext& c) { return translate_binary(c, "Equal"); }});
    table.push_back({"Greater", [](NodeContext& c) { return translate_binary(c, "Greater"); }});
    table.push_back(
        {"GreaterOrEqual", [](NodeContext& c) { return translate_binary(c, "GreaterEqual"); }});
    table.push_back({"Less", [](NodeContext& c) { return translate_binary(c, "Less"); }});
    table.push_back(
        {"LessOrEqual", [](NodeContext& c) { return translate_binary(c, "LessEqual"); }});
    table.push_back({"And", [](NodeContext& c) { return translate_binary(c, "LogicalAnd"); }});
    table.push_back({"Or", [](NodeContext& c) { return translate_binary(c, "LogicalOr"); }});
    table.push_back({"Xor", [](NodeContext& c) { return translate_binary(c, "LogicalXor"); }});
    table.push_back({"Not", translate_not});
    table.push_back({"Where", translate_where});
}

}  // namespace es::frontends::onnx_import::tensor
