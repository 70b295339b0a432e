#include "inference/core/float16.h"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

using es::float16;

TEST_CASE("float16 converts exactly representable values both ways") {
    for (float value : {0.0f, 1.0f, -2.5f, 65504.0f, 0.000060975552f, 5.9604645e-08f}) {
        CHECK(static_cast<float>(float16(value)) == value);
    }
    CHECK(float16(1.0f).bits == 0x3c00);
    CHECK(float16(-2.0f).bits == 0xc000);
    CHECK(float16(65504.0f).bits == 0x7bff);
    CHECK(float16(5.9604645e-08f).bits == 0x0001);  // smallest subnormal
}

TEST_CASE("float16 rounds to nearest even and saturates to infinity") {
    CHECK(float16(1.0f + 1.0f / 2048.0f).bits == 0x3c00);  // tie, even stays
    CHECK(float16(1.0f + 3.0f / 2048.0f).bits == 0x3c02);  // tie, odd rounds up
    CHECK(float16(65520.0f).bits == 0x7c00);               // rounds beyond max
    CHECK(float16(1e10f).bits == 0x7c00);
    CHECK(std::isinf(static_cast<float>(float16(-1e10f))));
    CHECK(std::isnan(static_cast<float>(float16(std::numeric_limits<float>::quiet_NaN()))));
    CHECK(float16(8.940697e-08f).bits == 0x0002);   // 1.5 subnormal units: tie to even (2)
    CHECK(float16(2.9802322e-08f).bits == 0x0000);  // half a unit: tie to even (0)
}
