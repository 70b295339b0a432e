#include "inference/graph/shape_inference.h"
#include "inference/passes/constant_folding.h"
#include "inference/passes/fusion_passes.h"
#include "inference/passes/pass_manager.h"
#include "inference/passes/simple_passes.h"
#include "tests/support/graph_signature.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace es;
using namespace es::testing;
using graph::Model;
using graph::Output;

namespace {

template <typename PassType>
size_t run_pass(Model& model) {
    PassType pass;
    const size_t rewrites = pass.run(model);
    model.sort_topologically();
    graph::infer_shapes(model);
    return rewrites;
}

// Checks that a pass rewrites `before` into `expected`, and leaves `expected` as it is.
template <typename PassType>
void check_pass(Model (*before)(), Model (*expected)(), size_t expected_rewrites) {
    Model model = before();
    CHECK(run_pass<PassType>(model) == expected_rewrites);
    const Model wanted = expected();
    CHECK(graph_signature(model) == graph_signature(wanted));
    Model unchanged = expected();
    CHECK(run_pass<PassType>(unchanged) == 0);
    std::string difference;
    CHECK_MESSAGE(graph::models_equal(unchanged, expected(), &difference), difference);
}

void complete(Model& model, Output output) {
    model.add_result(output, "result");
    graph::infer_shapes(model);
}

Output add_op(Model& model, const std::string& type, std::vector<Output> inputs,
              graph::Attributes attributes = {}) {
    return model.add_op(type, "opset1", std::move(inputs), std::move(attributes)).output();
}

}  // namespace

TEST_CASE("ConstantFolding folds constant subgraphs and static ShapeOf") {
    check_pass<passes::ConstantFolding>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{2, 3});
            const Output c =
                add_op(model, "Multiply",
                       {model.add_constant(f32({3}, {1, 2, 3})), model.add_constant(f32({}, {2}))});
            const Output shape = model.add_op("ShapeOf", "opset3", {x}).output();
            const Output sum = add_op(model, "Add", {x, c});
            complete(model, add_op(model, "Reshape", {sum, shape}, {{"special_zero", "false"}}));
            return model;
        },
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{2, 3});
            const Output sum = add_op(model, "Add", {x, model.add_constant(f32({3}, {2, 4, 6}))});
            complete(model, add_op(model, "Reshape", {sum, model.add_constant(i64({2}, {2, 3}))},
                                   {{"special_zero", "false"}}));
            return model;
        },
        2);
}

TEST_CASE("IdentityRemoval drops no-op Convert, Transpose, Multiply by one and Add of zero") {
    check_pass<passes::IdentityRemoval>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{2, 3});
            Output y = add_op(model, "Convert", {x}, {{"destination_type", "f32"}});
            y = add_op(model, "Transpose", {y, model.add_constant(i64({2}, {0, 1}))});
            y = add_op(model, "Multiply", {y, model.add_constant(f32({1}, {1}))});
            y = add_op(model, "Add", {y, model.add_constant(f32({3}, {0, 0, 0}))});
            complete(model, add_op(model, "ReLU", {y}));
            return model;
        },
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{2, 3});
            complete(model, add_op(model, "ReLU", {x}));
            return model;
        },
        4);
}

TEST_CASE("IdentityRemoval keeps a Multiply by ones that broadcasts its input") {
    Model model;
    const Output x = model.add_parameter("x", ElementType::f32, PartialShape{3});
    complete(model,
             add_op(model, "Multiply", {x, model.add_constant(f32({2, 3}, {1, 1, 1, 1, 1, 1}))}));
    CHECK(run_pass<passes::IdentityRemoval>(model) == 0);
}

