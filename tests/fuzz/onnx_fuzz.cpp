// ONNX frontend: the input is the .onnx file.
#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto path = fresh_dir() / "model.onnx";
    write_file(path, {reinterpret_cast<const char*>(data), size});
    try {
        es::frontends::read_onnx(path);
    } catch (const es::Error&) {
    }
    return 0;
}
