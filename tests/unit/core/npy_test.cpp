#include "inference/core/npy.h"
#include "inference/core/error.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>

using namespace es;

namespace {

void write_raw(const std::filesystem::path& path, const std::string& header, size_t data_bytes,
               int version = 1) {
    std::ofstream file(path, std::ios::binary);
    file.write("\x93NUMPY", 6);
    file.put(static_cast<char>(version));
    file.put(0);
    const size_t size = header.size();
    file.put(static_cast<char>(size & 0xff));
    file.put(static_cast<char>(size >> 8));
    if (version >= 2) file.write("\0\0", 2);
    file.write(header.data(), static_cast<std::streamsize>(header.size()));
    const std::string data(data_bytes, '\1');
    file.write(data.data(), static_cast<std::streamsize>(data.size()));
}

}  // namespace

TEST_CASE("npy round trip for every supported dtype") {
    const auto dir = testing::temp_dir("npy");
    for (ElementType type : {ElementType::f32, ElementType::f16, ElementType::i32, ElementType::i64,
                             ElementType::u8, ElementType::i8}) {
        Tensor tensor(type, {2, 3, 1});
        for (size_t i = 0; i < tensor.byte_size(); ++i)
            tensor.bytes()[i] = std::byte(i * 7 + 1);
        const auto path = dir / (std::string(to_string(type)) + ".npy");
        write_npy(path, tensor);
        const Tensor back = read_npy(path);
        CHECK(back.type() == type);
        CHECK(back.shape() == Shape{2, 3, 1});
        CHECK(std::equal(back.bytes(), back.bytes() + back.byte_size(), tensor.bytes()));
    }
    Tensor scalar = make_tensor<float>({}, {2.5f});
    write_npy(dir / "scalar.npy", scalar);
    CHECK(read_npy(dir / "scalar.npy").shape().empty());
    Tensor vector = make_tensor<float>({1}, {2.5f});
    write_npy(dir / "vector.npy", vector);
    CHECK(read_npy(dir / "vector.npy").shape() == Shape{1});
}

TEST_CASE("npy reads version 2 headers written by numpy") {
    const auto path = testing::temp_dir("npy") / "v2.npy";
    write_raw(path, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }\n", 16, 2);
    const Tensor tensor = read_npy(path);
    CHECK(tensor.type() == ElementType::i32);
    CHECK(tensor.shape() == Shape{2, 2});
}

TEST_CASE("npy rejects what it cannot read with the file name in the message") {
    const auto dir = testing::temp_dir("npy");
    auto message_of = [](const std::filesystem::path& path) {
        try {
            read_npy(path);
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::BadInput);
            return std::string(error.what());
        }
        return std::string("no error");
    };
    write_raw(dir / "big_endian.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
              8);
    CHECK(message_of(dir / "big_endian.npy").find("unsupported .npy dtype '>f4'") !=
          std::string::npos);
    write_raw(dir / "fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
              16);
    CHECK(message_of(dir / "fortran.npy").find("Fortran") != std::string::npos);
    write_raw(dir / "short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 8);
    CHECK(message_of(dir / "short.npy").find("short.npy: holds 8 data bytes") != std::string::npos);
    write_raw(dir / "complex.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8);
    CHECK(message_of(dir / "complex.npy").find("<c8") != std::string::npos);
    std::ofstream(dir / "text.npy") << "hello";
    CHECK(message_of(dir / "text.npy").find("not a .npy file") != std::string::npos);
    CHECK(message_of(dir / "missing.npy").find("cannot open") != std::string::npos);
}

TEST_CASE("npy checks a header's shape against the file before allocating") {
    const auto dir = testing::temp_dir("npy");
    write_raw(dir / "claims_512mib.npy",
              "{'descr': '<f4', 'fortran_order': False, 'shape': (134217728,), }", 8);
    const size_t peak_before = testing::peak_resident_bytes();
    CHECK_THROWS_WITH_AS(read_npy(dir / "claims_512mib.npy"),
                         doctest::Contains("claims_512mib.npy: holds 8 data bytes"), Error);
    CHECK(testing::peak_resident_bytes() - peak_before < testing::k_bad_input_memory);

    write_raw(dir / "claims_1tib.npy",
              "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776,), }", 8);
    CHECK_THROWS_WITH_AS(read_npy(dir / "claims_1tib.npy"),
                         doctest::Contains("claims_1tib.npy: shape [1099511627776] has too many"),
                         Error);
}
