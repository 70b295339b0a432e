#pragma once

#include "inference/core/tensor.h"

#include <optional>
#include <vector>

namespace es::quantize {

enum class RangeMethod {
    min_max,     // the lowest and highest value seen
    percentile,  // per frame the 0.01 % and 99.99 % quantiles, averaged over frames
};

struct Range {
    float low = 0;
    float high = 0;
};

// One activation's range over the calibration frames.
class RangeStatistic {
  public:
    explicit RangeStatistic(RangeMethod method) : m_method(method) {}

    // The values of one frame: a f32 or f16 tensor.
    void add(const Tensor& values);
    // Throws es::Error (Runtime) before the first add().
    Range range() const;

  private:
    RangeMethod m_method;
    size_t m_frames = 0;
    double m_low = 0;  // min-max: the extremes; percentile: sums of the frames' quantiles
    double m_high = 0;
    std::vector<float> m_sorted;  // percentile: scratch
};

// `range` widened to hold 0.0 and moved so that 0.0 is one of `levels` evenly spaced levels
// (zero padding and ReLU outputs stay exact). nullopt when the range is empty.
std::optional<Range> grid_range(Range range, int levels);

}  // namespace es::quantize
