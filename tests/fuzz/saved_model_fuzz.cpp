// TF SavedModel: the input is saved_model.pb, variables.index, then the variables' data.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace es::fuzz;
    const auto parts = split_parts(data, size, 3);
    const auto dir = fresh_dir();
    std::filesystem::create_directory(dir / "variables");
    write_file(dir / "saved_model.pb", parts[0]);
    write_file(dir / "variables" / "variables.index", parts[1]);
    write_file(dir / "variables" / "variables.data-00000-of-00001", parts[2]);
    try {
        es::frontends::read_tf_saved_model(dir);
    } catch (const es::Error&) {
    }
    return 0;
}
