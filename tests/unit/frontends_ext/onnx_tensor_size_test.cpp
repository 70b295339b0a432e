// ONNX tensors whose dims promise more data than the file holds: refused before allocating.
#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <onnx/onnx_pb.h>

#include <fstream>

using namespace es;

namespace {

// A float tensor of 2^27 elements (512 MiB) carrying two values, written as a TensorProto file.
std::filesystem::path write_short_tensor(const std::string& name, bool raw) {
    onnx::TensorProto tensor;
    tensor.set_name(name);
    tensor.set_data_type(onnx::TensorProto::FLOAT);
    tensor.add_dims(int64_t{1} << 27);
    if (raw) {
        tensor.set_raw_data(std::string(8, '\0'));
    } else {
        tensor.add_float_data(1);
        tensor.add_float_data(2);
    }
    const auto path = testing::temp_dir("onnx-size") / (name + ".pb");
    std::ofstream file(path, std::ios::binary);
    tensor.SerializeToOstream(&file);
    return path;
}

}  // namespace

TEST_CASE("ONNX tensors are checked against their data before allocating") {
    const auto raw = write_short_tensor("raw_weights", true);
    const auto typed = write_short_tensor("typed_weights", false);
    const size_t peak_before = testing::peak_resident_bytes();
    CHECK_THROWS_WITH_AS(frontends::read_onnx_tensor(raw),
                         doctest::Contains("tensor 'raw_weights' of shape [134217728] has 8 bytes"),
                         Error);
    CHECK_THROWS_WITH_AS(frontends::read_onnx_tensor(typed),
                         doctest::Contains("tensor 'typed_weights' of shape [134217728] holds 2"),
                         Error);
    CHECK(testing::peak_resident_bytes() - peak_before < testing::k_bad_input_memory);
}
