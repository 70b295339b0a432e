#include "devices/gpu/kernels.h"

namespace es::devices::gpu {

// f32 values in plain row-major layouts; one work item per output value.
const char* const k_kernel_source = R"CL(
// f(x) for the activation `op` (-1: none); alpha and beta are its attributes.
float activate(float x, int op, float alpha, float beta) {
    switch (op) {
        case -1: return x;
        case 0: return x > 0.0f ? x : 0.0f;
        case 1: return fmin(fmax(x, alpha), beta);
        case 2: return 1.0f / (1.0f + exp(-x));
        case 3: return tanh(x);
        case 4: return exp(x);
        case 5: return x > 0.0f ? x : alpha * (exp(x) - 1.0f);
        case 6: return x * fmin(fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
        case 7: return fmin(fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
        case 8: return x / (1.0f + exp(-alpha * x));
        case 9: return fabs(x);
        case 10: return sqrt(x);
        case 11: return log(x);
        case 12: return -x;
        case 13: return x > 20.0f ? x : log1p(exp(x));
        case 14: return x * tanh(x > 20.0f ? x : log1p(exp(x)));
        case 15: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
        case 16: return 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
        case 17: return floor(x);
        default: return ceil(x);
    }
}

// dst = f(src) (activate). Global size: the element count.
__kernel void unary(__global const float* src, __global float* dst, int op, float alpha,
                    float beta) {
    const size_t index = get_global_id(0);
    dst[index] = activate(src[index], op, alpha, beta);
}

// src [N, C, H, W] * weights [OC, C / groups, KH, KW] (+ bias [OC] where has_bias), then the
// activation `act` -> dst [N, OC, OH, OW]; global size (OW, OH, N * OC).
__kernel void convolution(__global const float* src, __global const float* weights,
                          __global const float* bias, __global float* dst, int has_bias, int act,
                          float alpha, float beta, int channels, int height, int width,
                          int out_channels, int out_height, int out_width, int kernel_h,
                          int kernel_w, int stride_h, int stride_w, int dilation_h,
                          int dilation_w, int pad_top, int pad_left, int groups) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int image_channel = get_global_id(2);
    const int oc = image_channel % out_channels;
    const int n = image_channel / out_channels;
    const int group_in = channels / groups;
    const int group = oc / (out_channels / groups);
    __global const float* w = weights + (size_t)oc * group_in * kernel_h * kernel_w;
    __global const float* s = src + ((size_t)n * channels + group * group_in) * height * width;
    float sum = 0.0f;
    for (int c = 0; c < group_in; ++c) {
        for (int ky = 0; ky < kernel_h; ++ky) {
            const int iy = y * stride_h - pad_top + ky * dilation_h;
            if (iy < 0 || iy >= height) continue;
            for (int kx = 0; kx < kernel_w; ++kx) {
                const int ix = x * stride_w - pad_left + kx * dilation_w;
                if (ix < 0 || ix >= width) continue;
                sum += s[((size_t)c * height + iy) * width + ix] *
                       w[(c * kernel_h + ky) * kernel_w + kx];
            }
        }
    }
    if (has_bias) sum += bias[oc];
    dst[((size_t)image_channel * out_height + y) * out_width + x] = activate(sum, act, alpha, beta);
}

// As convolution, four output channels of one group per work item, each input value read
// once for the four; global size (OW, OH, N * OC / 4).
__kernel void convolution4(__global const float* src, __global const float* weights,
                           __global const float* bias, __global float* dst, int has_bias, int act,
                           float alpha, float beta, int channels, int height, int width,
                           int out_channels, int out_height, int out_width, int kernel_h,
                           int kernel_w, int stride_h, int stride_w, int dilation_h,
                           int dilation_w, int pad_top, int pad_left, int groups) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int quads = out_channels / 4;
    const int oc = get_global_id(2) % quads * 4;
    const int n = get_global_id(2) / quads;
    const int group_in = channels / groups;
    const int group = oc / (out_channels / groups);
    const int filter = group_in * kernel_h * kernel_w;
    __global const float* w = weights + (size_t)oc * filter;
    __global const float* s = src + ((size_t)n * channels + group * group_in) * height * width;
    float4 sum = (float4)(0.0f);
    for (int c = 0; c < group_in; ++c) {
        for (int ky = 0; ky < kernel_h; ++ky) {
            const int iy = y * stride_h - pad_top + ky * dilation_h;
            if (iy < 0 || iy >= height) continue;
            for (int kx = 0; kx < kernel_w; ++kx) {
                const int ix = x * stride_w - pad_left + kx * dilation_w;
                if (ix < 0 || ix >= width) continue;
                const float v = s[((size_t)c * height + iy) * width + ix];
                const int k = (c * kernel_h + ky) * kernel_w + kx;
                sum += v * (float4)(w[k], w[filter + k], w[2 * filter + k], w[3 * filter + k]);
            }
        }
    }
    if (has_bias) sum += (float4)(bias[oc], bias[oc + 1], bias[oc + 2], bias[oc + 3]);
    const size_t plane = (size_t)out_height * out_width;
    __global float* d = dst + ((size_t)n * out_channels + oc) * plane + (size_t)y * out_width + x;
    d[0] = activate(sum.x, act, alpha, beta);
    d[plane] = activate(sum.y, act, alpha, beta);
    d[2 * plane] = activate(sum.z, act, alpha, beta);
    d[3 * plane] = activate(sum.w, act, alpha, beta);
}

// dst = a op b with a and b broadcast to dst's shape: `layout` holds dst's 6 dimensions, then
// a's and b's strides along them (0 where broadcast). Global size: dst's element count.
__kernel void binary(__global const float* a, __global const float* b, __global float* dst,
                     __global const int* layout, int op) {
    const size_t index = get_global_id(0);
    size_t rest = index;
    size_t at_a = 0;
    size_t at_b = 0;
    for (int d = 5; d >= 0; --d) {
        const size_t k = rest % layout[d];
        rest /= layout[d];
        at_a += k * layout[6 + d];
        at_b += k * layout[12 + d];
    }
    const float x = a[at_a];
    const float y = b[at_b];
    float r;
    switch (op) {
        case 0: r = x + y; break;
        case 1: r = x - y; break;
        case 2: r = x * y; break;
        case 3: r = x / y; break;
        case 4: r = fmax(x, y); break;
        case 5: r = fmin(x, y); break;
        case 6: r = (x - y) * (x - y); break;
        case 7: r = pow(x, y); break;
        default: r = x < 0.0f ? x * y : x; break;  // PReLU
    }
    dst[index] = r;
}

// FakeQuantize-1 with ranges per channel: `ranges` holds in_low, in_high, out_low, out_high, each
// for `channels` channels (1: the whole tensor) of `inner` values. Rounds halves to even.
// Global size: the element count.
__kernel void fake_quantize(__global const float* src, __global float* dst,
                            __global const float* ranges, int channels, int inner, float steps) {
    const size_t index = get_global_id(0);
    const int c = channels == 1 ? 0 : (int)(index / inner % channels);
    const float in_low = ranges[c];
    const float in_high = ranges[channels + c];
    const float out_low = ranges[2 * channels + c];
    const float out_high = ranges[3 * channels + c];
    const float x = src[index];
    float r;
    if (x <= fmin(in_low, in_high))
        r = out_low;
    else if (x > fmax(in_low, in_high))
        r = out_high;
    else
        r = rint((x - in_low) / (in_high - in_low) * steps) / steps * (out_high - out_low) +
            out_low;
    dst[index] = r;
}

// dst in order from src read with other strides (a Transpose): `layout` holds dst's 6
// dimensions, then src's stride along each. Global size: the element count.
__kernel void strided_copy(__global const float* src, __global float* dst,
                           __global const int* layout) {
    const size_t index = get_global_id(0);
    size_t rest = index;
    size_t at = 0;
    for (int d = 5; d >= 0; --d) {
        at += rest % layout[d] * layout[6 + d];
        rest /= layout[d];
    }
    dst[index] = src[at];
}

// Max or mean over windows of src [N * C, H, W] -> dst [N * C, OH, OW]; taps outside the input
// are skipped. The mean divides by the taps inside, or by the kernel size where `by_kernel`.
// Global size (OW, OH, N * C).
__kernel void pooling(__global const float* src, __global float* dst, int height, int width,
                      int out_height, int out_width, int kernel_h, int kernel_w, int stride_h,
                      int stride_w, int dilation_h, int dilation_w, int pad_top, int pad_left,
                      int is_max, int by_kernel) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const int plane = get_global_id(2);
    __global const float* s = src + (size_t)plane * height * width;
    float result = is_max ? -INFINITY : 0.0f;
    int count = 0;
    for (int ky = 0; ky < kernel_h; ++ky) {
        const int iy = y * stride_h - pad_top + ky * dilation_h;
        if (iy < 0 || iy >= height) continue;
        for (int kx = 0; kx < kernel_w; ++kx) {
            const int ix = x * stride_w - pad_left + kx * dilation_w;
            if (ix < 0 || ix >= width) continue;
            const float v = s[iy * width + ix];
            result = is_max ? fmax(result, v) : result + v;
            ++count;
        }
    }
    if (!is_max) {
        if (by_kernel) count = kernel_h * kernel_w;
        result = count == 0 ? 0.0f : result / (float)count;
    }
    dst[((size_t)plane * out_height + y) * out_width + x] = result;
}

