#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/core/npy.h"
#include "inference/runtime/core.h"
#include "pipeline/preprocess/image_inputs.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

namespace es::app {
namespace {

struct InferOptions {
    std::string model;
    std::vector<std::string> inputs;
    std::string image;
    std::string output_dir;
    std::vector<std::string> add_outputs;
    std::string device = "AUTO";
    ImportOptions import;
};

// `[NAME=]VALUE`: the name, when there is an `=` and the whole argument is no existing file.
std::pair<std::string, std::string> split_named(const std::string& argument) {
    const size_t equals = argument.find('=');
    if (equals == std::string::npos || std::filesystem::exists(argument)) return {"", argument};
    return {argument.substr(0, equals), argument.substr(equals + 1)};
}

int run_infer(const InferOptions& options) {
    auto model = std::make_shared<graph::Model>(load_model(options.model, options.import));
    for (const auto& layer : options.add_outputs)
        graph::add_outputs(*model, layer);

    const runtime::Core core(devices::make_registry());
    const runtime::CompiledModel compiled = core.compile(model, options.device);
    runtime::InferRequest request = compiled.create_infer_request();

    const auto& inputs = compiled.inputs();
    std::vector<bool> filled(inputs.size(), false);
    for (size_t i = 0; i < options.inputs.size(); ++i) {
        const std::string& argument = options.inputs[i];
        const auto [name, file] = split_named(argument);
        const size_t index = name.empty() ? i : request.input_index(name);
        if (index >= inputs.size())
            throw_bad_input("--input {}: the model has only {} inputs", argument, inputs.size());
        const Tensor tensor = read_npy(file);
        try {
            request.set_input(index, tensor);
        } catch (const Error& error) {
            rethrow_with_context(error, "--input " + argument);
        }
        filled[index] = true;
    }
    if (!options.image.empty()) {
        const auto [name, file] = split_named(options.image);
        const cv::Mat image = cv::imread(file, cv::IMREAD_COLOR);
        if (image.empty()) throw_bad_input("--image {}: cannot read the image", file);
        const std::optional<size_t> target =
            name.empty() ? std::nullopt : std::optional<size_t>(request.input_index(name));
        for (auto& feed : pipeline::image_feeds(image, inputs, target, filled)) {
            request.set_input(feed.input, feed.tensor);
            filled[feed.input] = true;
            fmt::print("{} <- {}\n", file, feed.note);
        }
    }
    pipeline::require_all_inputs(inputs, filled);
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
    command->add_option(
        "--image", options->image,
        "[NAME=]FILE: an image for input NAME (default: the image-like input with the fewest "
        "pixels), resized to its H×W, BGR, 0..255, NCHW or NHWC as its shape says; a "
        "super-resolution model's larger input gets it upscaled bicubically");
    command->add_option("--output-dir", options->output_dir, "Where <output name>.npy files go")
        ->required();
    command->add_option("--add-output", options->add_outputs,
                        "Also write the outputs of this inner layer");
    command->add_option("--device", options->device, "AUTO or a device from `edgesight devices`");
    add_model_options(*command, options->import);
    return [options] { return run_infer(*options); };
}

}  // namespace es::app
