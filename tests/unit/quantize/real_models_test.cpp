#include "devices/cpu/dnnl_util.h"
#include "devices/registry.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"
#include "inference/quantize/accuracy_control.h"
#include "pipeline/calibration/calibration_frames.h"
#include "pipeline/calibration/model_agreement.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <set>

using namespace es;
using namespace es::pipeline;

namespace {

const std::filesystem::path k_megamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";

const runtime::Core& core() {
    static const runtime::Core instance(devices::make_registry());
    return instance;
}

runtime::CompiledModel compile(const graph::Model& model) {
    return quantize::compile_for_samples(core(), model);
}

// What `edgesight quantize` does, on `frames`: every 4th held out.
struct Quantized;
double score(const Quantized& quantized, const graph::Model& candidate);

struct Quantized {
    std::unique_ptr<ModelAgreement> agreement;
    std::vector<quantize::Sample> held_out;
    std::vector<quantize::Layer> layers;
    quantize::ControlResult result;
};

Quantized quantize_on(const graph::Model& model, const std::vector<cv::Mat>& frames,
                      const PreprocessConfig& preprocess, std::optional<DecoderOptions> decoder,
                      double max_drop) {
    const auto float_model = compile(model);
    const auto prepared = to_samples(frames, preprocess, float_model.inputs());
    std::vector<quantize::Sample> calibration;
    Quantized quantized;
    for (size_t i = 0; i < prepared.samples.size(); ++i)
        (i % 4 == 3 ? quantized.held_out : calibration).push_back(prepared.samples[i]);
    quantized.agreement = std::make_unique<ModelAgreement>(
        "auto", decoder, float_model.outputs(), prepared.input_width, prepared.input_height,
        quantize::run_samples(float_model, quantized.held_out));
    quantized.layers = quantize::find_layers(model, {});
    const auto calibrated = quantize::calibrate(core(), model, quantized.layers, calibration,
                                                quantize::RangeMethod::min_max);
    quantized.result = quantize::control_accuracy(
        model, quantized.layers, calibrated,
        [&](const graph::Model& candidate) { return score(quantized, candidate); }, max_drop);
    return quantized;
}

double score(const Quantized& quantized, const graph::Model& candidate) {
    return quantized.agreement->score(
        quantize::run_samples(compile(candidate), quantized.held_out));
}

// The layers of `model` the CPU runs with 8-bit integers.
std::set<std::string> int8_layers(const graph::Model& model, const quantize::Sample& sample) {
    const auto compiled = core().compile(std::make_shared<graph::Model>(model.clone()), "CPU",
                                         {.batch = 1, .profile = true});
    runtime::InferRequest request = compiled.create_infer_request();
    request.set_input(0, sample[0]);
    request.infer();
    std::set<std::string> names;
    for (const auto& layer : request.layer_profile())
        if (layer.implementation.ends_with(" u8") || layer.implementation.ends_with(" s8"))
            names.insert(layer.name);
    return names;
}

graph::Model read_tfjs(const std::string& name) {
    const auto path =
        testing::fetched_models("the quantize tests") / "human-models" / "models" / name;
    graph::Model model = frontends::read_tf_model(path);
    passes::optimize(model);
    return model;
}

}  // namespace

TEST_CASE(
    "face-detection-retail-0004 quantized on Megamind agrees with its float model at least "
    "as well as Open Model Zoo's INT8 IR, every convolution in int8") {
    const auto dir = testing::shared_dir() / "models/ir/face-detection-retail-0004";
    const graph::Model model = ir::read_model(dir / "FP32/face-detection-retail-0004.xml");
    const auto frames = sample_frames(k_megamind.string(), 200);
    const Quantized quantized = quantize_on(model, frames, {}, std::nullopt, 0.01);
    CHECK(quantized.agreement->metric() == AgreementMetric::detection);
    REQUIRE(quantized.result.holds);
    const double open_model_zoo =
        score(quantized, ir::read_model(dir / "FP16-INT8/face-detection-retail-0004.xml"));
    MESSAGE("AP@0.5 against FP32: quantized ", quantized.result.agreement, ", Open Model Zoo INT8 ",
            open_model_zoo);
    CHECK(quantized.result.agreement >= open_model_zoo);
    CHECK(quantized.result.agreement >= 0.99);
    CHECK(quantized.result.reverted.empty());
    if (devices::cpu::has_int8_dot_product()) {
        std::set<std::string> expected;
        for (const auto& layer : quantized.layers)
            expected.insert(layer.name);
        CHECK(int8_layers(quantized.result.model, quantized.held_out[0]) == expected);
    }
}

TEST_CASE("CenterNet from TensorFlow (human-models) quantized on vtest keeps its detections") {
    const graph::Model model = read_tfjs("centernet.json");
    const auto frames =
        sample_frames((testing::shared_dir() / "media/vtest_200f_h264.mp4").string(), 100);
    PreprocessConfig rgb;
    rgb.color = ColorOrder::rgb;
    DecoderOptions centernet;
    centernet.kind = DecoderKind::centernet;
    centernet.threshold = 0.4f;
    const Quantized quantized = quantize_on(model, frames, rgb, centernet, 0.02);
    CHECK(quantized.agreement->metric() == AgreementMetric::detection);
    MESSAGE("AP@0.5 against float: ", quantized.result.agreement, " (",
            quantized.result.first_agreement, " before accuracy control), ",
            quantized.result.reverted.size(), " layers back in float");
    CHECK(quantized.result.holds);
    CHECK(quantized.result.agreement >= 0.98);
    CHECK(quantized.result.reverted.size() <= 3);
}

TEST_CASE(
    "the emotion classifier from TensorFlow (human-models) quantized on Megamind keeps its "
    "top-1 class") {
    const graph::Model model = read_tfjs("emotion.json");
    const auto frames = sample_frames(k_megamind.string(), 100);
    const Quantized quantized = quantize_on(model, frames, {}, std::nullopt, 0.05);
    CHECK(quantized.agreement->metric() == AgreementMetric::top1);
    MESSAGE("top-1 agreement: ", quantized.result.agreement, " (", quantized.result.first_agreement,
            " before accuracy control)");
    CHECK(quantized.result.holds);
    CHECK(quantized.result.agreement >= 0.95);
}

TEST_CASE(
    "the metric for one output shaped like class scores is top-1 only where it holds "
    "probabilities: landmarks get the cosine") {
    const auto frames = sample_frames(k_megamind.string(), 4);
    const auto metric_of = [&](const std::filesystem::path& path) {
        const auto compiled = compile(ir::read_model(path));
        const auto prepared = to_samples(frames, {}, compiled.inputs());
        return ModelAgreement("auto", std::nullopt, compiled.outputs(), prepared.input_width,
                              prepared.input_height,
                              quantize::run_samples(compiled, prepared.samples))
            .metric();
    };
    const auto models = testing::shared_dir() / "models/ir";
    CHECK(metric_of(models / "landmarks-regression-retail-0009/FP32/"
                             "landmarks-regression-retail-0009.xml") == AgreementMetric::cosine);
    CHECK(metric_of(models / "open-closed-eye-0001/FP32/open-closed-eye-0001.xml") ==
          AgreementMetric::top1);
}
