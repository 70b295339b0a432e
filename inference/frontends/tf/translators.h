#pragma once

#include "inference/frontends/tf/op_table.h"

#include <vector>

// Each family appends its translators; op_table.cpp calls them all.
namespace es::frontends::tf_import {

void add_general_translators(std::vector<OpTranslator>& table);      // Const, Identity, Cast…
void add_elementwise_translators(std::vector<OpTranslator>& table);  // arithmetic, activations
void add_conv_translators(std::vector<OpTranslator>& table);         // Conv2D and fused forms
void add_nn_translators(std::vector<OpTranslator>& table);      // pooling, norms, MatMul, resize…
void add_tensor_translators(std::vector<OpTranslator>& table);  // reshape, slice, reductions…
void add_index_translators(std::vector<OpTranslator>& table);   // GatherNd, ScatterNd, blocks

}  // namespace es::frontends::tf_import
