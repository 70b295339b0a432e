#pragma once

#include "devices/cpu/plan.h"

namespace es::devices::cpu {

// A plain value seen as [outer, length, inner] around its axes [first, last]: outer × inner
// vectors of `length` elements, `inner` apart (what TopK, SoftMax and NormalizeL2 reduce over).
struct Slices {
    int64_t outer = 1;
    int64_t length = 1;
    int64_t inner = 1;
};
inline Slices slices_around(const Shape& shape, size_t first, size_t last) {
    Slices slices;
    for (size_t i = 0; i < shape.size(); ++i)
        (i < first ? slices.outer : i > last ? slices.inner : slices.length) *= shape[i];
    return slices;
}

// One argument of a oneDNN primitive: DNNL_ARG_SRC … and the value bound to it.
struct PrimitiveArg {
    int arg = 0;
    ValueId value = 0;
};

// A oneDNN primitive with memory objects for its arguments in one frame: fixed values bound
// once, volatile ones by bind(), any one moved by set_address() until the next bind().
class BoundPrimitive {
  public:
    BoundPrimitive(const dnnl::primitive& primitive, const std::vector<PrimitiveArg>& args,
                   size_t scratchpad_bytes, Frame& frame);
    void bind(Frame& frame);
    // Argument `index` of `args` reads or writes `address`.
    void set_address(size_t index, std::byte* address) {
        m_memories[index].set_data_handle(address);
    }
    void execute(Frame& frame) const;

  private:
    dnnl::primitive m_primitive;
    std::vector<dnnl::memory> m_memories;
    std::vector<dnnl_exec_arg_t> m_args;
    std::vector<std::pair<size_t, ValueId>> m_volatile;
};

// Runs a oneDNN primitive on the values bound to its arguments; DNNL_ARG_DST (and
// DNNL_ARG_DST_1 …) are written, the others read.
class PrimitiveStep : public Step {
  public:
    PrimitiveStep(dnnl::primitive primitive, std::vector<PrimitiveArg> args,
                  size_t scratchpad_bytes);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;
    size_t scratchpad_bytes() const override { return m_scratchpad_bytes; }

