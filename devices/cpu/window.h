#pragma once

// Strides, dilations and pads of convolution and pooling windows as oneDNN takes them, from a
// node's attributes and the concrete shapes of a plan. The same rules as the reference kernels
// (inference/graph/ops/spatial.h), which are private to the graph module.

#include "inference/core/shape.h"
#include "inference/graph/attributes.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <optional>

namespace es::devices::cpu {

struct Window {
    dnnl::memory::dims strides;
    dnnl::memory::dims dilations;  // oneDNN counts the gaps: 0 is a dense window
    dnnl::memory::dims pads_begin;
    dnnl::memory::dims pads_end;  // what makes the output size exact (may exceed the attribute)
    bool padded = false;          // the attributes (or auto_pad) pad some side
};

// Window of a forward convolution or pooling from `src` to `dst` (spatial axes from 2 on), with
// `kernel` the window's size; the `dilations` attribute is read when `dilated`. nullopt for
// attributes it cannot read.
std::optional<Window> forward_window(const graph::Attributes& attributes, const Shape& src,
                                     const Shape& dst, const std::vector<int64_t>& kernel,
                                     bool dilated);

// Window of ConvolutionBackpropData from `src` to `dst`.
std::optional<Window> backward_window(const graph::Attributes& attributes, const Shape& src,
                                      const Shape& dst, const std::vector<int64_t>& kernel,
                                      bool has_output_shape);

}  // namespace es::devices::cpu
