#include "inference/frontends/tf/op_table.h"

#include "inference/frontends/tf/translators.h"

namespace es::frontends::tf_import {
namespace {

std::vector<OpTranslator> make_table() {
    std::vector<OpTranslator> table;
    add_general_translators(table);
    add_elementwise_translators(table);
    add_conv_translators(table);
    add_nn_translators(table);
    add_tensor_translators(table);
    add_index_translators(table);
    return table;
}

}  // namespace

const OpTranslator* find_translator(std::string_view op_type) {
    static const std::vector<OpTranslator> table = make_table();
    for (const auto& entry : table)
        if (entry.op_type == op_type) return &entry;
    return nullptr;
}

}  // namespace es::frontends::tf_import
