#pragma once

#include "inference/frontends/onnx/op_table.h"

#include <vector>

// Each family appends its translators; op_table.cpp calls them all.
namespace es::frontends::onnx_import {

void add_general_translators(std::vector<OpTranslator>& table);  // Constant, Identity, Cast, Shape…
void add_elementwise_translators(std::vector<OpTranslator>& table);  // arithmetic, activations
void add_nn_translators(std::vector<OpTranslator>& table);           // Conv, pooling, Gemm, norms
void add_tensor_translators(std::vector<OpTranslator>& table);       // reshape, slice, resize…

}  // namespace es::frontends::onnx_import
