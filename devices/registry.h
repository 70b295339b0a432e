#pragma once

#include "inference/runtime/device.h"

#include <memory>
#include <vector>

namespace es::devices {

// Every device built into edgesight, most capable first (the order AUTO tries them in).
std::vector<std::unique_ptr<runtime::Device>> make_registry();

}  // namespace es::devices
