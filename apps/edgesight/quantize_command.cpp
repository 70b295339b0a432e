#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "apps/edgesight/request_timing.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/ir/ir.h"
#include "inference/quantize/accuracy_control.h"
#include "inference/quantize/layer_timing.h"
#include "pipeline/calibration/calibration_frames.h"
#include "pipeline/calibration/model_agreement.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace es::app {
namespace {

// Every k_held_out_stride-th frame measures the drop; the others calibrate. No frame does both.
constexpr size_t k_held_out_stride = 4;
constexpr double k_timing_seconds = 3;
// Frames the depthwise layers are timed on, per model.
constexpr size_t k_timed_frames = 10;
constexpr const char* k_device = "CPU";

struct QuantizeOptions {
    std::string model;
    std::string output;
    std::string calibration;
    size_t subset = 300;
    std::string config;
    std::string pipeline;
    std::string preset = "performance";
    std::vector<std::string> ignored_scope;
    double max_drop = 0.01;
    std::string metric = "auto";
    std::string ranges = "minmax";
    ImportOptions import;
};

const pipeline::PipelineConfig* find_pipeline(const pipeline::Config& config,
                                              const QuantizeOptions& options) {
    if (options.config.empty()) {
        if (!options.pipeline.empty()) throw_bad_input("--pipeline needs --config");
        return nullptr;
    }
    if (options.pipeline.empty()) throw_bad_input("--config needs --pipeline NAME");
    for (const auto& pipeline : config.pipelines)
        if (pipeline.name == options.pipeline) return &pipeline;
    std::vector<std::string> names;
    for (const auto& pipeline : config.pipelines)
        names.push_back(pipeline.name);
    throw_bad_input("--pipeline {}: {} has no such pipeline (it has: {})", options.pipeline,
                    options.config, fmt::join(names, ", "));
}

void validate(const QuantizeOptions& options) {
    if (std::filesystem::path(options.output).extension() != ".xml")
        throw_bad_input("-o {}: the output must end in .xml", options.output);
    if (!(options.max_drop >= 0 && options.max_drop < 1))
        throw_bad_input("--max-drop {}: expected a number in [0, 1)", options.max_drop);
    if (options.subset < 2)
        throw_bad_input(
            "--subset {}: expected at least 2 frames (some calibrate, some are held "
            "out)",
            options.subset);
}

void check_float(const graph::Model& model, const std::string& path) {
    for (const auto& node : model.nodes())
        if (node->type == "FakeQuantize")
            throw_bad_input("{}: already quantized ({} has FakeQuantize)", path, node->describe());
}

// Frames per second as `edgesight bench` measures them (throughput hint).
double throughput(const runtime::Core& core, const graph::Model& model) {
    const runtime::CompiledModel compiled =
        core.compile(std::make_shared<graph::Model>(model.clone()), k_device,
                     {.hint = runtime::PerformanceHint::throughput, .batch = 1});
    const RequestTiming timing =
        time_requests(compiled, compiled.optimal_nireq(), k_timing_seconds, false);
    return static_cast<double>(timing.latencies_ms.size()) * 1000.0 / timing.duration_ms;
}

void print_layers(const std::vector<quantize::Layer>& layers) {
    size_t quantized = 0;
    for (const auto& layer : layers)
        quantized += layer.quantized() ? 1 : 0;
    fmt::print("layers: {} of {} convolutions in int8\n", quantized, layers.size());
    for (const auto& layer : layers)
        if (!layer.quantized())
            fmt::print("  float  {:<48} {:<17} {}\n", layer.name, layer.type, layer.float_reason);
}

int run_quantize(const QuantizeOptions& options) {
    validate(options);
    const auto device_names = devices::device_names();
    const pipeline::Config config = options.config.empty()
                                        ? pipeline::Config{}
                                        : pipeline::parse_config(options.config, device_names);
    const pipeline::PipelineConfig* pipeline = find_pipeline(config, options);

    const graph::Model model = load_model(options.model, options.import);
    check_float(model, options.model);
    quantize::QuantizeOptions plan{
        .preset =
            options.preset == "mixed" ? quantize::Preset::mixed : quantize::Preset::performance,
        .ignored_scope = options.ignored_scope,
        .ranges = options.ranges == "percentile" ? quantize::RangeMethod::percentile
                                                 : quantize::RangeMethod::min_max};
    std::vector<quantize::Layer> layers = quantize::find_layers(model, plan);
    if (layers.empty())
        throw_bad_input("{}: no Convolution or GroupConvolution with constant weights to quantize",
                        options.model);
    if (std::none_of(layers.begin(), layers.end(), [](const auto& l) { return l.quantized(); }))
        throw_bad_input("{}: every convolution is left in float (heads, --ignored-scope, preset)",
                        options.model);

    const runtime::Core core(devices::make_registry());
    const runtime::CompiledModel float_model = quantize::compile_for_samples(core, model, k_device);
    const auto frames = pipeline::sample_frames(options.calibration, options.subset);
    const auto prepared = pipeline::to_samples(
        frames, pipeline ? pipeline->model.preprocess : pipeline::PreprocessConfig{},
        float_model.inputs());
    std::vector<quantize::Sample> calibration_samples;
    std::vector<quantize::Sample> held_out;
    // With fewer frames than the stride, the last one is held out.
    const size_t count = prepared.samples.size();
    for (size_t i = 0; i < count; ++i)
        (i % k_held_out_stride == k_held_out_stride - 1 ||
                 (count < k_held_out_stride && i + 1 == count)
             ? held_out
             : calibration_samples)
            .push_back(prepared.samples[i]);

    const pipeline::ModelAgreement agreement(
        options.metric,
        pipeline ? std::optional(pipeline::DecoderOptions::from(pipeline->model)) : std::nullopt,
        float_model.outputs(), prepared.input_width, prepared.input_height,
        quantize::run_samples(float_model, held_out));
    const quantize::Calibration calibration =
        quantize::calibrate(core, model, layers, calibration_samples, plan.ranges, k_device);
    const size_t timed_frames = std::min<size_t>(calibration_samples.size(), k_timed_frames);
    const auto times = quantize::leave_slower_layers_in_float(
        core, model, layers, calibration, std::span(calibration_samples).first(timed_frames),
        k_device);
    const auto evaluate = [&](const graph::Model& candidate) {
        const runtime::CompiledModel compiled =
            quantize::compile_for_samples(core, candidate, k_device);
        return agreement.score(quantize::run_samples(compiled, held_out));
    };
    quantize::ControlResult result =
        quantize::control_accuracy(model, layers, calibration, evaluate, options.max_drop);

    fmt::print("{} -> {}\n", options.model, options.output);
    fmt::print("frames: {} calibrate, {} held out, from {}\n", calibration_samples.size(),
               held_out.size(), options.calibration);
    fmt::print("metric: {} on the held-out frames, against the float model's outputs\n",
               pipeline::to_string(agreement.metric()));
    fmt::print(
        "  float 1.0000  int8 {:.4f}  drop {:.4f}  (limit {:.4f}; {:.4f} before accuracy "
        "control)\n",
        result.agreement, 1 - result.agreement, options.max_drop, result.first_agreement);
    if (agreement.metric() == pipeline::AgreementMetric::detection && !agreement.has_truths())
        fmt::print(
            "  the float model detects nothing on the held-out frames: the metric is the "
            "share of them where the int8 model detects nothing either\n");
    if (agreement.metric() != pipeline::AgreementMetric::detection)
        fmt::print("  output SNR {:.1f} dB\n",
                   quantize::signal_to_noise_db(
                       agreement.reference(),
                       quantize::run_samples(
                           quantize::compile_for_samples(core, result.model, k_device), held_out)));
    fmt::print("  bias correction: {}\n",
               result.bias_corrected ? "applied" : "left out (the outputs agree better without)");
    if (!times.empty()) {
        double float_ms = 0;
        double int8_ms = 0;
        for (const auto& [name, timed] : times) {
            float_ms += timed.float_ms;
            int8_ms += timed.int8_ms;
        }
        fmt::print(
            "depthwise layers timed on one thread: {}, {:.3f} ms per frame in float, "
            "{:.3f} ms in int8\n",
            times.size(), float_ms, int8_ms);
    }
    print_layers(layers);
    if (!result.holds) {
        fmt::print(
            "the drop stays above --max-drop {} with only one layer in int8: nothing "
            "written\n",
            options.max_drop);
        return 1;
    }
    const std::filesystem::path output(options.output);
    if (!output.parent_path().empty()) std::filesystem::create_directories(output.parent_path());
    ir::write_model(result.model, output);

    const double float_fps = throughput(core, model);
    const double int8_fps = throughput(core, result.model);
    fmt::print("speed on {} (throughput, {} s each): float {:.1f} fps, int8 {:.1f} fps ({:.2f}x)\n",
               k_device, k_timing_seconds, float_fps, int8_fps, int8_fps / float_fps);
    return 0;
}

}  // namespace

