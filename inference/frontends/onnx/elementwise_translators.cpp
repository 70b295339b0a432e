#include "inference/frontends/onnx/translators.h"

namespace es::frontends::onnx_import {

void add_elementwise_translators(std::vector<OpTranslator>&) {}

}  // namespace es::frontends::onnx_import
