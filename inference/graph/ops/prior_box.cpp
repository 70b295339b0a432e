#include "inference/graph/ops/detection.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>

namespace es::graph::ops::detection {
namespace {

std::vector<float> get_float_list(const Attributes& attributes, const std::string& key,
                                  std::vector<double> fallback = {}) {
    const auto values = attributes.get_floats(key, std::move(fallback));
    return std::vector<float>(values.begin(), values.end());
}

// 0, 1 or 4 values; an empty list means 0.1 for every coordinate.
std::vector<float> read_variance(const Attributes& attributes) {
    auto variance = get_float_list(attributes, "variance");
    if (variance.size() != 0 && variance.size() != 1 && variance.size() != 4)
        throw_bad_input("attribute 'variance' has {} values, expected 0, 1 or 4", variance.size());
    if (variance.empty()) variance.push_back(0.1f);
    return variance;
}

void check_size_input(const InferContext& context, size_t i, const char* what) {
    expect_integer(context, i, what);
    expect_rank(context, i, 1, what);
    const PartialShape& shape = context.input(i).shape;
    if (shape.rank_known() && shape[0] != k_dynamic && shape[0] != 2)
        throw_bad_input("input {} ({}) has shape {}, expected [2]", i, what, to_string(shape));
}

// The constant [height, width] of input `i`, or nullopt when not known here.
std::optional<std::array<int64_t, 2>> constant_size(const InferContext& context, size_t i,
                                                    const char* what, bool positive) {
    const auto values = constant_ints(context, i);
    if (!values) return std::nullopt;
    if (values->size() != 2)
        throw_bad_input("input {} ({}) has {} values, expected 2", i, what, values->size());
    for (int64_t value : *values)
        if (value < 0 || (positive && value == 0))
            throw_bad_input("input {} ({}) is [{}, {}], expected {} sizes", i, what, (*values)[0],
                            (*values)[1], positive ? "positive" : "non-negative");
    return std::array<int64_t, 2>{(*values)[0], (*values)[1]};
}

// Output [2, 4 * height * width * priors]: boxes in row 0, their variances in row 1.
std::vector<PortType> prior_output(const InferContext& context, int64_t priors) {
    check_size_input(context, 0, "output_size");
    check_size_input(context, 1, "image_size");
    constant_size(context, 1, "image_size", true);
    const auto layer = constant_size(context, 0, "output_size", false);
    if (!layer) return {{ElementType::f32, PartialShape{2, k_dynamic}}};
    const size_t size = shape_size({2, 4, (*layer)[0], (*layer)[1], priors});
    return {{ElementType::f32, PartialShape{2, static_cast<int64_t>(size / 2)}}};
}

void fill_variances(float* dst, size_t row_length, const std::vector<float>& variance) {
    float* variances = dst + row_length;
    for (size_t i = 0; i < row_length; ++i)
        variances[i] = variance[variance.size() == 1 ? 0 : i % 4];
}

struct PriorBoxAttributes {
    std::vector<float> min_size;
    std::vector<float> max_size;
    std::vector<float> aspect_ratio;
    std::vector<float> density;
    std::vector<float> fixed_ratio;
    std::vector<float> fixed_size;
    std::vector<float> variance;
    bool flip = false;
    bool clip = false;
    bool scale_all_sizes = true;
    bool min_max_aspect_ratios_order = true;
    float step = 0.0f;
    float offset = 0.0f;
};

PriorBoxAttributes read_prior_box_attributes(const Attributes& attributes, int version) {
    PriorBoxAttributes result;
    result.min_size = get_float_list(attributes, "min_size");
    result.max_size = get_float_list(attributes, "max_size");
    result.aspect_ratio = get_float_list(attributes, "aspect_ratio");
    result.density = get_float_list(attributes, "density");
    result.fixed_ratio = get_float_list(attributes, "fixed_ratio");
    result.fixed_size = get_float_list(attributes, "fixed_size");
    result.variance = read_variance(attributes);
    result.flip = attributes.get_bool("flip", false);
    result.clip = attributes.get_bool("clip", false);
    result.scale_all_sizes = attributes.get_bool("scale_all_sizes", true);
    if (version >= 8)
        result.min_max_aspect_ratios_order =
            attributes.get_bool("min_max_aspect_ratios_order", true);
    result.step = static_cast<float>(attributes.get_float("step", 0.0));
    result.offset = static_cast<float>(attributes.get_float("offset"));
    for (float ratio : result.aspect_ratio)
        if (!(ratio > 0.0f))
            throw_bad_input("attribute 'aspect_ratio' has {}, expected > 0", ratio);
    for (float ratio : result.fixed_ratio)
        if (!(ratio > 0.0f)) throw_bad_input("attribute 'fixed_ratio' has {}, expected > 0", ratio);
    for (float density : result.density)
        if (!(density >= 1.0f))
            throw_bad_input("attribute 'density' has {}, expected >= 1", density);
    return result;
}

// 1 first, then each new ratio and (with flip) its inverse; the generation order.
std::vector<float> aspect_ratios(const PriorBoxAttributes& attributes) {
    std::vector<float> ratios = {1.0f};
    for (float ratio : attributes.aspect_ratio) {
        const bool seen = std::any_of(ratios.begin(), ratios.end(), [&](float existing) {
            return std::fabs(ratio - existing) < 1e-6f;
        });
        if (seen) continue;
        ratios.push_back(ratio);
        if (attributes.flip) ratios.push_back(1.0f / ratio);
    }
    return ratios;
}

// Priors per cell as the specification counts them (it fixes the output shape).
int64_t number_of_priors(const PriorBoxAttributes& attributes) {
    std::set<float> unique = {1.0f};
    for (float ratio : attributes.aspect_ratio) {
        unique.insert(std::round(ratio * 1e6f) / 1e6f);
        if (attributes.flip) unique.insert(std::round(1.0f / ratio * 1e6f) / 1e6f);
    }
    const auto ratios = static_cast<int64_t>(unique.size());
    const auto min_sizes = static_cast<int64_t>(attributes.min_size.size());
    int64_t count = attributes.scale_all_sizes
                        ? ratios * min_sizes + static_cast<int64_t>(attributes.max_size.size())
                        : ratios + min_sizes - 1;
    if (!attributes.fixed_size.empty())
        count = ratios * static_cast<int64_t>(attributes.fixed_size.size());
    for (float density : attributes.density) {
        const auto rounded = static_cast<int64_t>(density);
        const int64_t extra = rounded * rounded - 1;
        count += extra * (attributes.fixed_ratio.empty()
                              ? ratios
                              : static_cast<int64_t>(attributes.fixed_ratio.size()));
    }
    return count;
}

// One prior of a cell: its centre's shift from the cell centre and its half sizes, in pixels.
struct PriorShape {
    float dx = 0.0f;
    float dy = 0.0f;
    float half_width = 0.0f;
    float half_height = 0.0f;
    bool clip_outside = false;  // fixed-size priors keep min >= 0 and max <= 1
};

// The priors of one cell in output order; `min_sizes` are in pixels.
std::vector<PriorShape> prior_shapes(const PriorBoxAttributes& attributes,
                                     const std::vector<float>& min_sizes) {
    const std::vector<float> ratios = aspect_ratios(attributes);
    std::vector<PriorShape> shapes;
    for (size_t s = 0; s < attributes.fixed_size.size(); ++s) {
        if (s >= attributes.density.size())
            throw_bad_input("attribute 'density' has {} values, expected one per fixed_size ({})",
                            attributes.density.size(), attributes.fixed_size.size());
        const float size = attributes.fixed_size[s];
        const auto whole_size = static_cast<int64_t>(size);
        const auto density = static_cast<int64_t>(attributes.density[s]);
        const auto shift = static_cast<int64_t>(size / static_cast<float>(density));
        // density x density centres spread over the fixed-size box, `shift` pixels apart.
        auto add_grid = [&](float half_width, float half_height) {
            const float start = -static_cast<float>(whole_size / 2) + static_cast<float>(shift) / 2;
            for (int64_t r = 0; r < density; ++r)
                for (int64_t c = 0; c < density; ++c)
                    shapes.push_back({start + static_cast<float>(c * shift),
                                      start + static_cast<float>(r * shift), half_width,
                                      half_height, true});
        };
        if (!attributes.fixed_ratio.empty()) {
            for (float ratio : attributes.fixed_ratio) {
                const float root = std::sqrt(ratio);
                add_grid(size * 0.5f * root, size * 0.5f / root);
            }
            continue;
        }
        add_grid(static_cast<float>(whole_size) * 0.5f, static_cast<float>(whole_size) * 0.5f);
        for (size_t r = 1; r < ratios.size(); ++r) {
            const float root = std::sqrt(ratios[r]);
            add_grid(size * 0.5f * root, size * 0.5f / root);
        }
    }
    for (size_t m = 0; m < min_sizes.size(); ++m) {
        const float min_size = min_sizes[m];
        shapes.push_back({0.0f, 0.0f, min_size * 0.5f, min_size * 0.5f, false});
        auto add_max = [&] {
            if (!attributes.scale_all_sizes || m >= attributes.max_size.size()) return;
            const float half = std::sqrt(min_size * attributes.max_size[m]) * 0.5f;
            shapes.push_back({0.0f, 0.0f, half, half, false});
        };
        // Without scale_all_sizes (MXNet), the ratio boxes come once, sized by min_size[0].
        auto add_ratios = [&] {
            if (!attributes.scale_all_sizes && m + 1 != min_sizes.size()) return;
            const float size = attributes.scale_all_sizes ? min_size : min_sizes[0];
            for (size_t r = 1; r < ratios.size(); ++r) {
                const float root = std::sqrt(ratios[r]);
                shapes.push_back({0.0f, 0.0f, size * 0.5f * root, size * 0.5f / root, false});
            }
        };
        if (attributes.min_max_aspect_ratios_order) {
            add_max();
            add_ratios();
        } else {
            add_ratios();
            add_max();
        }
    }
    const int64_t expected = number_of_priors(attributes);
    if (static_cast<int64_t>(shapes.size()) != expected)
        throw_bad_input(
            "PriorBox attributes generate {} priors per cell, but the output shape counts {}: "
            "this combination of min_size, max_size, fixed_size, fixed_ratio and density is not "
            "supported",
            shapes.size(), expected);
    return shapes;
}

void evaluate_prior_box(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs, int version) {
    const PriorBoxAttributes attributes = read_prior_box_attributes(node.attributes, version);
    const auto layer = inputs[0].to_int64s();
    const auto image = inputs[1].to_int64s();
    const int64_t height = layer[0], width = layer[1];
    const auto image_height = static_cast<float>(image[0]);
    const auto image_width = static_cast<float>(image[1]);

    float step = attributes.step;
    std::vector<float> min_sizes = attributes.min_size;
    if (!attributes.scale_all_sizes) {
        // MXNet priors: sizes and step are fractions of the image height (step -1: one cell).
        step = step == -1.0f ? image_height / static_cast<float>(height) : step * image_height;
        for (float& size : min_sizes)
            size *= image_height;
    }
    const std::vector<PriorShape> shapes = prior_shapes(attributes, min_sizes);

    Tensor& output = outputs[0];
    const auto row_length = static_cast<size_t>(output.shape()[1]);
    if (row_length != static_cast<size_t>(height * width) * shapes.size() * 4)
        throw_runtime("output has shape {}, which does not hold {}x{} cells of {} priors",
                      to_string(output.shape()), height, width, shapes.size());
    float* dst = output.data<float>();
    const float step_x = step == 0.0f ? image_width / static_cast<float>(width) : step;
    const float step_y = step == 0.0f ? image_height / static_cast<float>(height) : step;
    const float offset = step == 0.0f ? 0.5f : attributes.offset;
    const float inverse_width = 1.0f / image_width;
    const float inverse_height = 1.0f / image_height;
    size_t index = 0;
    for (int64_t h = 0; h < height; ++h) {
        const float center_y = (static_cast<float>(h) + offset) * step_y;
        for (int64_t w = 0; w < width; ++w) {
            const float center_x = (static_cast<float>(w) + offset) * step_x;
            for (const PriorShape& shape : shapes) {
                const float x = center_x + shape.dx;
                const float y = center_y + shape.dy;
                float xmin = (x - shape.half_width) * inverse_width;
                float ymin = (y - shape.half_height) * inverse_height;
                float xmax = (x + shape.half_width) * inverse_width;
                float ymax = (y + shape.half_height) * inverse_height;
                if (shape.clip_outside) {
                    xmin = std::max(xmin, 0.0f);
                    ymin = std::max(ymin, 0.0f);
                    xmax = std::min(xmax, 1.0f);
                    ymax = std::min(ymax, 1.0f);
                }
                dst[index++] = xmin;
                dst[index++] = ymin;
                dst[index++] = xmax;
                dst[index++] = ymax;
            }
        }
    }
    if (attributes.clip)
        for (size_t i = 0; i < row_length; ++i)
            dst[i] = std::clamp(dst[i], 0.0f, 1.0f);
    fill_variances(dst, row_length, attributes.variance);
}

struct PriorBoxClusteredAttributes {
    std::vector<float> widths;
    std::vector<float> heights;
    std::vector<float> variance;
    bool clip = true;
    float step_width = 0.0f;
    float step_height = 0.0f;
    float step = 0.0f;
    float offset = 0.0f;
};

PriorBoxClusteredAttributes read_clustered_attributes(const Attributes& attributes) {
    PriorBoxClusteredAttributes result;
    result.widths = get_float_list(attributes, "width", {1.0});
    result.heights = get_float_list(attributes, "height", {1.0});
    if (result.widths.size() != result.heights.size())
        throw_bad_input("attributes 'width' and 'height' have {} and {} values, expected the same",
                        result.widths.size(), result.heights.size());
    result.variance = read_variance(attributes);
    result.clip = attributes.get_bool("clip", true);
    result.step_width = static_cast<float>(attributes.get_float("step_w", 0.0));
    result.step_height = static_cast<float>(attributes.get_float("step_h", 0.0));
    result.step = static_cast<float>(attributes.get_float("step", 0.0));
    result.offset = static_cast<float>(attributes.get_float("offset"));
    return result;
}

}  // namespace

std::vector<PortType> infer_prior_box(const InferContext& context) {
    const int version = context.node.op ? context.node.op->since_opset : 8;
    const PriorBoxAttributes attributes = read_prior_box_attributes(context.attributes(), version);
    const auto priors = static_cast<int64_t>(prior_shapes(attributes, attributes.min_size).size());
    return prior_output(context, priors);
}

void evaluate_prior_box_v1(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs) {
    evaluate_prior_box(node, inputs, outputs, 1);
}

void evaluate_prior_box_v8(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs) {
    evaluate_prior_box(node, inputs, outputs, 8);
}

std::vector<PortType> infer_prior_box_clustered(const InferContext& context) {
    const auto attributes = read_clustered_attributes(context.attributes());
    return prior_output(context, static_cast<int64_t>(attributes.widths.size()));
}

void evaluate_prior_box_clustered(const Node& node, std::span<const Tensor> inputs,
                                  std::vector<Tensor>& outputs) {
    const PriorBoxClusteredAttributes attributes = read_clustered_attributes(node.attributes);
    const auto layer = inputs[0].to_int64s();
    const auto image = inputs[1].to_int64s();
    const int64_t height = layer[0], width = layer[1];
    const auto image_height = static_cast<float>(image[0]);
    const auto image_width = static_cast<float>(image[1]);

    // A zero step_w/step_h takes `step`; when both are still zero, the cell size in pixels.
    float step_x = attributes.step_width == 0.0f ? attributes.step : attributes.step_width;
    float step_y = attributes.step_height == 0.0f ? attributes.step : attributes.step_height;
    if (step_x == 0.0f && step_y == 0.0f) {
        step_x = image_width / static_cast<float>(width);
        step_y = image_height / static_cast<float>(height);
    }

    Tensor& output = outputs[0];
    const auto row_length = static_cast<size_t>(output.shape()[1]);
    const size_t priors = attributes.widths.size();
    if (row_length != static_cast<size_t>(height * width) * priors * 4)
        throw_runtime("output has shape {}, which does not hold {}x{} cells of {} priors",
                      to_string(output.shape()), height, width, priors);
    float* dst = output.data<float>();
    size_t index = 0;
    for (int64_t h = 0; h < height; ++h) {
        const float center_y = (static_cast<float>(h) + attributes.offset) * step_y;
        for (int64_t w = 0; w < width; ++w) {
            const float center_x = (static_cast<float>(w) + attributes.offset) * step_x;
            for (size_t s = 0; s < priors; ++s) {
                const float half_width = attributes.widths[s] / 2.0f;
                const float half_height = attributes.heights[s] / 2.0f;
                std::array<float, 4> box = {
                    (center_x - half_width) / image_width, (center_y - half_height) / image_height,
                    (center_x + half_width) / image_width, (center_y + half_height) / image_height};
                for (float value : box)
                    dst[index++] = attributes.clip ? std::clamp(value, 0.0f, 1.0f) : value;
            }
        }
    }
    fill_variances(dst, row_length, attributes.variance);
}

}  // namespace es::graph::ops::detection
