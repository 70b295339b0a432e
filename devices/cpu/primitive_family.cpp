#include "devices/cpu/primitive_family.h"

namespace es::devices::cpu {

const std::vector<LoweringEntry>& lowerings() {
    static const std::vector<LoweringEntry> list = {
        {"Convolution", lower_convolution},
        {"GroupConvolution", lower_convolution},
        {"ConvolutionBackpropData", lower_deconvolution},
        {"GroupConvolutionBackpropData", lower_deconvolution},
        {"Reshape", lower_reshape},
        {"Squeeze", lower_reshape},
        {"Unsqueeze", lower_reshape},
        {"Convert", lower_float_convert},
    };
    return list;
}

}  // namespace es::devices::cpu
