#include "inference/frontends/tf/tensor_conversion.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/proto/types.pb.h"

#include <cstring>

namespace es::frontends::tf_import {
namespace {

// Fills `count` elements from `values`, repeating the last one; none at all leaves zeros.
template <typename T, typename Values>
void fill_from(T* dst, size_t count, const Values& values, const std::string& where) {
    const size_t available = static_cast<size_t>(values.size());
    if (available > count)
        throw_bad_input("{}: the tensor holds {} values but its shape has {} elements", where,
                        available, count);
    if (available == 0) return;
    for (size_t i = 0; i < count; ++i)
        dst[i] = static_cast<T>(values.Get(static_cast<int>(std::min(i, available - 1))));
}

}  // namespace

std::optional<ElementType> element_type_from_tf(int dtype) {
    if (dtype > 100) dtype -= 100;  // DT_*_REF
    switch (dtype) {
        case tensorflow::DT_FLOAT:
            return ElementType::f32;
        case tensorflow::DT_DOUBLE:
            return ElementType::f64;
        case tensorflow::DT_HALF:
            return ElementType::f16;
        case tensorflow::DT_INT8:
            return ElementType::i8;
        case tensorflow::DT_INT16:
            return ElementType::i16;
        case tensorflow::DT_INT32:
            return ElementType::i32;
        case tensorflow::DT_INT64:
            return ElementType::i64;
        case tensorflow::DT_UINT8:
            return ElementType::u8;
        case tensorflow::DT_UINT16:
            return ElementType::u16;
        case tensorflow::DT_UINT32:
            return ElementType::u32;
        case tensorflow::DT_UINT64:
            return ElementType::u64;
        case tensorflow::DT_BOOL:
            return ElementType::boolean;
        default:
            return std::nullopt;
    }
}

std::string tf_type_name(int dtype) {
    if (tensorflow::DataType_IsValid(dtype))
        return tensorflow::DataType_Name(static_cast<tensorflow::DataType>(dtype));
    return fmt::format("DataType {}", dtype);
}

PartialShape shape_from_proto(const tensorflow::TensorShapeProto& shape) {
    if (shape.unknown_rank()) return PartialShape::dynamic_rank();
    std::vector<int64_t> dims;
    for (const auto& dim : shape.dim())
        dims.push_back(dim.size() >= 0 ? dim.size() : k_dynamic);
    return PartialShape(std::move(dims));
}

Tensor tensor_from_proto(const tensorflow::TensorProto& proto, const std::string& where) {
    const auto type = element_type_from_tf(proto.dtype());
    if (!type)
        throw_bad_input("{}: tensors of type {} are not supported", where,
                        tf_type_name(proto.dtype()));
    const PartialShape partial = shape_from_proto(proto.tensor_shape());
    if (!partial.is_static())
        throw_bad_input("{}: a constant tensor has the unknown shape {}", where,
                        to_string(partial));
    size_t elements = 0;
    try {
        elements = shape_size(partial.to_shape());
    } catch (const Error& error) {
        rethrow_with_context(error, where);
    }
    // Sizes are checked before allocating: tensor_content must hold every element, and repeating
    // a few typed values may fill a large tensor, but not an absurd one.
    const size_t bytes = elements * element_size(*type);
    if (!proto.tensor_content().empty() && proto.tensor_content().size() != bytes)
        throw_bad_input("{}: tensor_content has {} bytes, but a {} tensor of shape {} needs {}",
                        where, proto.tensor_content().size(), to_string(*type), to_string(partial),
                        bytes);
    if (proto.tensor_content().empty() && bytes > k_max_expanded_bytes)
        throw_bad_input(
            "{}: a {} constant of shape {} is too large to fill from its values ({} "
            "bytes, at most {})",
            where, to_string(*type), to_string(partial), bytes, k_max_expanded_bytes);
    Tensor tensor(*type, partial.to_shape());
    const size_t count = tensor.size();
    if (!proto.tensor_content().empty()) {
        std::memcpy(tensor.bytes(), proto.tensor_content().data(), tensor.byte_size());
        return tensor;
    }
    switch (*type) {
        case ElementType::f32:
            fill_from(tensor.data<float>(), count, proto.float_val(), where);
            break;
        case ElementType::f64:
            fill_from(tensor.data<double>(), count, proto.double_val(), where);
            break;
        case ElementType::f16: {
            // half_val holds the 16-bit patterns
            auto* dst = reinterpret_cast<uint16_t*>(tensor.bytes());
            fill_from(dst, count, proto.half_val(), where);
            break;
        }
        case ElementType::i8:
            fill_from(tensor.data<int8_t>(), count, proto.int_val(), where);
            break;
        case ElementType::i16:
            fill_from(tensor.data<int16_t>(), count, proto.int_val(), where);
            break;
        case ElementType::i32:
            fill_from(tensor.data<int32_t>(), count, proto.int_val(), where);
            break;
        case ElementType::u8:
            fill_from(tensor.data<uint8_t>(), count, proto.int_val(), where);
            break;
        case ElementType::u16:
            fill_from(tensor.data<uint16_t>(), count, proto.int_val(), where);
            break;
        case ElementType::i64:
            fill_from(tensor.data<int64_t>(), count, proto.int64_val(), where);
            break;
        case ElementType::u32:
            fill_from(tensor.data<uint32_t>(), count, proto.uint32_val(), where);
            break;
        case ElementType::u64:
            fill_from(tensor.data<uint64_t>(), count, proto.uint64_val(), where);
            break;
        case ElementType::boolean:
            fill_from(tensor.data<bool>(), count, proto.bool_val(), where);
            break;
        default:
            throw_bad_input("{}: tensors of type {} are not supported", where, to_string(*type));
    }
    return tensor;
}

}  // namespace es::frontends::tf_import