  private:
    dnnl::primitive m_primitive;
    std::vector<PrimitiveArg> m_args;
    size_t m_scratchpad_bytes;
};

// Runs a node's reference kernel on plain-layout values. `kernel_outputs` are the types and
// shapes the kernel produces from f32 inputs; where they differ from the values' the results
// are converted.
class ReferenceStep : public Step {
  public:
    ReferenceStep(const graph::Node& node, std::vector<ValueId> inputs,
                  std::vector<ValueId> outputs, std::vector<graph::PortType> kernel_outputs);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    friend class ReferenceInstance;
    const graph::Node& m_node;
    std::vector<ValueId> m_inputs;
    std::vector<ValueId> m_outputs;
    std::vector<graph::PortType> m_kernel_outputs;
    bool m_dynamic_outputs = false;  // some output shape depends on the input values
};

// Converts a plain f16 value to a plain f32 one (oneDNN 2.6 has only a scalar reorder for f16
// where the CPU lacks AVX512-FP16): with F16C where the CPU has it.
class HalfToFloatStep : public Step {
  public:
    HalfToFloatStep(ValueId src, ValueId dst);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    ValueId m_src;
    ValueId m_dst;
};

// Copies a plain value of a type oneDNN lacks (i64 …) into another.
class CopyStep : public Step {
  public:
    CopyStep(ValueId src, ValueId dst);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    ValueId m_src;
    ValueId m_dst;
};

// Moves the kh×kw blocks of a [N, C·kh·kw, H, W] NHWC value (channel (ky·kw + kx)·C + c) to
// their places in a [N, C, H·kh, W·kw] NHWC value: what a stride = kernel deconvolution
// computed as a 1×1 convolution writes (a pixel shuffle).
class PixelShuffleStep : public Step {
  public:
    // `src` is f32; `dst` of `dst_type` (f32, or u8 and i8 where `src` holds integers).
    PixelShuffleStep(ValueId src, ValueId dst, const Shape& dst_shape, int64_t kh, int64_t kw,
                     ElementType dst_type);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    template <typename T>
    friend class PixelShuffleInstance;
    ValueId m_src;
    ValueId m_dst;
    Shape m_dst_shape;
    int64_t m_kh;
    int64_t m_kw;
    ElementType m_dst_type;
};

// linear_onnx resampling of two adjacent axes of a plain f32 value: [outer, H, W, inner] to
// [outer, H', W', inner], each output position blending the four source positions its taps name
// (inner = the channels of an NHWC tensor, read contiguously).
class BilinearStep : public Step {
  public:
    // Per output row (y_taps) and column (x_taps): two source positions and their weights.
    struct Taps {
        std::vector<int64_t> index;  // 2 per output position
        std::vector<float> weight;
    };
    BilinearStep(ValueId src, ValueId dst, int64_t outer, int64_t src_height, int64_t src_width,
                 int64_t inner, Taps y_taps, Taps x_taps);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    friend class BilinearInstance;
    ValueId m_src;
    ValueId m_dst;
    int64_t m_outer;
    int64_t m_src_height;
    int64_t m_src_width;
    int64_t m_inner;
    Taps m_y;
    Taps m_x;
};

// Pad of a f32 value: copies and fills of runs of elements, made once from the source's layout
// and the destination's.
class PadStep : public Step {
  public:
    // dst elements [dst_offset, dst_offset + length) copy src elements from src_offset, or take
    // `value` where src_offset is -1.
    struct Run {
        int64_t dst_offset;
        int64_t length;
        int64_t src_offset;
        float value;
    };
    PadStep(ValueId src, ValueId dst, std::vector<Run> runs, bool parallel);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

  private:
    friend class PadInstance;
    ValueId m_src;
    ValueId m_dst;
    std::vector<Run> m_runs;
    bool m_parallel;  // large enough to share between threads
};

// An int8 convolution with at most 4 output channels and 4, 8 or 16 input channels, where
// oneDNN 2.6 computes 16 output channels for each one asked (the last layers of super-resolution
// and segmentation networks, megapixels wide): the 8-bit products of 16 lanes at once with
// AVX-512 VNNI, each lane one input pixel's group of 4 channels. Reads u8 NHWC, writes f32 NCHW or
// NHWC:
//   dst[oc] = scales[oc] * sum (q - zero_point) * w[oc] + bias[oc]
// with padding taken as real zeros, stride and dilation 1.
class NarrowConvolutionStep : public Step {
  public:
    struct Geometry {
        Shape src;  // N, C, H, W
        Shape dst;
        int64_t pad_top = 0;
        int64_t pad_left = 0;
        bool channels_last = false;  // the destination NHWC, else NCHW
    };
    // `weights`: s8 [OC, C, KH, KW].
    NarrowConvolutionStep(ValueId src, ValueId dst, Geometry geometry, const Tensor& weights,
                          std::vector<float> scales, std::vector<float> bias, int32_t zero_point);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;

    // Whether the step computes a convolution of these shapes (and kernel, stride 1) here.
    static bool fits(const Shape& src, const Shape& dst, const Shape& weights);

  private:
    friend class NarrowConvolutionInstance;
    ValueId m_src;
    ValueId m_dst;
    Geometry m_geometry;
    int64_t m_kh;
    int64_t m_kw;
    std::vector<int8_t> m_lanes;      // per (oc, ky, kx): its C weights repeated over 64 bytes
    std::vector<int32_t> m_row_sums;  // per (oc, ky): the sum of its weights
    std::vector<float> m_scales;
    std::vector<float> m_bias;
    int32_t m_zero_point;
};

}  // namespace es::devices::cpu
