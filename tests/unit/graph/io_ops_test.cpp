#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

TEST_CASE("Convert rounds f32 to f16 and truncates float to integer") {
    auto half = run_op("Convert", "opset1", {f32({3}, {1.0f, 0.1f, 65504.0f})},
                       {{"destination_type", "f16"}});
    REQUIRE(half[0].type() == ElementType::f16);
    check_close(half[0], {3}, {1.0f, 0.0999755859375f, 65504.0f}, 0.0f);

    auto integers = run_op("Convert", "opset1", {f32({4}, {1.7f, -1.7f, 300.0f, -300.0f})},
                           {{"destination_type", "u8"}});
    check_equal(integers[0], {4}, {1, 0, 255, 0});
}
