#include "inference/frontends/tf/tensor_list.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/tensor_conversion.h"

#include <set>

namespace es::frontends::tf_import {
namespace {

const std::set<std::string, std::less<>> k_ops{
    "TensorArrayV3",       "TensorArrayScatterV3", "TensorArrayReadV3", "TensorArrayWriteV3",
    "TensorArrayGatherV3", "TensorArraySizeV3",    "TensorListReserve", "TensorListFromTensor",
    "TensorListGetItem",   "TensorListSetItem",    "TensorListStack",   "TensorListLength",
    "TensorListPushBack",  "TensorListGather"};

using List = std::shared_ptr<const TensorList>;

const Value& input(const std::vector<Value>& inputs, size_t i) {
    if (i >= inputs.size())
        throw_bad_input("input {} is required, but the node has {} inputs", i, inputs.size());
    return inputs[i];
}

graph::Output tensor_input(const std::vector<Value>& inputs, size_t i, const char* what) {
    const Value& value = input(inputs, i);
    if (value.list) throw_bad_input("input {} ({}) is a list, expected a tensor", i, what);
    return value.tensor;
}

List list_input(const std::vector<Value>& inputs, size_t i) {
    const Value& value = input(inputs, i);
    if (!value.list) throw_bad_input("input {} is not a TensorArray or TensorList", i);
    return value.list;
}

std::vector<int64_t> constant_ints(const std::vector<Value>& inputs, size_t i, const char* what) {
    const graph::Output value = tensor_input(inputs, i, what);
    if (value.node->type != "Const")
        throw_bad_input(
            "input {} ({}) is not constant at conversion: loops over TensorArrays and "
            "TensorLists are unrolled while converting, so their sizes and indices must fold "
            "(fix the model's input shapes with --shape)",
            i, what);
    return value.node->value.to_int64s();
}

int64_t constant_int(const std::vector<Value>& inputs, size_t i, const char* what) {
    const auto values = constant_ints(inputs, i, what);
    if (values.size() != 1)
        throw_bad_input("input {} ({}) has {} values, expected 1", i, what, values.size());
    return values[0];
}

// A TensorList's element_shape input: -1 for an unknown rank, -1 dimensions unknown.
PartialShape element_shape_input(const std::vector<Value>& inputs, size_t i) {
    const auto dims = constant_ints(inputs, i, "element_shape");
    if (dims.size() == 1 && input(inputs, i).tensor.type().shape.rank() == 0 && dims[0] == -1)
        return PartialShape::dynamic_rank();
    std::vector<int64_t> shape;
    for (int64_t dim : dims)
        shape.push_back(dim < 0 ? k_dynamic : dim);
    return PartialShape(shape);
}

ElementType type_attribute(const tensorflow::NodeDef& node, const std::string& name) {
    const auto found = node.attr().find(name);
    if (found == node.attr().end()) return ElementType::f32;
    const auto type = element_type_from_tf(found->second.type());
    if (!type)
        throw_bad_input("attribute '{}': type {} is not supported", name,
                        tf_type_name(found->second.type()));
    return *type;
}

size_t position(int64_t index, const TensorList& list, bool growable) {
    if (index < 0 || (!growable && static_cast<size_t>(index) >= list.items.size()))
        throw_bad_input("index {} is outside the list's {} elements", index, list.items.size());
    return static_cast<size_t>(index);
}

List with_item(const List& list, size_t index, graph::Output item) {
    auto copy = std::make_shared<TensorList>(*list);
    if (index >= copy->items.size()) copy->items.resize(index + 1);
    copy->items[index] = item;
    return copy;
}

graph::Output item_at(const TensorList& list, int64_t index) {
    const size_t at = position(index, list, false);
    if (!list.items[at]) throw_bad_input("reads element {}, which was never written", index);
    return *list.items[at];
}

// Element `index` of `tensor` along its first axis.
graph::Output element(GraphBuilder& builder, graph::Output tensor, int64_t index) {
    return builder
        .add("Gather", "opset8",
             {tensor, builder.constant(make_tensor<int64_t>({}, {index})),
              builder.constant(make_tensor<int64_t>({}, {0}))},
             {{"batch_dims", "0"}})
        .output();
}

std::vector<std::optional<graph::Output>> unstack(GraphBuilder& builder, graph::Output tensor) {
    const PartialShape& shape = tensor.type().shape;
    if (!shape.rank_known() || shape.rank() == 0 || shape[0] == k_dynamic)
        throw_bad_input(
            "unstacks a tensor of shape {} whose first dimension is not known at conversion "
            "(fix the model's input shapes with --shape)",
            to_string(shape));
    std::vector<std::optional<graph::Output>> items;
    for (int64_t i = 0; i < shape[0]; ++i)
        items.emplace_back(element(builder, tensor, i));
    return items;
}

graph::Output stack(GraphBuilder& builder, const TensorList& list,
                    const std::vector<int64_t>& indices, const PartialShape& element_shape) {
    if (indices.empty()) {
        const PartialShape& shape = element_shape.is_static() ? element_shape : list.element_shape;
        if (!shape.is_static())
            throw_bad_input("stacks no elements, and the element shape {} is not static",
                            to_string(shape));
        Shape dims{0};
        for (int64_t dim : shape.to_shape())
            dims.push_back(dim);
        return builder.constant(Tensor(list.type, dims));
    }
    std::vector<graph::Output> pieces;
    for (int64_t index : indices)
        pieces.push_back(
            builder
                .add("Unsqueeze", "opset1",
                     {item_at(list, index), builder.constant(make_tensor<int64_t>({1}, {0}))})
                .output());
    if (pieces.size() == 1) return pieces[0];
    return builder.add("Concat", "opset1", pieces, {{"axis", "0"}}).output();
}

std::vector<int64_t> all_indices(const TensorList& list) {
    std::vector<int64_t> indices(list.items.size());
    for (size_t i = 0; i < indices.size(); ++i)
        indices[i] = static_cast<int64_t>(i);
    return indices;
}

graph::Output size_constant(GraphBuilder& builder, size_t size) {
    return builder.constant(make_tensor<int32_t>({}, {static_cast<int32_t>(size)}));
}

Value of(List list) {
    return {{}, std::move(list), false};
}

}  // namespace

bool is_tensor_list_op(const std::string& op) {
    return k_ops.count(op) > 0;
}

std::vector<Value> run_tensor_list_op(const tensorflow::NodeDef& node,
                                      const std::vector<Value>& inputs, GraphBuilder& builder) {
    const std::string& op = node.op();
    if (op == "TensorArrayV3") {
        auto list = std::make_shared<TensorList>();
        list->type = type_attribute(node, "dtype");
        const auto shape = node.attr().find("element_shape");
        if (shape != node.attr().end() && shape->second.has_shape())
            list->element_shape = shape_from_proto(shape->second.shape());
        list->items.resize(
            static_cast<size_t>(std::max<int64_t>(0, constant_int(inputs, 0, "size"))));
        return {of(list), of(list)};  // handle, flow
    }
    if (op == "TensorListReserve") {
        auto list = std::make_shared<TensorList>();
        list->type = type_attribute(node, "element_dtype");
        list->element_shape = element_shape_input(inputs, 0);
        const int64_t count = constant_int(inputs, 1, "num_elements");
        list->items.resize(static_cast<size_t>(std::max<int64_t>(0, count)));
        return {of(list)};
    }
    if (op == "TensorListFromTensor") {
        auto list = std::make_shared<TensorList>();
        const graph::Output tensor = tensor_input(inputs, 0, "tensor");
        list->type = tensor.type().type;
        list->element_shape = element_shape_input(inputs, 1);
        list->items = unstack(builder, tensor);
        return {of(list)};
    }
    if (op == "TensorArrayScatterV3") {
        const List list = list_input(inputs, 3);
        const auto indices = constant_ints(inputs, 1, "indices");
        const graph::Output value = tensor_input(inputs, 2, "value");
        List result = list;
        for (size_t k = 0; k < indices.size(); ++k)
            result = with_item(result, position(indices[k], *list, false),
                               element(builder, value, static_cast<int64_t>(k)));
        return {of(result)};
    }
    if (op == "TensorArrayWriteV3" || op == "TensorListSetItem") {
        const bool array = op == "TensorArrayWriteV3";
        const List list = list_input(inputs, array ? 3 : 0);
        const int64_t index = constant_int(inputs, 1, "index");
        const graph::Output item = tensor_input(inputs, 2, "value");
        return {of(with_item(list, position(index, *list, array), item))};
    }
    if (op == "TensorListPushBack") {
        const List list = list_input(inputs, 0);
        return {of(with_item(list, list->items.size(), tensor_input(inputs, 1, "tensor")))};
    }
    if (op == "TensorArrayReadV3")
        return {Value::of(item_at(*list_input(inputs, 2), constant_int(inputs, 1, "index")))};
    if (op == "TensorListGetItem")
        return {Value::of(item_at(*list_input(inputs, 0), constant_int(inputs, 1, "index")))};
    if (op == "TensorArrayGatherV3") {
        const auto shape = node.attr().find("element_shape");
        const PartialShape element_shape = shape != node.attr().end() && shape->second.has_shape()
                                               ? shape_from_proto(shape->second.shape())
                                               : PartialShape::dynamic_rank();
        return {Value::of(stack(builder, *list_input(inputs, 2),
                                constant_ints(inputs, 1, "indices"), element_shape))};
    }
    if (op == "TensorListGather") {
        return {
            Value::of(stack(builder, *list_input(inputs, 0), constant_ints(inputs, 1, "indices"),
                            element_shape_input(inputs, 2)))};
    }
    if (op == "TensorListStack") {
        const List list = list_input(inputs, 0);
        return {
            Value::of(stack(builder, *list, all_indices(*list), element_shape_input(inputs, 1)))};
    }
    if (op == "TensorArraySizeV3")
        return {Value::of(size_constant(builder, list_input(inputs, 1)->items.size()))};
    if (op == "TensorListLength")
        return {Value::of(size_constant(builder, list_input(inputs, 0)->items.size()))};
    throw_bad_input("{} is not a TensorArray or TensorList op", op);
}

}  // namespace es::frontends::tf_import
