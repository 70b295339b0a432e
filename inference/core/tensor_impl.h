#pragma once

#include "inference/core/error.h"

#include <algorithm>

namespace es {

template <typename T>
Tensor make_tensor(Shape shape, std::initializer_list<T> values) {
    Tensor tensor(element_type_of<T>(), std::move(shape));
    if (tensor.size() != values.size())
        throw_runtime("make_tensor: {} values for shape {}", values.size(),
                      to_string(tensor.shape()));
    std::copy(values.begin(), values.end(), tensor.template data<T>());
    return tensor;
}

}  // namespace es
