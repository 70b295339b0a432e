#pragma once

#include "inference/frontends/onnx/node_context.h"

#include <string_view>
#include <vector>

namespace es::frontends::onnx_import {

// Translates one ONNX node into IR nodes; returns one output per ONNX output (in order).
using Translator = std::vector<graph::Output> (*)(NodeContext&);

struct OpTranslator {
    std::string_view op_type;
    Translator translate;
};

// The ONNX ops edgesight converts (default domain), from the explicit list in op_table.cpp.
const OpTranslator* find_translator(std::string_view op_type);

}  // namespace es::frontends::onnx_import