// x / sqrt(sum(x²) + eps) (or / sqrt(max(sum(x²), eps)) where eps_max), summing along an axis of
// `axis_size` values `inner` apart; global size (inner, outer).
__kernel void normalize_l2(__global const float* src, __global float* dst, int axis_size,
                           float eps, int eps_max) {
    const size_t inner = get_global_size(0);
    const size_t first = get_global_id(1) * axis_size * inner + get_global_id(0);
    float sum = 0.0f;
    for (int k = 0; k < axis_size; ++k) {
        const float v = src[first + k * inner];
        sum += v * v;
    }
    const float scale = 1.0f / sqrt(eps_max ? fmax(sum, eps) : sum + eps);
    for (int k = 0; k < axis_size; ++k)
        dst[first + k * inner] = src[first + k * inner] * scale;
}

// Sum (0), mean (1), max (2), min (3) or product (4) along an axis of `axis_size` values
// `inner` apart; global size (inner, outer).
__kernel void reduce(__global const float* src, __global float* dst, int axis_size, int op) {
    const size_t inner = get_global_size(0);
    const size_t first = get_global_id(1) * axis_size * inner + get_global_id(0);
    float r = op == 2 ? -INFINITY : op == 3 ? INFINITY : op == 4 ? 1.0f : 0.0f;
    for (int k = 0; k < axis_size; ++k) {
        const float v = src[first + k * inner];
        r = op == 2 ? fmax(r, v) : op == 3 ? fmin(r, v) : op == 4 ? r * v : r + v;
    }
    if (op == 1) r /= (float)axis_size;
    dst[get_global_id(1) * inner + get_global_id(0)] = r;
}

