#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

TEST_CASE("Interpolate placeholder") {}
