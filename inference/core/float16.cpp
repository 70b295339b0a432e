#include "inference/core/float16.h"

#include <bit>
#include <cstring>

namespace es {

float16::float16(float value) {
    const uint32_t f = std::bit_cast<uint32_t>(value);
    const uint32_t sign = (f >> 16) & 0x8000u;
    const uint32_t magnitude = f & 0x7fffffffu;
    if (magnitude >= 0x7f800000u) {  // inf or nan
        bits = static_cast<uint16_t>(sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0u));
        return;
    }
    if (magnitude >= 0x477ff000u) {  // rounds to a value beyond the largest half
        bits = static_cast<uint16_t>(sign | 0x7c00u);
        return;
    }
    if (magnitude < 0x38800000u) {  // subnormal half or zero
        const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f;  // 2^24
        // scaled is the result in units of the smallest subnormal; float rounding is nearest-even
        const auto units = static_cast<uint32_t>(scaled + 0.5f);
        uint32_t rounded = units;
        if (static_cast<float>(units) - scaled == 0.5f && (units & 1u)) rounded = units - 1;
        bits = static_cast<uint16_t>(sign | rounded);
        return;
    }
    const uint32_t exponent_adjusted = magnitude - 0x38000000u;  // rebias 127 -> 15
    const uint32_t mantissa_odd = (exponent_adjusted >> 13) & 1u;
    const uint32_t rounded = (exponent_adjusted + 0xfffu + mantissa_odd) >> 13;
    bits = static_cast<uint16_t>(sign | rounded);
}

float16::operator float() const {
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    const uint32_t exponent = (bits >> 10) & 0x1fu;
    const uint32_t mantissa = bits & 0x3ffu;
    if (exponent == 0) {
        const float value = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
        return sign ? -value : value;
    }
    if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

}  // namespace es
