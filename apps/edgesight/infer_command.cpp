#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/core/npy.h"
#include "inference/runtime/core.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <set>

namespace es::app {
namespace {

struct InferOptions {
    std::string model;
    std::vector<std::string> inputs;
    std::string image;
    std::string output_dir;
    std::vector<std::string> add_outputs;
    std::vector<std::string> shapes;
    std::string device = "AUTO";
    ImportOptions import;
};

// The Open Model Zoo convention: resized to the input's H×W, BGR, 0..255 as float; NCHW, or NHWC
// for inputs shaped [N,H,W,3] or [N,H,W,1] (Keras and TensorFlow exports). One image: batch 1.
Tensor image_tensor(const std::string& path, const runtime::PortInfo& input) {
    const auto& shape = input.type.shape;
    const bool rank4 = shape.rank_known() && shape.rank() == 4;
    const bool nchw = rank4 && (shape[1] == 3 || shape[1] == 1) && shape[2] > 0 && shape[3] > 0;
    const bool nhwc =
        !nchw && rank4 && (shape[3] == 3 || shape[3] == 1) && shape[1] > 0 && shape[2] > 0;
    if (!nchw && !nhwc)
        throw_bad_input(
            "--image: input '{}' has shape {}; expected [N,3,H,W], [N,1,H,W], [N,H,W,3] or "
            "[N,H,W,1] with known H and W (use --shape)",
            input.name, to_string(shape));
    const int64_t channels = nchw ? shape[1] : shape[3];
    const bool gray = channels == 1;
    cv::Mat image = cv::imread(path, gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (image.empty()) throw_bad_input("--image {}: cannot read the image", path);
    const int height = static_cast<int>(nchw ? shape[2] : shape[1]);
    const int width = static_cast<int>(nchw ? shape[3] : shape[2]);
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(width, height));
    Tensor tensor(ElementType::f32,
                  nchw ? Shape{1, channels, height, width} : Shape{1, height, width, channels});
    float* data = tensor.data<float>();
    for (int y = 0; y < height; ++y) {
        const auto* row = resized.ptr<uint8_t>(y);
        for (int x = 0; x < width; ++x)
            for (int64_t c = 0; c < channels; ++c) {
                const size_t at = nchw ? static_cast<size_t>((c * height + y) * width + x)
                                       : static_cast<size_t>((y * width + x) * channels + c);
                data[at] = static_cast<float>(row[x * channels + c]);
            }
    }
    return tensor;
}

// The input `--image` fills: the only one, else the only image-shaped one among those not
// `given` by name with `--input` (such as a recognizer's sequence indicator, a detector's image
// info, or the upscaled image beside a super-resolution model's input).
size_t image_input(const std::vector<runtime::PortInfo>& inputs, const std::set<size_t>& given) {
    if (inputs.size() == 1) return 0;
    std::vector<size_t> images;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (given.count(i)) continue;
        const auto& shape = inputs[i].type.shape;
        if (shape.rank_known() && shape.rank() == 4 &&
            (shape[1] == 3 || shape[1] == 1 || shape[3] == 3 || shape[3] == 1))
            images.push_back(i);
    }
    if (images.size() != 1)
        throw_bad_input(
            "--image needs a model with one input, or one [N,3,H,W] or [N,1,H,W] input among "
            "several; this one has {} inputs, {} of them image-shaped",
            inputs.size(), images.size());
    return images[0];
}

int run_infer(const InferOptions& options) {
    auto model = std::make_shared<graph::Model>(load_model(options.model, options.import));
    apply_shape_overrides(*model, options.shapes);
    for (const auto& layer : options.add_outputs)
        graph::add_outputs(*model, layer);

    const runtime::Core core(devices::make_registry());
    const runtime::CompiledModel compiled = core.compile(model, options.device);
    runtime::InferRequest request = compiled.create_infer_request();

    if (!options.image.empty()) {
        std::set<size_t> given;
        for (size_t i = 0; i < options.inputs.size(); ++i) {
            const std::string& argument = options.inputs[i];
            const size_t equals = argument.find('=');
            if (equals != std::string::npos && !std::filesystem::exists(argument))
                given.insert(request.input_index(argument.substr(0, equals)));
        }
        const size_t index = image_input(compiled.inputs(), given);
        request.set_input(index, image_tensor(options.image, compiled.inputs()[index]));
    }
    for (size_t i = 0; i < options.inputs.size(); ++i) {
        const std::string& argument = options.inputs[i];
        const size_t equals = argument.find('=');
        const bool named = equals != std::string::npos && !std::filesystem::exists(argument);
        const size_t index = named ? request.input_index(argument.substr(0, equals)) : i;
        if (index >= compiled.inputs().size())
            throw_bad_input("--input {}: the model has only {} inputs", argument,
                            compiled.inputs().size());
        const Tensor tensor = read_npy(named ? argument.substr(equals + 1) : argument);
        try {
            request.set_input(index, tensor);
        } catch (const Error& error) {
            rethrow_with_context(error, "--input " + argument);
        }
    }
    request.infer();

    std::filesystem::create_directories(options.output_dir);
    for (size_t i = 0; i < compiled.outputs().size(); ++i) {
        const auto& port = compiled.outputs()[i];
        const auto path =
            std::filesystem::path(options.output_dir) / (file_name_for(port.name) + ".npy");
        const Tensor& output = request.output(i);
        write_npy(path, output);
        fmt::print("{} {}{} -> {}\n", port.name, to_string(output.type()),
                   to_string(output.shape()), path.string());
    }
    return 0;
}

}  // namespace

CommandRunner add_infer_command(CLI::App& app) {
    auto options = std::make_shared<InferOptions>();
    CLI::App* command = app.add_subcommand("infer", "Run a model once on .npy inputs or an image");
    command->add_option("MODEL", options->model, "IR .xml")->required();
    command->add_option("--input", options->inputs, "[NAME=]FILE.npy, one per model input");
    command->add_option("--image", options->image,
                        "An image for the model's image input: resized to H×W, BGR, 0..255, NCHW");
    command->add_option("--output-dir", options->output_dir, "Where <output name>.npy files go")
        ->required();
    command->add_option("--add-output", options->add_outputs,
                        "Also write the outputs of this inner layer");
    command->add_option("--shape", options->shapes, "Override an input shape: [NAME=]1,3,H,W");
    command->add_option("--device", options->device, "AUTO or a device from `edgesight devices`");
    add_extensions_option(*command, options->import);
    return [options] { return run_infer(*options); };
}

}  // namespace es::app
