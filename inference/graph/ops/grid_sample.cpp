// GridSample-9: samples data [N, C, H, W] at the normalized points of grid [N, H_out, W_out, 2]
// ((x, y) in [-1, 1]). edgesight also accepts the volumetric form ONNX GridSample-20 has:
// data [N, C, D, H, W] with grid [N, D_out, H_out, W_out, 3] ((x, y, z)), for bilinear
// (trilinear) and nearest modes.
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <array>
#include <cmath>

namespace es::graph::ops {
namespace {

enum class Mode { bilinear, bicubic, nearest };
enum class Padding { zeros, border, reflection };

struct GridSettings {
    bool align_corners = false;
    Mode mode = Mode::bilinear;
    Padding padding = Padding::zeros;
};

GridSettings read_settings(const Attributes& attributes) {
    GridSettings settings;
    settings.align_corners = attributes.get_bool("align_corners", false);
    const std::string mode = attributes.get_string("mode", "bilinear");
    if (mode == "bilinear")
        settings.mode = Mode::bilinear;
    else if (mode == "bicubic")
        settings.mode = Mode::bicubic;
    else if (mode == "nearest")
        settings.mode = Mode::nearest;
    else
        throw_bad_input("attribute 'mode': '{}' is not one of bilinear, bicubic, nearest", mode);
    const std::string padding = attributes.get_string("padding_mode", "zeros");
    if (padding == "zeros")
        settings.padding = Padding::zeros;
    else if (padding == "border")
        settings.padding = Padding::border;
    else if (padding == "reflection")
        settings.padding = Padding::reflection;
    else
        throw_bad_input("attribute 'padding_mode': '{}' is not one of zeros, border, reflection",
                        padding);
    return settings;
}

void expect_float_type(const PortType& port, size_t i, const char* what) {
    if (port.type != ElementType::f32 && port.type != ElementType::f64 &&
        port.type != ElementType::f16)
        throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                        what, to_string(port.type));
}

std::vector<PortType> infer_grid_sample(const InferContext& context) {
    const GridSettings settings = read_settings(context.attributes());
    const PortType& data = context.input(0);
    const PortType& grid = context.input(1);
    expect_float_type(data, 0, "data");
    expect_float_type(grid, 1, "grid");
    size_t rank = 0;
    for (const auto& [port, what] : {std::pair{&data, "data"}, std::pair{&grid, "grid"}}) {
        if (!port->shape.rank_known()) continue;
        const size_t r = port->shape.rank();
        if (r != 4 && r != 5)
            throw_bad_input("{} has shape {}, expected rank 4 (or 5 for volumetric sampling)", what,
                            to_string(port->shape));
        if (rank != 0 && r != rank)
            throw_bad_input("data {} and grid {} differ in rank", to_string(data.shape),
                            to_string(grid.shape));
        rank = r;
    }
    if (rank == 0) return {{data.type, PartialShape::dynamic_rank()}};
    const size_t spatial = rank - 2;
    if (settings.mode == Mode::bicubic && spatial != 2)
        throw_bad_input("mode bicubic samples 2-D images only, found {} spatial axes", spatial);
    std::vector<int64_t> dims(rank, k_dynamic);
    if (data.shape.rank_known()) {
        dims[0] = data.shape[0];
        dims[1] = data.shape[1];
    }
    if (grid.shape.rank_known()) {
        const int64_t points = grid.shape[rank - 1];
        if (points >= 0 && static_cast<size_t>(points) != spatial)
            throw_bad_input("grid {} has {} coordinates per point, expected {}",
                            to_string(grid.shape), points, spatial);
        const int64_t batch = grid.shape[0];
        if (dims[0] >= 0 && batch >= 0 && batch != dims[0])
            throw_bad_input("data {} and grid {} differ in batch size", to_string(data.shape),
                            to_string(grid.shape));
        if (dims[0] < 0) dims[0] = batch;
        for (size_t i = 0; i < spatial; ++i)
            dims[2 + i] = grid.shape[1 + i];
    }
    return {{data.type, PartialShape(std::move(dims))}};
}

// Grid value v in [-1, 1] to a position along an axis of `size` elements: the extrema are the
// centres of the border elements with align_corners, their outer edges without.
double denormalize(double v, int64_t size, bool align_corners) {
    const auto n = static_cast<double>(size);
    return align_corners ? (v + 1.0) / 2.0 * (n - 1.0) : ((v + 1.0) * n - 1.0) / 2.0;
}

// Reflects x into [low, high] (mirror at both ends, repeatedly).
double reflect(double x, double low, double high) {
    const double span = high - low;
    if (span <= 0.0) return low;
    const double distance = std::fabs(x - low);
    const double flips = std::floor(distance / span);
    const double extra = distance - flips * span;
    return std::fmod(flips, 2.0) == 0.0 ? low + extra : high - extra;
}

// The position bilinear sampling reads for border and reflection padding: clipped into the
// axis after reflecting about the borders the grid's extrema map to.
double padded_coordinate(double x, int64_t size, const GridSettings& settings) {
    const double last = static_cast<double>(size - 1);
    if (settings.padding == Padding::reflection) {
        x = settings.align_corners ? reflect(x, 0.0, last) : reflect(x, -0.5, last + 0.5);
    }
    return std::clamp(x, 0.0, last);
}

// An integer index under the padding mode; -1 for a zero (outside with zeros padding).
int64_t padded_index(int64_t i, int64_t size, const GridSettings& settings) {
    if (i >= 0 && i < size) return i;
    switch (settings.padding) {
        case Padding::zeros:
            return -1;
        case Padding::border:
            return std::clamp<int64_t>(i, 0, size - 1);
        case Padding::reflection:
            if (settings.align_corners) {
                if (size == 1) return 0;
                const int64_t period = 2 * (size - 1);
                const int64_t r = std::abs(i) % period;
                return r >= size ? period - r : r;
            } else {
                const int64_t period = 2 * size;
                const int64_t r = ((i % period) + period) % period;
                return r >= size ? period - 1 - r : r;
            }
    }
    return -1;
}

// Keys' cubic convolution weights (a = -0.75) of the taps at floor(x) - 1 … floor(x) + 2 for
// fraction t = x - floor(x).
std::array<double, 4> cubic_weights(double t) {
    constexpr double a = -0.75;
    const auto near = [](double d) { return ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0; };
    const auto far = [](double d) { return ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a; };
    return {far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)};
}