TEST_CASE("BatchNormDecomposition turns BatchNormInference into Multiply and Add") {
    check_pass<passes::BatchNormDecomposition>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 2, 2});
            const Output bn = model
                                  .add_op("BatchNormInference", "opset5",
                                          {x, model.add_constant(f32({2}, {2, 3})),
                                           model.add_constant(f32({2}, {1, -1})),
                                           model.add_constant(f32({2}, {4, 0})),
                                           model.add_constant(f32({2}, {3, 8}))},
                                          {{"epsilon", "1"}})
                                  .output();
            complete(model, bn);
            return model;
        },
        [] {
            // scale = gamma / sqrt(var + eps) = {1, 1}; shift = beta - mean * scale = {-3, -1}
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 2, 2});
            const Output scaled =
                add_op(model, "Multiply", {x, model.add_constant(f32({1, 2, 1, 1}, {1, 1}))},
                       {{"auto_broadcast", "numpy"}});
            complete(model,
                     add_op(model, "Add", {scaled, model.add_constant(f32({1, 2, 1, 1}, {-3, -1}))},
                            {{"auto_broadcast", "numpy"}}));
            return model;
        },
        1);
}

namespace {

const graph::Attributes k_conv = {{"strides", "1,1"},
                                  {"dilations", "1,1"},
                                  {"pads_begin", "0,0"},
                                  {"pads_end", "0,0"},
                                  {"auto_pad", "explicit"}};

}  // namespace

TEST_CASE("ConvScaleFolding moves a per-channel Multiply into the weights") {
    check_pass<passes::ConvScaleFolding>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 1, 3, 3});
            const Output conv = add_op(model, "Convolution",
                                       {x, model.add_constant(f32({2, 1, 1, 1}, {1, 2}))}, k_conv);
            complete(model, add_op(model, "Multiply",
                                   {conv, model.add_constant(f32({1, 2, 1, 1}, {10, -1}))}));
            return model;
        },
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 1, 3, 3});
            complete(model, add_op(model, "Convolution",
                                   {x, model.add_constant(f32({2, 1, 1, 1}, {10, -2}))}, k_conv));
            return model;
        },
        1);
}

TEST_CASE("ConvScaleFolding leaves a Multiply that scales along another axis") {
    Model model;
    const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 1, 2, 2});
    const Output conv =
        add_op(model, "Convolution", {x, model.add_constant(f32({2, 1, 1, 1}, {1, 2}))}, k_conv);
    complete(model, add_op(model, "Multiply", {conv, model.add_constant(f32({2}, {3, 4}))}));
    CHECK(run_pass<passes::ConvScaleFolding>(model) == 0);
}

TEST_CASE("TransposeReshapeCancellation removes inverse transposes and merges reshapes") {
    check_pass<passes::TransposeReshapeCancellation>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 4});
            Output y = add_op(model, "Transpose", {x, model.add_constant(i64({4}, {0, 2, 3, 1}))});
            y = add_op(model, "Transpose", {y, model.add_constant(i64({4}, {0, 3, 1, 2}))});
            y = add_op(model, "Reshape", {y, model.add_constant(i64({2}, {2, 12}))},
                       {{"special_zero", "false"}});
            complete(model, add_op(model, "Reshape", {y, model.add_constant(i64({3}, {4, 3, 2}))},
                                   {{"special_zero", "false"}}));
            return model;
        },
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 4});
            complete(model, add_op(model, "Reshape", {x, model.add_constant(i64({3}, {4, 3, 2}))},
                                   {{"special_zero", "false"}}));
            return model;
        },
        2);
}

TEST_CASE("MergeEqualConstants keeps one of each equal constant") {
    check_pass<passes::MergeEqualConstants>(
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{3});
            const Output a = add_op(model, "Add", {x, model.add_constant(f32({3}, {1, 2, 3}))});
            complete(model,
                     add_op(model, "Multiply", {a, model.add_constant(f32({3}, {1, 2, 3}))}));
            return model;
        },
        [] {
            Model model;
            const Output x = model.add_parameter("x", ElementType::f32, PartialShape{3});
            const Output c = model.add_constant(f32({3}, {1, 2, 3}));
            const Output a = add_op(model, "Add", {x, c});
            complete(model, add_op(model, "Multiply", {a, c}));
            return model;
        },
        1);
}

