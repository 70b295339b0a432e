#pragma once

#include "inference/core/tensor.h"
#include "inference/frontends/tf/proto/tensor.pb.h"

#include <optional>
#include <string>

namespace es::frontends::tf_import {

// TensorFlow DataType to ElementType (reference types map to their value type); nullopt for
// types edgesight does not hold (strings, resources, complex, bfloat16, quantized).
std::optional<ElementType> element_type_from_tf(int dtype);
// "DT_FLOAT", for messages.
std::string tf_type_name(int dtype);

// A TensorShapeProto as a PartialShape (-1 dimensions and unknown rank become dynamic).
PartialShape shape_from_proto(const tensorflow::TensorShapeProto& shape);

// Converts a tensorflow.TensorProto (tensor_content or the typed *_val fields, where fewer
// values than the shape holds repeat the last one, as TensorFlow does).
Tensor tensor_from_proto(const tensorflow::TensorProto& proto, const std::string& where);

}  // namespace es::frontends::tf_import