// Up to 16 taps (offset within a channel plane, weight) of one output point.
struct Taps {
    std::array<int64_t, 16> offset{};
    std::array<double, 16> weight{};
    size_t count = 0;
    void add(int64_t at, double w) {
        offset[count] = at;
        weight[count] = w;
        ++count;
    }
};

// `coordinates` and `sizes` in axis order (D,) H, W.
Taps sample_taps(const std::array<double, 3>& coordinates, const std::array<int64_t, 3>& sizes,
                 size_t spatial, const GridSettings& settings) {
    Taps taps;
    std::array<int64_t, 3> strides{};
    int64_t stride = 1;
    for (size_t s = spatial; s-- > 0;) {
        strides[s] = stride;
        stride *= sizes[s];
    }
    if (settings.mode == Mode::nearest) {
        int64_t at = 0;
        for (size_t s = 0; s < spatial; ++s) {
            const auto i = static_cast<int64_t>(std::nearbyint(coordinates[s]));
            const int64_t index = padded_index(i, sizes[s], settings);
            if (index < 0) return taps;
            at += index * strides[s];
        }
        taps.add(at, 1.0);
        return taps;
    }
    if (settings.mode == Mode::bicubic) {
        const double y = coordinates[0], x = coordinates[1];
        const double y0 = std::floor(y), x0 = std::floor(x);
        const auto wy = cubic_weights(y - y0);
        const auto wx = cubic_weights(x - x0);
        for (int64_t j = 0; j < 4; ++j) {
            const int64_t row = padded_index(static_cast<int64_t>(y0) - 1 + j, sizes[0], settings);
            if (row < 0) continue;
            for (int64_t i = 0; i < 4; ++i) {
                const int64_t column =
                    padded_index(static_cast<int64_t>(x0) - 1 + i, sizes[1], settings);
                if (column >= 0) taps.add(row * strides[0] + column, wy[j] * wx[i]);
            }
        }
        return taps;
    }
    // Bilinear (trilinear): 2^spatial corners, those outside dropped (zeros padding) or
    // clamped (the coordinate was already padded into the axis, so their weight is zero).
    std::array<double, 3> base{}, fraction{};
    for (size_t s = 0; s < spatial; ++s) {
        const double c = settings.padding == Padding::zeros
                             ? coordinates[s]
                             : padded_coordinate(coordinates[s], sizes[s], settings);
        base[s] = std::floor(c);
        fraction[s] = c - base[s];
    }
    for (size_t corner = 0; corner < (size_t{1} << spatial); ++corner) {
        double w = 1.0;
        int64_t at = 0;
        bool inside = true;
        for (size_t s = 0; s < spatial; ++s) {
            const bool upper = (corner >> (spatial - 1 - s)) & 1;
            w *= upper ? fraction[s] : 1.0 - fraction[s];
            int64_t index = static_cast<int64_t>(base[s]) + (upper ? 1 : 0);
            if (settings.padding != Padding::zeros)
                index = std::clamp<int64_t>(index, 0, sizes[s] - 1);
            if (index < 0 || index >= sizes[s]) inside = false;
            at += index * strides[s];
        }
        if (inside) taps.add(at, w);
    }
    return taps;
}