// dst[b, m, n] = sum over k of a[b, m, k] * b[b, k, n], each read through its strides (0 for a
// matrix that every batch shares); global size (N, M, batches).
__kernel void matmul(__global const float* a, __global const float* b, __global float* dst,
                     int depth, int a_batch, int a_row, int a_col, int b_batch, int b_row,
                     int b_col) {
    const int n = get_global_id(0);
    const int m = get_global_id(1);
    const int batch = get_global_id(2);
    __global const float* left = a + (size_t)batch * a_batch + (size_t)m * a_row;
    __global const float* right = b + (size_t)batch * b_batch + (size_t)n * b_col;
    float sum = 0.0f;
    for (int k = 0; k < depth; ++k)
        sum += left[k * a_col] * right[k * b_row];
    dst[((size_t)batch * get_global_size(1) + m) * get_global_size(0) + n] = sum;
}

// Resamples src [N * C, H, W] to dst [N * C, OH, OW]: output row y reads the input rows
// y_index[k] with weights y_weight[k] for k in y_offsets[y] .. y_offsets[y + 1], and so for
// columns. Global size (OW, OH, N * C).
__kernel void resize(__global const float* src, __global float* dst,
                     __global const int* y_offsets, __global const int* y_index,
                     __global const float* y_weight, __global const int* x_offsets,
                     __global const int* x_index, __global const float* x_weight, int height,
                     int width) {
    const int x = get_global_id(0);
    const int y = get_global_id(1);
    const size_t plane = get_global_id(2);
    __global const float* s = src + plane * height * width;
    float sum = 0.0f;
    for (int i = y_offsets[y]; i < y_offsets[y + 1]; ++i) {
        float row = 0.0f;
        for (int j = x_offsets[x]; j < x_offsets[x + 1]; ++j)
            row += x_weight[j] * s[y_index[i] * width + x_index[j]];
        sum += y_weight[i] * row;
    }
    dst[(plane * get_global_size(1) + y) * get_global_size(0) + x] = sum;
}

// Softmax along an axis of `axis_size` values `inner` apart; global size (inner, outer).
__kernel void softmax(__global const float* src, __global float* dst, int axis_size) {
    const size_t inner = get_global_size(0);
    const size_t first = get_global_id(1) * axis_size * inner + get_global_id(0);
    float largest = -INFINITY;
    for (int k = 0; k < axis_size; ++k)
        largest = fmax(largest, src[first + k * inner]);
    float sum = 0.0f;
    for (int k = 0; k < axis_size; ++k) {
        const float e = exp(src[first + k * inner] - largest);
        dst[first + k * inner] = e;
        sum += e;
    }
    for (int k = 0; k < axis_size; ++k)
        dst[first + k * inner] /= sum;
}
)CL";

}  // namespace es::devices::gpu
