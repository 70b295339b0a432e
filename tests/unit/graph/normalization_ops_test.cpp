#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;
using es::graph::PortType;

namespace {

// softmax([0, 1, 2]) and its logarithm.
const std::vector<float> k_softmax_012 = {0.0900305732f, 0.2447284711f, 0.6652409558f};
const std::vector<float> k_log_softmax_012 = {-2.4076059644f, -1.4076059644f, -0.4076059644f};

// [N=1, C=2, H=1, W=2]: channel 0 holds {1, 3}, channel 1 holds {2, 6}.
Tensor mvn_data() {
    return f32({1, 2, 1, 2}, {1, 3, 2, 6});
}

}  // namespace

TEST_CASE("SoftMax-1 normalizes along a non-negative axis") {
    auto rows = run_op("SoftMax", "opset1", {f32({2, 3}, {0, 1, 2, 1, 1, 1})}, {{"axis", "1"}});
    check_close(
        rows[0], {2, 3},
        {k_softmax_012[0], k_softmax_012[1], k_softmax_012[2], 1 / 3.0f, 1 / 3.0f, 1 / 3.0f});

    // Axis 0 of [2, 2]: columns {1, 1} and {2, 4}.
    auto columns = run_op("SoftMax", "opset1", {f32({2, 2}, {1, 2, 1, 4})}, {{"axis", "0"}});
    check_close(columns[0], {2, 2}, {0.5f, 0.1192029220f, 0.5f, 0.8807970780f});

    // Default axis is 1; [1, 2, 2] has slices {0, 0} and {1, 3} along it.
    auto inner = run_op("SoftMax", "opset1", {f32({1, 2, 2}, {0, 1, 0, 3})});
    check_close(inner[0], {1, 2, 2}, {0.5f, 0.1192029220f, 0.5f, 0.8807970780f});
}

TEST_CASE("SoftMax is stable for large inputs") {
    auto large = run_op("SoftMax", "opset1", {f32({1, 3}, {1000, 1001, 1002})}, {{"axis", "1"}});
    check_close(large[0], {1, 3}, k_softmax_012);

    auto extreme = run_op("SoftMax", "opset8", {f32({2}, {-1000, 1000})}, {{"axis", "0"}});
    check_close(extreme[0], {2}, {0, 1});
}

TEST_CASE("SoftMax-8 accepts negative axes") {
    auto result = run_op("SoftMax", "opset8", {f32({2, 3}, {0, 1, 2, 1, 1, 1})}, {{"axis", "-1"}});
    check_close(
        result[0], {2, 3},
        {k_softmax_012[0], k_softmax_012[1], k_softmax_012[2], 1 / 3.0f, 1 / 3.0f, 1 / 3.0f});

    auto first = run_op("SoftMax", "opset8", {f32({2, 2}, {1, 2, 1, 4})}, {{"axis", "-2"}});
    check_close(first[0], {2, 2}, {0.5f, 0.1192029220f, 0.5f, 0.8807970780f});
}

TEST_CASE("SoftMax shape inference keeps dynamic dimensions") {
    auto types = infer_op("SoftMax", "opset8", {{ElementType::f32, {-1, 10}}}, {{"axis", "-1"}});
    CHECK(types[0] == PortType{ElementType::f32, {-1, 10}});
    auto unranked = infer_op("SoftMax", "opset1", {{ElementType::f16, PartialShape()}});
    CHECK(unranked[0] == PortType{ElementType::f16, PartialShape()});
}