CommandRunner add_quantize_command(CLI::App& app) {
    auto options = std::make_shared<QuantizeOptions>();
    CLI::App* command = app.add_subcommand(
        "quantize", "INT8 post-training quantization calibrated on frames, with an accuracy gate");
    command
        ->add_option("MODEL", options->model,
                     "FP32/FP16 IR .xml, .onnx, TensorFlow .pb, SavedModel directory or TF.js "
                     "model.json")
        ->required();
    command->add_option("-o,--output", options->output, "OUT.xml (OUT.bin is written beside it)")
        ->required();
    command
        ->add_option("--calibration,--calib", options->calibration,
                     "A folder of images, a video file or a source URI")
        ->required();
    command->add_option("--subset", options->subset,
                        "Frames to sample evenly from the source (default 300); every 4th is "
                        "held out to measure the drop");
    command->add_option("--config", options->config,
                        "A pipeline config: preprocess frames and decode outputs as it does");
    command->add_option("--pipeline", options->pipeline, "The pipeline of --config");
    command->add_option("--preset", options->preset, "performance (default) or mixed")
        ->check(CLI::IsMember({"performance", "mixed"}));
    command->add_option("--ignored-scope", options->ignored_scope,
                        "Layer names or op types to leave in float (repeatable)");
    command->add_option("--max-drop", options->max_drop,
                        "Largest drop of the metric accepted (default 0.01)");
    command->add_option("--metric", options->metric, "auto (default), top1, detection or cosine")
        ->check(CLI::IsMember({"auto", "top1", "detection", "cosine"}));
    command
        ->add_option("--ranges", options->ranges,
                     "Activation ranges: minmax (default) or percentile (99.99 %)")
        ->check(CLI::IsMember({"minmax", "percentile"}));
    add_model_options(*command, options->import);
    return [options] { return run_quantize(*options); };
}

}  // namespace es::app
