#pragma once

#include <cstdint>

namespace es {

// IEEE 754 binary16 stored as its bit pattern; conversions round to nearest even.
struct float16 {
    uint16_t bits = 0;

    float16() = default;
    explicit float16(float value);
    operator float() const;

    static float16 from_bits(uint16_t bits) {
        float16 result;
        result.bits = bits;
        return result;
    }
};

static_assert(sizeof(float16) == 2);

}  // namespace es
