#include "inference/frontends/onnx/translators.h"

namespace es::frontends::onnx_import {

void add_nn_translators(std::vector<OpTranslator>&) {}

}  // namespace es::frontends::onnx_import
