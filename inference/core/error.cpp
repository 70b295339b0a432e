#include "inference/core/error.h"

namespace es {

void rethrow_with_context(const Error& error, const std::string& context) {
    throw Error(error.kind(), context + ": " + error.what());
}

}  // namespace es
