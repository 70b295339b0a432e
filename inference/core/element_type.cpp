#include "inference/core/element_type.h"

#include <array>

namespace es {
namespace {

struct TypeInfo {
    ElementType type;
    size_t size;
    std::string_view name;
    std::string_view precision;
};

constexpr std::array<TypeInfo, 13> k_types = {{
    {ElementType::undefined, 0, "undefined", "UNSPECIFIED"},
    {ElementType::boolean, 1, "boolean", "BOOL"},
    {ElementType::f16, 2, "f16", "FP16"},
    {ElementType::f32, 4, "f32", "FP32"},
    {ElementType::f64, 8, "f64", "FP64"},
    {ElementType::i8, 1, "i8", "I8"},
    {ElementType::i16, 2, "i16", "I16"},
    {ElementType::i32, 4, "i32", "I32"},
    {ElementType::i64, 8, "i64", "I64"},
    {ElementType::u8, 1, "u8", "U8"},
    {ElementType::u16, 2, "u16", "U16"},
    {ElementType::u32, 4, "u32", "U32"},
    {ElementType::u64, 8, "u64", "U64"},
}};

const TypeInfo& info(ElementType type) {
    return k_types[static_cast<size_t>(type)];
}

}  // namespace

size_t element_size(ElementType type) {
    return info(type).size;
}

bool is_float(ElementType type) {
    return type == ElementType::f16 || type == ElementType::f32 || type == ElementType::f64;
}

bool is_integer(ElementType type) {
    return type != ElementType::undefined && type != ElementType::boolean && !is_float(type);
}

std::string_view to_string(ElementType type) {
    return info(type).name;
}

std::optional<ElementType> element_type_from_string(std::string_view name) {
    if (name == "bool") return ElementType::boolean;
    for (const auto& entry : k_types)
        if (entry.name == name && entry.type != ElementType::undefined) return entry.type;
    return std::nullopt;
}

std::string_view to_precision(ElementType type) {
    return info(type).precision;
}

std::optional<ElementType> element_type_from_precision(std::string_view precision) {
    if (precision == "BOOLEAN") return ElementType::boolean;
    for (const auto& entry : k_types)
        if (entry.precision == precision && entry.type != ElementType::undefined) return entry.type;
    return std::nullopt;
}

}  // namespace es
