// TF.js graph model: the input is model.json, then shard1.bin and shard2.bin.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto parts = split_parts(data, size, 3);
    const auto dir = fresh_dir();
    write_file(dir / "model.json", parts[0]);
    write_file(dir / "shard1.bin", parts[1]);
    write_file(dir / "shard2.bin", parts[2]);
    try {
        es::frontends::read_tfjs_model(dir / "model.json");
    } catch (const es::Error&) {
    }
    return 0;
}
