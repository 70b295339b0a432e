#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>

namespace es::graph::ops {
namespace {

// The most probable class of `count` scores: the first one where several are equal.
template <typename T>
int64_t best_class(const T* scores, int64_t count) {
    return std::max_element(scores, scores + count) - scores;
}

// Appends the best-path labels of one sequence to `labels`: a class equal to the previous
// time step's (blank included) is dropped when `merge_repeated`, and blanks never appear.
template <typename T>
void decode_sequence(const T* data, int64_t length, int64_t step, int64_t classes, int64_t blank,
                     bool merge_repeated, std::vector<int64_t>& labels) {
    int64_t previous = -1;
    for (int64_t t = 0; t < length; ++t) {
        const int64_t label = best_class(data + t * step, classes);
        if (label != blank && !(merge_repeated && label == previous)) labels.push_back(label);
        previous = label;
    }
}

void expect_float_input(const InferContext& context, size_t i, const char* what) {
    if (!is_float(context.input(i).type))
        throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                        what, to_string(context.input(i).type));
}

// ---------------------------------------------------------------------------------------------
// CTCGreedyDecoder-1: data [T, N, C], sequence_mask [T, N] -> [N, T, 1, 1] class indices in the
// data's type, padded with -1. The blank is class C - 1; a sequence ends at its first mask 0.

std::vector<PortType> infer_ctc_greedy_decoder(const InferContext& context) {
    expect_float_input(context, 0, "data");
    expect_float_input(context, 1, "sequence_mask");
    expect_rank(context, 0, 3, "data");
    expect_rank(context, 1, 2, "sequence_mask");
    context.attributes().get_bool("ctc_merge_repeated", true);
    const PartialShape& data = context.input(0).shape;
    const PartialShape& mask = context.input(1).shape;
    int64_t time = k_dynamic, batch = k_dynamic;
    if (data.rank_known()) {
        time = data[0];
        batch = data[1];
    }
    if (mask.rank_known()) {
        for (size_t d = 0; d < 2; ++d) {
            const int64_t known = d == 0 ? time : batch;
            if (known >= 0 && mask[d] >= 0 && known != mask[d])
                throw_bad_input(
                    "input 1 (sequence_mask) has shape {}, expected [T, N] of the data {}",
                    to_string(mask), to_string(data));
        }
        if (time < 0) time = mask[0];
        if (batch < 0) batch = mask[1];
    }
    return {{context.input(0).type, PartialShape{batch, time, 1, 1}}};
}

void evaluate_ctc_greedy_decoder(const Node& node, std::span<const Tensor> inputs,
                                 std::vector<Tensor>& outputs) {
    const bool merge_repeated = node.attributes.get_bool("ctc_merge_repeated", true);
    const Shape& shape = inputs[0].shape();
    const int64_t time = shape[0], batch = shape[1], classes = shape[2];
    if (inputs[1].shape() != Shape{time, batch})
        throw_bad_input("input 1 (sequence_mask) has shape {}, expected [{}, {}]",
                        to_string(inputs[1].shape()), time, batch);
    const auto mask = inputs[1].to_doubles();
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T* data = inputs[0].data<T>();
        T* dst = outputs[0].data<T>();
        std::fill(dst, dst + outputs[0].size(), T(-1));
        std::vector<int64_t> labels;
        for (int64_t n = 0; n < batch; ++n) {
            int64_t length = 0;
            while (length < time && mask[static_cast<size_t>(length * batch + n)] != 0.0)
                ++length;
            labels.clear();
            if (classes > 0)
                decode_sequence(data + n * classes, length, batch * classes, classes, classes - 1,
                                merge_repeated, labels);
            for (size_t i = 0; i < labels.size(); ++i)
                dst[n * time + static_cast<int64_t>(i)] = static_cast<T>(labels[i]);
        }
        return 0;
    });
}

// ---------------------------------------------------------------------------------------------
// CTCGreedyDecoderSeqLen-6: data [N, T, C], sequence_length [N], optional blank_index (scalar or
// [1], default C - 1) -> classes [N, T] padded with -1, decoded lengths [N].

ElementType index_type(const Attributes& attributes, const char* key) {
    const ElementType type =
        attributes.has(key) ? attributes.get_element_type(key) : ElementType::i32;
    if (type != ElementType::i32 && type != ElementType::i64)
        throw_bad_input("attribute '{}' is {}, expected i32 or i64", key, to_string(type));
    return type;
}

