// NumPy .npy reader: the input is the file.
#include "inference/core/error.h"
#include "inference/core/npy.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto path = fresh_dir() / "input.npy";
    write_file(path, {reinterpret_cast<const char*>(data), size});
    try {
        es::read_npy(path);
    } catch (const es::Error&) {
    }
    return 0;
}