template <typename T>
void grid_sample(const Tensor& data, const std::vector<double>& grid, const GridSettings& settings,
                 Tensor& dst) {
    const Shape& shape = data.shape();
    const size_t spatial = shape.size() - 2;
    const int64_t batch = shape[0], channels = shape[1];
    std::array<int64_t, 3> sizes{};
    int64_t plane = 1;
    for (size_t s = 0; s < spatial; ++s) {
        sizes[s] = shape[2 + s];
        plane *= sizes[s];
    }
    const auto points = static_cast<int64_t>(
        dst.size() / static_cast<size_t>(std::max<int64_t>(1, batch * channels)));
    const T* src = elements<T>(data);
    T* out = elements<T>(dst);
    for (int64_t n = 0; n < batch; ++n) {
        for (int64_t p = 0; p < points; ++p) {
            // The grid lists (x, y[, z]): the reverse of the axis order.
            const double* point = grid.data() + (n * points + p) * static_cast<int64_t>(spatial);
            std::array<double, 3> coordinates{};
            for (size_t s = 0; s < spatial; ++s)
                coordinates[s] =
                    denormalize(point[spatial - 1 - s], sizes[s], settings.align_corners);
            const Taps taps = sample_taps(coordinates, sizes, spatial, settings);
            for (int64_t c = 0; c < channels; ++c) {
                const T* channel = src + (n * channels + c) * plane;
                double sum = 0.0;
                for (size_t k = 0; k < taps.count; ++k)
                    sum += taps.weight[k] * static_cast<double>(channel[taps.offset[k]]);
                out[(n * channels + c) * points + p] = static_cast<T>(sum);
            }
        }
    }
}

void evaluate_grid_sample(const Node& node, std::span<const Tensor> inputs,
                          std::vector<Tensor>& outputs) {
    const GridSettings settings = read_settings(node.attributes);
    const Tensor& data = inputs[0];
    const std::vector<double> grid = inputs[1].to_doubles();
    for (int64_t size : data.shape())
        if (size == 0) return;  // no points to sample, or an empty image: nothing to compute
    switch (data.type()) {
        case ElementType::f32:
            return grid_sample<float>(data, grid, settings, outputs[0]);
        case ElementType::f64:
            return grid_sample<double>(data, grid, settings, outputs[0]);
        default:
            break;
    }
    throw_bad_input("data has element type {}, expected f32 or f64", to_string(data.type()));
}

}  // namespace

void add_grid_sample_ops(std::vector<OpDef>& ops) {
    ops.push_back({"GridSample", 9, 2, 2, infer_grid_sample, evaluate_grid_sample});
}

}  // namespace es::graph::ops
