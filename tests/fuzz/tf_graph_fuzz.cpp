// TF frozen GraphDef: the input is the .pb file.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto path = fresh_dir() / "model.pb";
    write_file(path, {reinterpret_cast<const char*>(data), size});
    try {
        es::frontends::read_tf_frozen_graph(path);
    } catch (const es::Error&) {
    }
    return 0;
}
