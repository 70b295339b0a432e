#include "inference/quantize/ranges.h"

#include "inference/core/error.h"

#include <algorithm>
#include <cmath>

namespace es::quantize {
namespace {

constexpr double k_outlier_share = 1e-4;

}  // namespace

void RangeStatistic::add(const Tensor& values) {
    const Tensor floats =
        values.type() == ElementType::f32 ? values : convert(values, ElementType::f32);
    const float* data = floats.data<float>();
    const size_t count = floats.size();
    if (count == 0) return;
    double low = 0;
    double high = 0;
    if (m_method == RangeMethod::min_max) {
        const auto [lowest, highest] = std::minmax_element(data, data + count);
        low = *lowest;
        high = *highest;
        m_low = m_frames == 0 ? low : std::min(m_low, low);
        m_high = m_frames == 0 ? high : std::max(m_high, high);
    } else {
        m_sorted.assign(data, data + count);
        const auto skip =
            static_cast<size_t>(std::floor(k_outlier_share * static_cast<double>(count)));
        std::nth_element(m_sorted.begin(), m_sorted.begin() + static_cast<ptrdiff_t>(skip),
                         m_sorted.end());
        low = m_sorted[skip];
        std::nth_element(m_sorted.begin(), m_sorted.end() - 1 - static_cast<ptrdiff_t>(skip),
                         m_sorted.end());
        high = m_sorted[count - 1 - skip];
        m_low += low;
        m_high += high;
    }
    ++m_frames;
}

Range RangeStatistic::range() const {
    if (m_frames == 0) throw_runtime("range of an activation no frame reached");
    if (m_method == RangeMethod::min_max)
        return {static_cast<float>(m_low), static_cast<float>(m_high)};
    const auto frames = static_cast<double>(m_frames);
    return {static_cast<float>(m_low / frames), static_cast<float>(m_high / frames)};
}

std::optional<Range> grid_range(Range range, int levels) {
    const float low = std::min(range.low, 0.0f);
    const float high = std::max(range.high, 0.0f);
    if (!(high > low) || !std::isfinite(low) || !std::isfinite(high)) return std::nullopt;
    const float steps = static_cast<float>(levels - 1);
    const float step = (high - low) / steps;
    const float zero_level = std::nearbyint(-low / step);
    const float grid_low = -zero_level * step;
    return Range{grid_low, grid_low + steps * step};
}

}  // namespace es::quantize
