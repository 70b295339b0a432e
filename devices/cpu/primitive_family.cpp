#include "devices/cpu/primitive_family.h"

namespace es::devices::cpu {

const std::vector<LoweringEntry>& lowerings() {
    static const std::vector<LoweringEntry> list = {
        {"Convolution", lower_int8_convolution},
        {"Convolution", lower_convolution},
        {"GroupConvolution", lower_int8_convolution},
        {"GroupConvolution", lower_convolution},
        {"ConvolutionBackpropData", lower_deconvolution},
        {"GroupConvolutionBackpropData", lower_deconvolution},
        {"MaxPool", lower_pooling},
        {"AvgPool", lower_pooling},
        {"ReduceMean", lower_reduction},
        {"ReduceMax", lower_reduction},
        {"ReduceSum", lower_reduction},
        {"ReduceMin", lower_reduction},
        {"ReduceProd", lower_reduction},
        {"MatMul", lower_matmul},
        {"Add", lower_binary},
        {"Subtract", lower_binary},
        {"Multiply", lower_binary},
        {"Divide", lower_binary},
        {"Maximum", lower_binary},
        {"Minimum", lower_binary},
        {"PReLU", lower_eltwise},
        {"PReLU", lower_prelu},
        {"Concat", lower_concat},
        {"Softmax", lower_softmax},
        {"SoftMax", lower_softmax},
        {"Transpose", lower_transpose},
        {"Interpolate", lower_interpolate},
        {"Reshape", lower_reshape},
        {"Squeeze", lower_reshape},
        {"Unsqueeze", lower_reshape},
        {"Convert", lower_float_convert},
        {"ReLU", lower_eltwise},
        {"Clamp", lower_eltwise},
        {"Elu", lower_eltwise},
        {"Sigmoid", lower_eltwise},
        {"Tanh", lower_eltwise},
        {"Swish", lower_eltwise},
        {"HSwish", lower_eltwise},
        {"HSigmoid", lower_eltwise},
        {"Exp", lower_eltwise},
        {"Log", lower_eltwise},
        {"Sqrt", lower_eltwise},
        {"Abs", lower_eltwise},
        {"Negative", lower_eltwise},
        {"Mish", lower_eltwise},
        {"SoftPlus", lower_eltwise},
        {"Gelu", lower_eltwise},
        {"FakeQuantize", lower_eltwise},
    };
    return list;
}

}  // namespace es::devices::cpu