TEST_CASE("SoftMax rejects bad axes and non-float data") {
    CHECK_THROWS_AS(
        run_op("SoftMax", "opset1", {f32({2, 3}, {0, 1, 2, 3, 4, 5})}, {{"axis", "-1"}}),
        es::Error);
    CHECK_THROWS_AS(
        run_op("SoftMax", "opset8", {f32({2, 3}, {0, 1, 2, 3, 4, 5})}, {{"axis", "-3"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("SoftMax", "opset8", {f32({2, 3}, {0, 1, 2, 3, 4, 5})}, {{"axis", "2"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("SoftMax", "opset8", {f32({}, {1})}, {{"axis", "0"}}), es::Error);
    CHECK_THROWS_AS(infer_op("SoftMax", "opset8", {{ElementType::i32, {2, 3}}}), es::Error);
}

TEST_CASE("LogSoftmax-5 computes log of softmax stably") {
    auto result = run_op("LogSoftmax", "opset5", {f32({2, 3}, {0, 1, 2, 1000, 1001, 1002})},
                         {{"axis", "-1"}});
    check_close(result[0], {2, 3},
                {k_log_softmax_012[0], k_log_softmax_012[1], k_log_softmax_012[2],
                 k_log_softmax_012[0], k_log_softmax_012[1], k_log_softmax_012[2]});

    // Axis 0: columns {1, 1} (log 0.5) and {2, 4}.
    auto columns = run_op("LogSoftmax", "opset5", {f32({2, 2}, {1, 2, 1, 4})}, {{"axis", "0"}});
    check_close(columns[0], {2, 2},
                {-0.6931471806f, -2.1269280110f, -0.6931471806f, -0.1269280110f});

    auto types = infer_op("LogSoftmax", "opset5", {{ElementType::f32, {-1, -1, 5}}});
    CHECK(types[0].shape == PartialShape{-1, -1, 5});
    CHECK_THROWS_AS(run_op("LogSoftmax", "opset5", {f32({2, 2}, {1, 2, 3, 4})}, {{"axis", "2"}}),
                    es::Error);
}

TEST_CASE("MVN-1 subtracts the mean per channel or across channels") {
    auto per_channel =
        run_op("MVN", "opset2", {mvn_data()},
               {{"across_channels", "false"}, {"normalize_variance", "false"}, {"eps", "1e-9"}});
    check_close(per_channel[0], {1, 2, 1, 2}, {-1, 1, -2, 2});

    // Mean 3 over everything, variance (4 + 0 + 1 + 9) / 4 = 3.5, sqrt(3.5 + 0.5) = 2.
    auto across =
        run_op("MVN", "opset1", {mvn_data()},
               {{"across_channels", "true"}, {"normalize_variance", "true"}, {"eps", "0.5"}});
    check_close(across[0], {1, 2, 1, 2}, {-1, 0, -0.5f, 1.5f});
}

TEST_CASE("MVN-1 normalizes variance with eps inside the square root") {
    // Channel variances are 1 and 4: divide by sqrt(1 + 1) and sqrt(4 + 1).
    auto result =
        run_op("MVN", "opset1", {mvn_data()},
               {{"across_channels", "false"}, {"normalize_variance", "true"}, {"eps", "1"}});
    check_close(result[0], {1, 2, 1, 2},
                {-0.7071067812f, 0.7071067812f, -0.8944271910f, 0.8944271910f});
}

TEST_CASE("MVN-1 reduction_axes take precedence over across_channels") {
    // Serialized IR writes both; reduction_axes [-1] reduces W only (per channel here).
    auto result = run_op("MVN", "opset1", {mvn_data()},
                         {{"across_channels", "true"},
                          {"reduction_axes", "-1"},
                          {"normalize_variance", "false"},
                          {"eps", "1e-9"}});
    check_close(result[0], {1, 2, 1, 2}, {-1, 1, -2, 2});
}

TEST_CASE("MVN-1 shape inference and bad inputs") {
    auto types = infer_op("MVN", "opset1", {{ElementType::f32, {-1, 3, -1, -1}}},
                          {{"across_channels", "true"}, {"eps", "1e-9"}});
    CHECK(types[0] == PortType{ElementType::f32, {-1, 3, -1, -1}});
    CHECK_THROWS_AS(run_op("MVN", "opset1", {mvn_data()}, {{"reduction_axes", "4"}, {"eps", "1"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("MVN", "opset1", {mvn_data()}, {{"across_channels", "true"}}),
                    es::Error);
    CHECK_THROWS_AS(
        infer_op("MVN", "opset1", {{ElementType::i32, {1, 2, 3, 4}}}, {{"eps", "1e-9"}}),
        es::Error);
}

TEST_CASE("MVN-6 normalizes over the axes input with both eps modes") {
    const graph::Attributes inside = {
        {"normalize_variance", "true"}, {"eps", "1"}, {"eps_mode", "inside_sqrt"}};
    auto result = run_op("MVN", "opset6", {mvn_data(), i64({2}, {2, 3})}, inside);
    check_close(result[0], {1, 2, 1, 2},
                {-0.7071067812f, 0.7071067812f, -0.8944271910f, 0.8944271910f});

    // Standard deviations 1 and 2: divide by 1 + 1 and 2 + 1.
    const graph::Attributes outside = {
        {"normalize_variance", "true"}, {"eps", "1"}, {"eps_mode", "outside_sqrt"}};
    auto out = run_op("MVN", "opset6", {mvn_data(), i32({2}, {-1, -2})}, outside);
    check_close(out[0], {1, 2, 1, 2}, {-0.5f, 0.5f, -2 / 3.0f, 2 / 3.0f});

    // Across C, H, W: mean 3, variance 3.5, divide by sqrt(3.5) + 0.5.
    const graph::Attributes across = {
        {"normalize_variance", "true"}, {"eps", "0.5"}, {"eps_mode", "outside_sqrt"}};
    auto all = run_op("MVN", "opset6", {mvn_data(), i64({3}, {1, 2, 3})}, across);
    check_close(all[0], {1, 2, 1, 2}, {-0.8435868882f, 0, -0.4217934441f, 1.2653803324f});
}

TEST_CASE("MVN-6 without variance normalization only centers") {
    const graph::Attributes attributes = {
        {"normalize_variance", "false"}, {"eps", "1e-9"}, {"eps_mode", "inside_sqrt"}};
    auto result = run_op("MVN", "opset6", {mvn_data(), i64({1}, {-1})}, attributes);
    check_close(result[0], {1, 2, 1, 2}, {-1, 1, -2, 2});
}

TEST_CASE("MVN-6 shape inference and bad inputs") {
    const graph::Attributes attributes = {
        {"normalize_variance", "true"}, {"eps", "1e-9"}, {"eps_mode", "inside_sqrt"}};
    auto types = infer_op("MVN", "opset6",
                          {{ElementType::f32, {-1, -1, 8}}, {ElementType::i64, {1}}}, attributes);
    CHECK(types[0] == PortType{ElementType::f32, {-1, -1, 8}});

    CHECK_THROWS_AS(run_op("MVN", "opset6", {mvn_data(), i64({1}, {4})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("MVN", "opset6", {mvn_data(), i64({1, 1}, {1})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("MVN", "opset6", {mvn_data(), f32({1}, {1})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("MVN", "opset6", {mvn_data(), i64({1}, {1})},
                           {{"normalize_variance", "true"}, {"eps", "1"}, {"eps_mode", "sqrt"}}),
                    es::Error);
}

TEST_CASE("NormalizeL2 over the channel axis") {
    // Channel 0 holds {3, 0}, channel 1 holds {4, 5}: norms over C are 5 and 5.
    auto result = run_op("NormalizeL2", "opset1", {f32({1, 2, 1, 2}, {3, 0, 4, 5}), i64({1}, {1})},
                         {{"eps", "1e-12"}, {"eps_mode", "add"}});
    check_close(result[0], {1, 2, 1, 2}, {0.6f, 0, 0.8f, 1});

    // A scalar axes input works too.
    auto scalar = run_op("NormalizeL2", "opset1", {f32({1, 2, 1, 2}, {3, 0, 4, 5}), i64({}, {-3})},
                         {{"eps", "1e-12"}, {"eps_mode", "max"}});
    check_close(scalar[0], {1, 2, 1, 2}, {0.6f, 0, 0.8f, 1});
}

TEST_CASE("NormalizeL2 over all spatial axes") {
    // Norms over H, W: 3 for channel 0 and sqrt(41) for channel 1.
    auto result =
        run_op("NormalizeL2", "opset1", {f32({1, 2, 1, 2}, {3, 0, 4, 5}), i64({2}, {2, -1})},
               {{"eps", "1e-12"}, {"eps_mode", "add"}});
    check_close(result[0], {1, 2, 1, 2}, {1, 0, 0.6246950476f, 0.7808688094f});
}

TEST_CASE("NormalizeL2 eps modes add and max") {
    // Sum of squares 0.05: add gives sqrt(1.05), max gives sqrt(1).
    auto add = run_op("NormalizeL2", "opset1", {f32({2}, {0.1f, 0.2f}), i64({1}, {0})},
                      {{"eps", "1"}, {"eps_mode", "add"}});
    check_close(add[0], {2}, {0.0975900073f, 0.1951800146f});
    auto max = run_op("NormalizeL2", "opset1", {f32({2}, {0.1f, 0.2f}), i64({1}, {0})},
                      {{"eps", "1"}, {"eps_mode", "max"}});
    check_close(max[0], {2}, {0.1f, 0.2f});
    auto max_small = run_op("NormalizeL2", "opset1", {f32({2}, {3, 4}), i64({1}, {0})},
                            {{"eps", "0.5"}, {"eps_mode", "max"}});
    check_close(max_small[0], {2}, {0.6f, 0.8f});
}

TEST_CASE("NormalizeL2 with empty axes divides each element by itself") {
    auto result = run_op("NormalizeL2", "opset1", {f32({2}, {2, -3}), i64({0}, {})},
                         {{"eps", "1e-12"}, {"eps_mode", "max"}});
    check_close(result[0], {2}, {1, -1});
}

TEST_CASE("NormalizeL2 shape inference and bad inputs") {
    const graph::Attributes attributes = {{"eps", "1e-12"}, {"eps_mode", "add"}};
    auto types = infer_op("NormalizeL2", "opset1",
                          {{ElementType::f32, {-1, 16, -1}}, {ElementType::i64, {1}}}, attributes);
    CHECK(types[0] == PortType{ElementType::f32, {-1, 16, -1}});

    const Tensor data = f32({2, 2}, {1, 2, 3, 4});
    CHECK_THROWS_AS(run_op("NormalizeL2", "opset1", {data, i64({1}, {2})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("NormalizeL2", "opset1", {data, i64({1}, {1})},
                           {{"eps", "1e-12"}, {"eps_mode", "mul"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("NormalizeL2", "opset1", {data, i64({1, 1}, {1})}, attributes),
                    es::Error);
    CHECK_THROWS_AS(run_op("NormalizeL2", "opset1", {data, i64({1}, {1})}, {{"eps_mode", "add"}}),
                    es::Error);
}

TEST_CASE("BatchNormInference-5 takes data first") {
    // Channel 0: gamma 2, beta 1, mean 2, variance 4; channel 1: 0.5, -1, 3, 0.25.
    auto result = run_op("BatchNormInference", "opset5",
                         {f32({1, 2, 2}, {1, 3, 2, 4}), f32({2}, {2, 0.5f}), f32({2}, {1, -1}),
                          f32({2}, {2, 3}), f32({2}, {4, 0.25f})},
                         {{"epsilon", "0"}});
    check_close(result[0], {1, 2, 2}, {0, 2, -2, 0});
}

TEST_CASE("BatchNormInference-1 takes gamma and beta before data") {
    // As above, with epsilon 0.01 added to variances 3.99 and 0.24.
    auto result = run_op("BatchNormInference", "opset1",
                         {f32({2}, {2, 0.5f}), f32({2}, {1, -1}), f32({1, 2, 2}, {1, 3, 2, 4}),
                          f32({2}, {2, 3}), f32({2}, {3.99f, 0.24f})},
                         {{"epsilon", "0.01"}});
    check_close(result[0], {1, 2, 2}, {0, 2, -2, 0}, 1e-5f);
}

TEST_CASE("BatchNormInference shape inference") {
    const PortType channels{ElementType::f32, {3}};
    auto v5 =
        infer_op("BatchNormInference", "opset5",
                 {{ElementType::f32, {-1, -1, -1, -1}}, channels, channels, channels, channels},
                 {{"epsilon", "1e-5"}});
    CHECK(v5[0] == PortType{ElementType::f32, {-1, 3, -1, -1}});
    auto v1 = infer_op("BatchNormInference", "opset1",
                       {channels, channels, {ElementType::f32, {2, 3}}, channels, channels},
                       {{"epsilon", "1e-5"}});
    CHECK(v1[0] == PortType{ElementType::f32, {2, 3}});
}

TEST_CASE("BatchNormInference rejects mismatched channels and bad attributes") {
    const Tensor data = f32({1, 2, 1}, {1, 2});
    const Tensor two = f32({2}, {1, 1});
    CHECK_THROWS_AS(run_op("BatchNormInference", "opset5",
                           {data, f32({3}, {1, 1, 1}), two, two, two}, {{"epsilon", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("BatchNormInference", "opset5", {f32({2}, {1, 2}), two, two, two, two},
                           {{"epsilon", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("BatchNormInference", "opset5", {data, two, two, two, two}, {{"epsilon", "-1"}}),
        es::Error);
    // v5-ordered inputs given to v1: its data slot (input 2) holds a 1-D tensor.
    CHECK_THROWS_AS(
        run_op("BatchNormInference", "opset1", {data, two, two, two, two}, {{"epsilon", "0"}}),
        es::Error);
}

TEST_CASE("LRN across channels") {
    // Squares 1, 4, 9; windows of 3 sum to 5, 14, 13; alpha / size = 1, bias 1, beta 0.5.
    auto result = run_op("LRN", "opset1", {f32({1, 3, 1, 1}, {1, 2, 3}), i64({1}, {1})},
                         {{"alpha", "3"}, {"beta", "0.5"}, {"bias", "1"}, {"size", "3"}});
    check_close(result[0], {1, 3, 1, 1}, {0.4082482905f, 0.5163977795f, 0.8017837257f});
}

TEST_CASE("LRN over spatial axes") {
    // A 3x3 window covers the whole 2x2 plane: sum 30; alpha / size^2 = 1, bias 2, beta 1.
    auto plane = run_op("LRN", "opset1", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), i64({2}, {2, 3})},
                        {{"alpha", "9"}, {"beta", "1"}, {"bias", "2"}, {"size", "3"}});
    check_close(plane[0], {1, 1, 2, 2}, {0.03125f, 0.0625f, 0.09375f, 0.125f});

    // Along W only: window sums 5, 14, 29, 25.
    auto row = run_op("LRN", "opset1", {f32({1, 1, 1, 4}, {1, 2, 3, 4}), i64({1}, {-1})},
                      {{"alpha", "3"}, {"beta", "1"}, {"bias", "0"}, {"size", "3"}});
    check_close(row[0], {1, 1, 1, 4}, {0.2f, 1 / 7.0f, 3 / 29.0f, 0.16f});
}

TEST_CASE("LRN shape inference and bad inputs") {
    const graph::Attributes attributes = {
        {"alpha", "1e-4"}, {"beta", "0.75"}, {"bias", "1"}, {"size", "5"}};
    auto types =
        infer_op("LRN", "opset1", {{ElementType::f32, {-1, 3, -1, -1}}, {ElementType::i64, {1}}},
                 attributes);
    CHECK(types[0] == PortType{ElementType::f32, {-1, 3, -1, -1}});

    const Tensor data = f32({1, 2, 1, 1}, {1, 2});
    CHECK_THROWS_AS(run_op("LRN", "opset1", {data, i64({1}, {4})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("LRN", "opset1", {data, i64({1}, {1})},
                           {{"alpha", "1"}, {"beta", "1"}, {"bias", "1"}, {"size", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("LRN", "opset1", {data, i64({1}, {1})}, {{"alpha", "1"}}), es::Error);
}
