// IR reader: the input is the .xml, then the .bin (split as fuzz_input.h says).
#include "inference/core/error.h"
#include "inference/ir/ir.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto parts = split_parts(data, size, 2);
    const auto dir = fresh_dir();
    write_file(dir / "model.xml", parts[0]);
    write_file(dir / "model.bin", parts[1]);
    try {
        es::ir::read_model(dir / "model.xml");
    } catch (const es::Error&) {
    }
    return 0;
}