std::vector<PortType> infer_ctc_greedy_decoder_seq_len(const InferContext& context) {
    const Attributes& attributes = context.attributes();
    attributes.get_bool("merge_repeated", true);
    const ElementType classes_type = index_type(attributes, "classes_index_type");
    const ElementType lengths_type = index_type(attributes, "sequence_length_type");
    expect_float_input(context, 0, "data");
    expect_integer(context, 1, "sequence_length");
    expect_rank(context, 0, 3, "data");
    expect_rank(context, 1, 1, "sequence_length");
    if (context.input_count() == 3) {
        expect_integer(context, 2, "blank_index");
        const PartialShape& blank = context.input(2).shape;
        if (blank.rank_known() &&
            !(blank.rank() == 0 || (blank.rank() == 1 && (blank[0] == 1 || blank[0] < 0))))
            throw_bad_input("input 2 (blank_index) has shape {}, expected a scalar or [1]",
                            to_string(blank));
    }
    const PartialShape& data = context.input(0).shape;
    const PartialShape& lengths = context.input(1).shape;
    int64_t batch = data.rank_known() ? data[0] : k_dynamic;
    const int64_t time = data.rank_known() ? data[1] : k_dynamic;
    if (lengths.rank_known() && lengths[0] >= 0) {
        if (batch >= 0 && lengths[0] != batch)
            throw_bad_input("input 1 (sequence_length) has shape {}, expected [{}]",
                            to_string(lengths), batch);
        batch = lengths[0];
    }
    return {{classes_type, PartialShape{batch, time}}, {lengths_type, PartialShape{batch}}};
}

template <typename I>
void store_indices(Tensor& tensor, size_t at, int64_t value) {
    tensor.data<I>()[at] = static_cast<I>(value);
}

void store_index(Tensor& tensor, size_t at, int64_t value) {
    if (tensor.type() == ElementType::i32)
        store_indices<int32_t>(tensor, at, value);
    else
        store_indices<int64_t>(tensor, at, value);
}

void evaluate_ctc_greedy_decoder_seq_len(const Node& node, std::span<const Tensor> inputs,
                                         std::vector<Tensor>& outputs) {
    const bool merge_repeated = node.attributes.get_bool("merge_repeated", true);
    const Shape& shape = inputs[0].shape();
    const int64_t batch = shape[0], time = shape[1], classes = shape[2];
    const auto lengths = inputs[1].to_int64s();
    if (static_cast<int64_t>(lengths.size()) != batch)
        throw_bad_input("input 1 (sequence_length) has {} values, expected {}", lengths.size(),
                        batch);
    int64_t blank = classes - 1;
    if (inputs.size() == 3) {
        const auto values = inputs[2].to_int64s();
        if (values.size() != 1)
            throw_bad_input("input 2 (blank_index) has {} values, expected 1", values.size());
        blank = values[0];
    }
    for (size_t n = 0; n < lengths.size(); ++n)
        if (lengths[n] < 0 || lengths[n] > time)
            throw_bad_input("input 1 (sequence_length) holds {} for sequence {}, expected 0..{}",
                            lengths[n], n, time);
    Tensor& classes_out = outputs[0];
    Tensor& lengths_out = outputs[1];
    for (size_t i = 0; i < classes_out.size(); ++i)
        store_index(classes_out, i, -1);
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T* data = inputs[0].data<T>();
        std::vector<int64_t> labels;
        for (int64_t n = 0; n < batch; ++n) {
            labels.clear();
            if (classes > 0)
                decode_sequence(data + n * time * classes, lengths[static_cast<size_t>(n)], classes,
                                classes, blank, merge_repeated, labels);
            for (size_t i = 0; i < labels.size(); ++i)
                store_index(classes_out, static_cast<size_t>(n * time) + i, labels[i]);
            store_index(lengths_out, static_cast<size_t>(n), static_cast<int64_t>(labels.size()));
        }
        return 0;
    });
}

}  // namespace

void add_ctc_decoder_ops(std::vector<OpDef>& ops) {
    ops.push_back(
        {"CTCGreedyDecoder", 1, 2, 2, infer_ctc_greedy_decoder, evaluate_ctc_greedy_decoder});
    ops.push_back({"CTCGreedyDecoderSeqLen", 6, 2, 3, infer_ctc_greedy_decoder_seq_len,
                   evaluate_ctc_greedy_decoder_seq_len});
}

}  // namespace es::graph::ops
