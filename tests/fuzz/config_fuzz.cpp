// Pipeline config check: the input is the config file.
#include "inference/core/error.h"
#include "pipeline/config/config.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto path = fresh_dir() / "config.json";
    write_file(path, {reinterpret_cast<const char*>(data), size});
    try {
        es::pipeline::check_config_file(path, {"AUTO", "CPU", "REF"});
    } catch (const es::Error&) {
    }
    return 0;
}
