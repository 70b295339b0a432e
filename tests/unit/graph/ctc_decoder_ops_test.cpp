#include "inference/core/error.h"
#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

namespace {

// Logits whose best class at each step is `labels[t][n]` (score 1, every other class 0), laid
// out [T, N, C] when `time_major`, else [N, T, C].
Tensor one_hot(const std::vector<std::vector<int64_t>>& labels, int64_t classes, bool time_major) {
    const auto time = static_cast<int64_t>(labels.size());
    const auto batch = static_cast<int64_t>(labels[0].size());
    Tensor tensor(ElementType::f32,
                  time_major ? Shape{time, batch, classes} : Shape{batch, time, classes});
    float* data = tensor.data<float>();
    std::fill(data, data + tensor.size(), 0.0f);
    for (int64_t t = 0; t < time; ++t)
        for (int64_t n = 0; n < batch; ++n) {
            const int64_t at = time_major ? t * batch + n : n * time + t;
            data[at * classes + labels[static_cast<size_t>(t)][static_cast<size_t>(n)]] = 1.0f;
        }
    return tensor;
}

}  // namespace

// Class 2 is the blank of three classes throughout.

TEST_CASE("CTCGreedyDecoder-1 merges repeated labels, drops blanks and pads with -1") {
    // Best path 0 1 1 blank 1 1: the blank separates the two runs of 1.
    const Tensor data = one_hot({{0}, {1}, {1}, {2}, {1}, {1}}, 3, true);
    const Tensor mask = f32({6, 1}, {1, 1, 1, 1, 1, 1});
    std::vector<graph::PortType> inferred;
    auto outputs = run_op("CTCGreedyDecoder", "opset1", {data, mask},
                          {{"ctc_merge_repeated", "true"}}, &inferred);
    CHECK(inferred[0].type == ElementType::f32);
    check_close(outputs[0], {1, 6, 1, 1}, {0, 1, 1, -1, -1, -1});
    outputs = run_op("CTCGreedyDecoder", "opset1", {data, mask}, {{"ctc_merge_repeated", "false"}});
    check_close(outputs[0], {1, 6, 1, 1}, {0, 1, 1, 1, 1, -1});
}

TEST_CASE("CTCGreedyDecoder-1 ends each sequence at its first mask 0") {
    // Two sequences: 0 0 1 0 (mask 1 1 1 0) and 2 1 1 0 (mask 1 1 0 0).
    const Tensor data = one_hot({{0, 2}, {0, 1}, {1, 1}, {0, 0}}, 3, true);
    const Tensor mask = f32({4, 2}, {1, 1, 1, 1, 1, 0, 0, 0});
    const auto outputs = run_op("CTCGreedyDecoder", "opset1", {data, mask});
    check_close(outputs[0], {2, 4, 1, 1}, {0, 1, -1, -1, 1, -1, -1, -1});
}

TEST_CASE("CTCGreedyDecoder-1 rejects inputs of the wrong rank, type or size") {
    const graph::PortType data{ElementType::f32, PartialShape{4, 2, 3}};
    CHECK_THROWS_AS(
        infer_op("CTCGreedyDecoder", "opset1", {data, {ElementType::f32, PartialShape{4, 3}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("CTCGreedyDecoder", "opset1", {data, {ElementType::f32, PartialShape{4, 2, 1}}}),
        es::Error);
    CHECK_THROWS_AS(infer_op("CTCGreedyDecoder", "opset1",
                             {{ElementType::i32, PartialShape{4, 2, 3}},
                              {ElementType::f32, PartialShape{4, 2}}}),
                    es::Error);
    CHECK(infer_op("CTCGreedyDecoder", "opset1", {data, {ElementType::f32, PartialShape{4, 2}}})[0]
              .shape == PartialShape{2, 4, 1, 1});
}

TEST_CASE("CTCGreedyDecoderSeqLen-6 decodes each sequence up to its length") {
    // Four classes, blank 3. Sequence 0: 1 1 3 1 2 (all 5 steps); sequence 1: 0 0 | 0 2 2 with
    // length 2, so only 0 0 counts.
    const Tensor data = one_hot({{1, 0}, {1, 0}, {3, 0}, {1, 2}, {2, 2}}, 4, false);
    std::vector<graph::PortType> inferred;
    auto outputs = run_op("CTCGreedyDecoderSeqLen", "opset6", {data, i32({2}, {5, 2})},
                          {{"merge_repeated", "true"}}, &inferred);
    CHECK(inferred[0].type == ElementType::i32);
    CHECK(inferred[1].type == ElementType::i32);
    check_equal(outputs[0], {2, 5}, {1, 1, 2, -1, -1, 0, -1, -1, -1, -1});
    check_equal(outputs[1], {2}, {3, 1});

    outputs = run_op("CTCGreedyDecoderSeqLen", "opset6", {data, i32({2}, {5, 2})},
                     {{"merge_repeated", "false"}});
    check_equal(outputs[0], {2, 5}, {1, 1, 1, 2, -1, 0, 0, -1, -1, -1});
    check_equal(outputs[1], {2}, {4, 2});
}

TEST_CASE(
    "CTCGreedyDecoderSeqLen-6 takes the blank from input 2 and the output types from its "
    "attributes") {
    const Tensor data = one_hot({{1, 0}, {1, 0}, {3, 0}, {1, 2}, {2, 2}}, 4, false);
    std::vector<graph::PortType> inferred;
    const auto outputs =
        run_op("CTCGreedyDecoderSeqLen", "opset6", {data, i64({2}, {5, 2}), i64({}, {0})},
               {{"classes_index_type", "i64"}, {"sequence_length_type", "i64"}}, &inferred);
    CHECK(inferred[0].type == ElementType::i64);
    CHECK(inferred[1].type == ElementType::i64);
    // Class 0 is now the blank and 3 an ordinary class.
    check_equal(outputs[0], {2, 5}, {1, 3, 1, 2, -1, -1, -1, -1, -1, -1});
    check_equal(outputs[1], {2}, {4, 0});
}

TEST_CASE("CTCGreedyDecoderSeqLen-6 rejects lengths beyond T and malformed inputs") {
    const Tensor data = one_hot({{1, 0}, {1, 0}}, 4, false);
    CHECK_THROWS_AS(run_op("CTCGreedyDecoderSeqLen", "opset6", {data, i32({2}, {3, 1})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("CTCGreedyDecoderSeqLen", "opset6", {data, i32({2}, {-1, 1})}),
                    es::Error);
    const graph::PortType logits{ElementType::f32, PartialShape{2, 5, 4}};
    CHECK_THROWS_AS(
        infer_op("CTCGreedyDecoderSeqLen", "opset6", {logits, {ElementType::f32, PartialShape{2}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("CTCGreedyDecoderSeqLen", "opset6", {logits, {ElementType::i32, PartialShape{3}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op(
            "CTCGreedyDecoderSeqLen", "opset6",
            {logits, {ElementType::i32, PartialShape{2}}, {ElementType::i32, PartialShape{2}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("CTCGreedyDecoderSeqLen", "opset6", {logits, {ElementType::i32, PartialShape{2}}},
                 {{"classes_index_type", "f32"}}),
        es::Error);
}
