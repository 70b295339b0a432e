#pragma once

#include "devices/gpu/opencl.h"

#include <filesystem>
#include <string>

namespace es::devices::gpu {

struct BuiltProgram {
    Program program;
    bool from_cache = false;  // loaded from a binary on disk instead of compiled
};

// `source` built for `device` with `options`, from the binary a previous build left in the
// cache for the same device, driver, options and source; a build from source is written there
// for the next start. A cache that cannot be read or written only costs the compile.
// Throws es::Error (Runtime) with the build log when the source does not build.
BuiltProgram build_program(cl_context context, const DeviceInfo& device, const std::string& source,
                           const std::string& options);

// $CACHE_DIRECTORY (a systemd unit's CacheDirectory=), else $XDG_CACHE_HOME/edgesight, else
// ~/.cache/edgesight; programs go in its opencl/ folder.
std::filesystem::path program_cache_dir();

}  // namespace es::devices::gpu
