#pragma once

#include "inference/frontends/tf/node_context.h"

#include <string_view>
#include <vector>

namespace es::frontends::tf_import {

// Translates one TensorFlow node into IR nodes; returns one output per TF output (in order).
using Translator = std::vector<graph::Output> (*)(NodeContext&);

struct OpTranslator {
    std::string_view op_type;
    Translator translate;
};

// The TensorFlow ops edgesight converts, from the explicit list in op_table.cpp.
const OpTranslator* find_translator(std::string_view op_type);

}  // namespace es::frontends::tf_import
