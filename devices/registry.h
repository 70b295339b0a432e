#pragma once

#include "inference/runtime/device.h"

#include <memory>
#include <string>
#include <vector>

namespace es::devices {

// AUTO, then every device built into edgesight, most capable first (the order AUTO tries them
// in).
std::vector<std::unique_ptr<runtime::Device>> make_registry();

// The names a config or a command line may give a device by: each device of the registry and
// its instances present now.
std::vector<std::string> device_names();

}  // namespace es::devices