TEST_CASE("Fp16Compression stores f32 constants as f16 with a decompression Convert") {
    Model model;
    const Output x = model.add_parameter("x", ElementType::f32, PartialShape{3});
    complete(model, add_op(model, "Add",
                           {
                               x,
                               model.add_constant(f32({3}, {0.1f, 2, 1e6f})),
                           }));
    Model small;
    const Output y = small.add_parameter("y", ElementType::f32, PartialShape{2});
    complete(small, add_op(small, "Add", {y, small.add_constant(f32({2}, {0.1f, 2}))}));
    CHECK(run_pass<passes::Fp16Compression>(model) == 0);  // 1e6 does not fit in f16
    CHECK(run_pass<passes::Fp16Compression>(small) == 1);
    const graph::Node* convert = small.find("Constant_1");
    REQUIRE(convert != nullptr);
    CHECK(convert->type == "Convert");
    CHECK(convert->inputs[0].source.node->value.type() == ElementType::f16);
    CHECK(convert->rt_info.at(0).fields.at(0).second == "decompression");
    CHECK(run_pass<passes::ConstantFolding>(small) == 0);  // decompression is not folded away
}

TEST_CASE("optimize removes NHWC layout transposes around elementwise ops") {
    Model model;
    {
        const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        Output y = add_op(model, "Transpose", {x, model.add_constant(i64({4}, {0, 2, 3, 1}))});
        y = add_op(model, "ReLU", {y});
        y = add_op(model, "Add", {y, model.add_constant(f32({2}, {5, 7}))});
        complete(model,
                 add_op(model, "Transpose", {y, model.add_constant(i64({4}, {0, 3, 1, 2}))}));
    }
    Model expected;
    {
        const Output x = expected.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        const Output relu = add_op(expected, "ReLU", {x});
        complete(expected,
                 add_op(expected, "Add", {relu, expected.add_constant(f32({1, 2, 1, 1}, {5, 7}))}));
    }
    const auto records = passes::optimize(model);
    CHECK(graph_signature(model) == graph_signature(expected));
    size_t sunk = 0;
    for (const auto& record : records)
        if (record.pass == "transpose sinking") sunk = record.rewrites;
    CHECK(sunk == 2);
}

// Keras' residual Add of two NHWC branches: both operands come out of the same layout transpose.
TEST_CASE("optimize moves the transposes of both operands of a binary op below it") {
    Model model;
    {
        const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        const Output x_relu = add_op(model, "ReLU", {x});
        const Output x_sigmoid = add_op(model, "Sigmoid", {x});
        const auto nhwc = [&](Output value) {
            return add_op(model, "Transpose", {value, model.add_constant(i64({4}, {0, 2, 3, 1}))});
        };
        const Output sum = add_op(model, "Add", {nhwc(x_relu), nhwc(x_sigmoid)});
        complete(model,
                 add_op(model, "Transpose", {sum, model.add_constant(i64({4}, {0, 3, 1, 2}))}));
    }
    Model expected;
    {
        const Output x = expected.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        complete(expected,
                 add_op(expected, "Add",
                        {add_op(expected, "ReLU", {x}), add_op(expected, "Sigmoid", {x})}));
    }
    passes::optimize(model);
    CHECK(graph_signature(model) == graph_signature(expected));
}

// The skip branch is read by the next block too: its transpose stays for that reader.
TEST_CASE("optimize moves transposes below a binary op whose operand another op also reads") {
    Model model;
    const auto order = [](Model& m, std::vector<int64_t> values) {
        return m.add_constant(i64({4}, std::move(values)));
    };
    {
        const Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        const Output skip =
            add_op(model, "Transpose", {add_op(model, "ReLU", {x}), order(model, {0, 2, 3, 1})});
        const Output branch =
            add_op(model, "Transpose", {add_op(model, "Sigmoid", {x}), order(model, {0, 2, 3, 1})});
        const Output sum = add_op(model, "Add", {skip, branch});
        complete(model, add_op(model, "Multiply", {add_op(model, "Exp", {skip}), sum}));
    }
    Model expected;
    {
        const Output x = expected.add_parameter("x", ElementType::f32, PartialShape{1, 2, 3, 3});
        const Output relu = add_op(expected, "ReLU", {x});
        const Output nhwc = order(expected, {0, 2, 3, 1});
        const Output sum = add_op(expected, "Add", {relu, add_op(expected, "Sigmoid", {x})});
        const Output product = add_op(expected, "Multiply", {add_op(expected, "Exp", {relu}), sum});
        complete(expected, add_op(expected, "Transpose", {product, nhwc}));
    }
    passes::optimize(model);
    CHECK(graph_signature(model) == graph_signature(expected));
}
