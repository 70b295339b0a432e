#include "inference/core/tensor.h"
#include "inference/core/error.h"

#include <doctest/doctest.h>

using namespace es;

TEST_CASE("Tensor allocates zeroed, aligned storage and checks typed access") {
    Tensor tensor(ElementType::f32, {2, 3});
    CHECK(tensor.size() == 6);
    CHECK(tensor.byte_size() == 24);
    CHECK(reinterpret_cast<uintptr_t>(tensor.bytes()) % 64 == 0);
    CHECK(tensor.data<float>()[5] == 0.0f);
    CHECK_THROWS_AS(tensor.data<int32_t>(), Error);
}

TEST_CASE("Tensor copies share storage, clone copies it") {
    Tensor a = make_tensor<int64_t>({3}, {1, 2, 3});
    Tensor shared = a;
    Tensor copy = a.clone();
    a.data<int64_t>()[0] = 7;
    CHECK(shared.data<int64_t>()[0] == 7);
    CHECK(copy.data<int64_t>()[0] == 1);
    CHECK(a.reshaped({1, 3}).shape() == Shape{1, 3});
    CHECK_THROWS_AS(a.reshaped({2, 2}), Error);
}

TEST_CASE("convert rounds floats, saturates and truncates to integers") {
    const Tensor src = make_tensor<float>({5}, {1.9f, -1.9f, 300.0f, -300.0f, 0.5f});
    CHECK(convert(src, ElementType::i8).to_int64s() == std::vector<int64_t>{1, -1, 127, -128, 0});
    CHECK(convert(src, ElementType::u8).to_int64s() == std::vector<int64_t>{1, 0, 255, 0, 0});
    const Tensor half = convert(src, ElementType::f16);
    CHECK(half.to_doubles()[0] == doctest::Approx(1.900390625));
    const Tensor big = make_tensor<int64_t>({1}, {(int64_t{1} << 60) + 1});
    CHECK(convert(big, ElementType::i64).to_int64s()[0] == (int64_t{1} << 60) + 1);
    CHECK(convert(big, ElementType::i32).to_int64s()[0] == 2147483647);
}

TEST_CASE("shape_size rejects negative dimensions and overflow") {
    CHECK(shape_size({2, 3, 4}) == 24);
    CHECK(shape_size({}) == 1);
    CHECK(shape_size({0, 5}) == 0);
    CHECK_THROWS_AS(shape_size({-1, 3}), Error);
    CHECK_THROWS_AS(shape_size({1 << 30, 1 << 30, 1 << 30}), Error);
}

TEST_CASE("parse_partial_shape reads the IR's forms") {
    CHECK(parse_partial_shape("1,3,224,224")->to_shape() == Shape{1, 3, 224, 224});
    CHECK(parse_partial_shape("1, 3, 1, 1")->to_shape() == Shape{1, 3, 1, 1});
    const auto dynamic = *parse_partial_shape("?,3,-1,1..10");
    CHECK(dynamic.rank() == 4);
    CHECK(dynamic[0] == k_dynamic);
    CHECK(dynamic[1] == 3);
    CHECK(dynamic[2] == k_dynamic);
    CHECK(dynamic[3] == k_dynamic);
    CHECK_FALSE(parse_partial_shape("...")->rank_known());
    CHECK(parse_partial_shape("")->rank() == 0);
    CHECK_FALSE(parse_partial_shape("1,x").has_value());
    CHECK_FALSE(parse_partial_shape("99999999999999999999").has_value());
    CHECK(format_partial_shape(dynamic) == "?,3,?,?");
}
