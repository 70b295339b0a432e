#include "inference/quantize/agreement.h"

#include "inference/core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace es::quantize {
namespace {

Tensor floats(const Tensor& tensor) {
    return tensor.type() == ElementType::f32 ? tensor : convert(tensor, ElementType::f32);
}

void check_pairs(const FrameOutputs& reference, const FrameOutputs& candidate) {
    if (reference.size() != candidate.size())
        throw_runtime("agreement: {} reference frames, {} candidate ones", reference.size(),
                      candidate.size());
    for (size_t f = 0; f < reference.size(); ++f) {
        if (reference[f].size() != candidate[f].size())
            throw_runtime("agreement: frame {} has {} reference outputs, {} candidate ones", f,
                          reference[f].size(), candidate[f].size());
        for (size_t o = 0; o < reference[f].size(); ++o)
            if (reference[f][o].size() != candidate[f][o].size())
                throw_runtime(
                    "agreement: output {} has {} values in the reference, {} in the "
                    "candidate",
                    o, reference[f][o].size(), candidate[f][o].size());
    }
}

// Calls `visit(reference value, candidate value)` for every value of every output of every
// frame, and `done()` after each output.
template <typename Visit, typename Done>
void for_each_value(const FrameOutputs& reference, const FrameOutputs& candidate, Visit&& visit,
                    Done&& done) {
    check_pairs(reference, candidate);
    for (size_t f = 0; f < reference.size(); ++f)
        for (size_t o = 0; o < reference[f].size(); ++o) {
            const Tensor a = floats(reference[f][o]);
            const Tensor b = floats(candidate[f][o]);
            for (size_t i = 0; i < a.size(); ++i)
                visit(static_cast<double>(a.data<float>()[i]),
                      static_cast<double>(b.data<float>()[i]));
            done();
        }
}

}  // namespace

double cosine_agreement(const FrameOutputs& reference, const FrameOutputs& candidate) {
    double total = 0;
    size_t count = 0;
    double dot = 0;
    double norm_a = 0;
    double norm_b = 0;
    for_each_value(
        reference, candidate,
        [&](double x, double y) {
            dot += x * y;
            norm_a += x * x;
            norm_b += y * y;
        },
        [&] {
            total += norm_a == 0 && norm_b == 0   ? 1.0
                     : norm_a == 0 || norm_b == 0 ? 0.0
                                                  : dot / std::sqrt(norm_a * norm_b);
            ++count;
            dot = norm_a = norm_b = 0;
        });
    return count ? total / static_cast<double>(count) : 1.0;
}

double signal_to_noise_db(const FrameOutputs& reference, const FrameOutputs& candidate) {
    double signal = 0;
    double noise = 0;
    for_each_value(
        reference, candidate,
        [&](double x, double y) {
            signal += x * x;
            noise += (y - x) * (y - x);
        },
        [] {});
    if (noise == 0) return std::numeric_limits<double>::infinity();
    return 10 * std::log10(signal / noise);
}

double top1_agreement(const FrameOutputs& reference, const FrameOutputs& candidate, size_t output) {
    check_pairs(reference, candidate);
    size_t same = 0;
    for (size_t f = 0; f < reference.size(); ++f) {
        const Tensor a = floats(reference[f].at(output));
        const Tensor b = floats(candidate[f].at(output));
        const auto top = [](const Tensor& t) {
            return std::max_element(t.data<float>(), t.data<float>() + t.size()) - t.data<float>();
        };
        same += top(a) == top(b) ? 1 : 0;
    }
    return reference.empty() ? 1.0
                             : static_cast<double>(same) / static_cast<double>(reference.size());
}

}  // namespace es::quantize
