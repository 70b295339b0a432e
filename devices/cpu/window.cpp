#include "devices/cpu/window.h"

#include "inference/core/error.h"

#include <algorithm>
#include <cctype>

namespace es::devices::cpu {
namespace {

enum class AutoPad { explicit_pads, same_upper, same_lower, valid };

std::optional<AutoPad> read_auto_pad(const graph::Attributes& attributes) {
    std::string text = attributes.get_string("auto_pad", "explicit");
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (text == "explicit" || text == "notset" || text.empty()) return AutoPad::explicit_pads;
    if (text == "same_upper") return AutoPad::same_upper;
    if (text == "same_lower") return AutoPad::same_lower;
    if (text == "valid") return AutoPad::valid;
    return std::nullopt;
}

// A per-axis attribute, `fill` for each axis when it is missing or empty.
std::optional<std::vector<int64_t>> read_axes(const graph::Attributes& attributes,
                                              const std::string& key, size_t count, int64_t fill) {
    std::vector<int64_t> values;
    if (attributes.has(key)) values = attributes.get_ints(key);
    if (values.empty()) return std::vector<int64_t>(count, fill);
    if (values.size() != count) return std::nullopt;
    return values;
}

int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

struct Pads {
    std::vector<int64_t> begin;
    std::vector<int64_t> end;
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    AutoPad auto_pad = AutoPad::explicit_pads;
};

std::optional<Pads> read_pads(const graph::Attributes& attributes, size_t spatial,
                              const std::vector<int64_t>& dilations) {
    Pads pads;
    const auto auto_pad = read_auto_pad(attributes);
    const auto strides = read_axes(attributes, "strides", spatial, 1);
    const auto begin = read_axes(attributes, "pads_begin", spatial, 0);
    const auto end = read_axes(attributes, "pads_end", spatial, 0);
    if (!auto_pad || !strides || !begin || !end) return std::nullopt;
    pads.auto_pad = *auto_pad;
    pads.strides = *strides;
    const bool explicit_pads = pads.auto_pad == AutoPad::explicit_pads;
    pads.begin = explicit_pads ? *begin : std::vector<int64_t>(spatial, 0);
    pads.end = explicit_pads ? *end : std::vector<int64_t>(spatial, 0);
    pads.dilations = dilations;
    for (int64_t value : pads.strides)
        if (value < 1) return std::nullopt;
    for (int64_t value : pads.dilations)
        if (value < 1) return std::nullopt;
    return pads;
}

}  // namespace

std::optional<Window> forward_window(const graph::Attributes& attributes, const Shape& src,
                                     const Shape& dst, const std::vector<int64_t>& kernel,
                                     bool dilated) {
    const size_t spatial = src.size() - 2;
    if (kernel.size() != spatial || dst.size() != src.size()) return std::nullopt;
    const auto dilations =
        dilated ? read_axes(attributes, "dilations", spatial, 1) : std::vector<int64_t>(spatial, 1);
    if (!dilations) return std::nullopt;
    const auto pads = read_pads(attributes, spatial, *dilations);
    if (!pads) return std::nullopt;
    Window window;
    for (size_t i = 0; i < spatial; ++i) {
        const int64_t in = src[2 + i];
        const int64_t out = dst[2 + i];
        const int64_t stride = pads->strides[i];
        const int64_t dilated = (kernel[i] - 1) * pads->dilations[i] + 1;
        int64_t begin = pads->begin[i];
        int64_t end = pads->end[i];
        if (pads->auto_pad == AutoPad::same_upper || pads->auto_pad == AutoPad::same_lower) {
            const int64_t total =
                std::max<int64_t>(0, (ceil_div(in, stride) - 1) * stride + dilated - in);
            begin = pads->auto_pad == AutoPad::same_lower ? total - total / 2 : total / 2;
            end = total - begin;
        }
        window.padded = window.padded || begin != 0 || end != 0;
        window.strides.push_back(stride);
        window.dilations.push_back(pads->dilations[i] - 1);
        window.pads_begin.push_back(begin);
        window.pads_end.push_back((out - 1) * stride + dilated - in - begin);
    }
    return window;
}

std::optional<Window> backward_window(const graph::Attributes& attributes, const Shape& src,
                                      const Shape& dst, const std::vector<int64_t>& kernel,
                                      bool has_output_shape) {
    const size_t spatial = src.size() - 2;
    if (kernel.size() != spatial || dst.size() != src.size()) return std::nullopt;
    const auto dilations = read_axes(attributes, "dilations", spatial, 1);
    const auto output_padding = read_axes(attributes, "output_padding", spatial, 0);
    if (!dilations || !output_padding) return std::nullopt;
    const auto pads = read_pads(attributes, spatial, *dilations);
    if (!pads) return std::nullopt;
    Window window;
    for (size_t i = 0; i < spatial; ++i) {
        const int64_t in = src[2 + i];
        const int64_t out = dst[2 + i];
        const int64_t stride = pads->strides[i];
        const int64_t dilated = (kernel[i] - 1) * pads->dilations[i] + 1;
        const int64_t full = (in - 1) * stride + dilated;
        int64_t begin = pads->begin[i];
        if (pads->auto_pad == AutoPad::same_upper || pads->auto_pad == AutoPad::same_lower) {
            // Only an output_shape input makes these modes pad (see the reference kernel).
            begin = 0;
            if (has_output_shape) {
                const int64_t total = std::max<int64_t>(0, full - out + (*output_padding)[i]);
                begin = pads->auto_pad == AutoPad::same_upper ? total - total / 2 : total / 2;
            }
        }
        window.strides.push_back(stride);
        window.dilations.push_back(pads->dilations[i] - 1);
        window.pads_begin.push_back(begin);
        window.pads_end.push_back(full - begin - out);
    }
    return window;
}

}  // namespace es::devices::cpu
