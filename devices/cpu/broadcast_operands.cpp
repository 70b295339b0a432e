#include "devices/cpu/broadcast_operands.h"

namespace es::devices::cpu {

Shape padded(const Shape& shape, size_t rank) {
    Shape result(rank - shape.size(), 1);
    result.insert(result.end(), shape.begin(), shape.end());
    return result;
}

ValueId with_dims(Compiler& compiler, ValueId id, const Shape& dims) {
    if (compiler.value(id).shape.size() == dims.size()) return id;
    const ValueId plain = compiler.to_plain(id);
    return compiler.add_alias(plain, compiler.value(plain).name, dims,
                              plain_desc(compiler.value(plain).type, dims), Compiler::Alias::view);
}

}  // namespace es::devices::cpu
