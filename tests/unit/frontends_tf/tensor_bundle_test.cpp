#include "inference/frontends/tf/tensor_bundle.h"
#include "inference/core/error.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;
using frontends::tf_import::crc32c;
using frontends::tf_import::mask_crc;
using frontends::tf_import::read_sorted_table;
using frontends::tf_import::TensorBundle;

TEST_CASE("TensorBundle CRC-32C matches the published check value") {
    const std::string text = "123456789";
    CHECK(crc32c(std::as_bytes(std::span(text.data(), text.size()))) == 0xe3069283u);
    // 32 zero bytes, from RFC 3720's test vectors
    const std::string zeros(32, '\0');
    CHECK(crc32c(std::as_bytes(std::span(zeros.data(), zeros.size()))) == 0x8a9136aau);
}

TEST_CASE("TensorBundle sorted table: entries across blocks with shared key prefixes") {
    std::map<std::string, std::string> entries;
    for (int i = 0; i < 11; ++i)
        entries[fmt::format("layer_{}/kernel/.ATTRIBUTES/VARIABLE_VALUE", i)] = std::string(i, 'v');
    entries[""] = "header";
    for (size_t per_block : {size_t{1}, size_t{3}, size_t{100}}) {
        const std::string file = build_sorted_table(entries, per_block);
        CHECK(read_sorted_table(file, "test.index") == entries);
    }
}

TEST_CASE("TensorBundle sorted table: damaged files are BadInput errors") {
    const std::string file = build_sorted_table({{"a", "1"}, {"b", "2"}});
    auto check_bad = [](const std::string& bytes, const std::string& fragment) {
        try {
            read_sorted_table(bytes, "variables.index");
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::BadInput);
            CHECK_MESSAGE(std::string(error.what()).find(fragment) != std::string::npos,
                          error.what());
        }
    };
    check_bad(file.substr(0, 20), "too few");
    std::string bad_magic = file;
    bad_magic.back() ^= 1;
    check_bad(bad_magic, "bad magic");
    std::string flipped = file;
    flipped[3] ^= 0x40;  // inside the first data block
    check_bad(flipped, "checksum");
    check_bad(file.substr(10), "");  // truncated from the front: handles point outside
}

TEST_CASE("TensorBundle reads tensors by key and checks size and checksum") {
    const auto dir = temp_dir("tf-bundle");
    const auto prefix = dir / "variables";
    write_tensor_bundle(prefix, {{"dense/kernel", f32({2, 2}, {1, 2, 3, 4})},
                                 {"dense/bias", f32({2}, {0.5f, -0.5f})},
                                 {"step", i32({}, {7})}});
    const TensorBundle bundle(prefix);
    CHECK(bundle.contains("dense/kernel"));
    CHECK_FALSE(bundle.contains("missing"));
    check_close(bundle.read("dense/kernel"), {2, 2}, {1, 2, 3, 4});
    check_close(bundle.read("dense/bias"), {2}, {0.5f, -0.5f});
    CHECK(bundle.read("step").to_int64s() == std::vector<int64_t>{7});
    CHECK_THROWS_AS(bundle.read("missing"), Error);

    // a flipped data byte fails the entry's checksum
    std::string data = read_file(dir / "variables.data-00000-of-00001");
    data[0] ^= 1;
    write_file(dir / "variables.data-00000-of-00001", data);
    CHECK_THROWS_WITH_AS(bundle.read("dense/bias"), doctest::Contains("checksum"), Error);

    // a shard shorter than its entries
    write_file(dir / "variables.data-00000-of-00001", data.substr(0, 8));
    CHECK_THROWS_WITH_AS(bundle.read("step"), doctest::Contains("past the end"), Error);

    std::filesystem::remove(dir / "variables.data-00000-of-00001");
    CHECK_THROWS_WITH_AS(bundle.read("step"), doctest::Contains("cannot open"), Error);
    CHECK_THROWS_AS(TensorBundle(dir / "nothing"), Error);
}
