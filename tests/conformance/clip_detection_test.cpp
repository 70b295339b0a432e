// Detectors trained on surveillance views, checked on the first frame of the shared street clip
// against a sibling detector: each must find, with IoU >= 0.5, what its sibling finds there.
#include "tests/conformance/model_runs.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace es;
using namespace es::testing;

namespace {

struct Detection {
    int64_t label;
    double score, x0, y0, x1, y1;
};

// The first frame of vtest_200f_h264.mp4 (768x576, pedestrians seen from above), as a JPEG for
// `edgesight infer --image` (GStreamer's jpegenc in snapshot mode stops after one frame).
std::filesystem::path first_clip_frame(const std::filesystem::path& shared) {
    const auto clip = shared / "media" / "vtest_200f_h264.mp4";
    REQUIRE_MESSAGE(std::filesystem::exists(clip), "missing " << clip);
    const auto path = temp_dir("clip-frame") / "frame0.jpg";
    const auto result = run_command("gst-launch-1.0 -q filesrc location='" + clip.string() +
                                    "' ! decodebin ! videoconvert ! jpegenc snapshot=true ! "
                                    "filesink location='" +
                                    path.string() + "'");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    REQUIRE(std::filesystem::file_size(path) > 0);
    return path;
}

// The detections of a model ending in DetectionOutput with a score of at least `min_score`.
std::vector<Detection> detect(const std::filesystem::path& shared, const std::string& model,
                              const std::string& precision, const std::filesystem::path& image,
                              double min_score) {
    CAPTURE(model);
    const auto outputs =
        infer_image(shared / "models" / "ir" / model / precision / (model + ".xml"), image);
    REQUIRE(outputs.size() == 1);
    const auto rows = outputs.begin()->second.to_doubles();
    std::vector<Detection> detections;
    for (size_t row = 0; row + 7 <= rows.size() && rows[row] >= 0; row += 7)
        if (rows[row + 2] >= min_score)
            detections.push_back({static_cast<int64_t>(rows[row + 1]), rows[row + 2], rows[row + 3],
                                  rows[row + 4], rows[row + 5], rows[row + 6]});
    return detections;
}

double iou(const Detection& a, const Detection& b) {
    const double ix = std::max(0.0, std::min(a.x1, b.x1) - std::max(a.x0, b.x0));
    const double iy = std::max(0.0, std::min(a.y1, b.y1) - std::max(a.y0, b.y0));
    const double area = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0);
    return ix * iy / (area - ix * iy);
}

// Checks that each detection of the sibling whose label `label_of` maps is matched with
// IoU >= 0.5 by one of `found` with the mapped label; returns how many it checked.
size_t check_finds_what_sibling_finds(const std::vector<Detection>& sibling,
                                      const std::vector<Detection>& found,
                                      const std::map<int64_t, int64_t>& label_of) {
    size_t checked = 0;
    for (const Detection& expected : sibling) {
        if (!label_of.count(expected.label)) continue;
        CAPTURE(expected.label);
        CAPTURE(expected.x0);
        CAPTURE(expected.y0);
        double best_iou = 0.0;
        for (const Detection& detection : found)
            if (detection.label == label_of.at(expected.label))
                best_iou = std::max(best_iou, iou(expected, detection));
        CHECK(best_iou >= 0.5);
        ++checked;
    }
    return checked;
}

}  // namespace

// On VOC close-ups the R-FCN detector is weak: in 2011_000003 only the front person passes 0.5
// (see precision_and_detection_test.cpp); its best proposals for both persons overlap them by
// IoU 0.70 and 0.74, but the classifier scores them 0.54 and 0.02. Its Proposal and PSROIPooling
// outputs there match the opset reference computed independently. On the clip, its training
// domain, it finds the three pedestrians person-detection-0200 finds (IoU 0.71 to 0.81,
// confidences 0.74 to 0.95).
TEST_CASE("person-detection-retail-0002 (R-FCN) finds the pedestrians of the street clip") {
    const auto shared = shared_dir();
    const auto frame = first_clip_frame(shared);
    // person-detection-0200: label 0 person; the R-FCN detector: label 1 person.
    const auto sibling = detect(shared, "person-detection-0200", "FP16", frame, 0.5);
    const auto found = detect(shared, "person-detection-retail-0002", "FP16-INT8", frame, 0.5);
    CHECK(check_finds_what_sibling_finds(sibling, found, {{0, 1}}) == 3);
}

// crossroad-1016 (labels 1 vehicle, 2 person) finds the three pedestrians and two parked vehicles
// crossroad-0078 (labels 1 person, 2 vehicle) finds on the clip (IoU 0.88 to 0.92); the van at
// the right border scores 0.30. Its VOC results: precision_and_detection_test.cpp.
TEST_CASE("person-vehicle-bike-detection-crossroad-1016 finds what crossroad-0078 finds") {
    const auto shared = shared_dir();
    const auto frame = first_clip_frame(shared);
    const auto sibling =
        detect(shared, "person-vehicle-bike-detection-crossroad-0078", "FP16", frame, 0.5);
    const auto found =
        detect(shared, "person-vehicle-bike-detection-crossroad-1016", "FP16-INT8", frame, 0.2);
    CHECK(check_finds_what_sibling_finds(sibling, found, {{1, 2}, {2, 1}}) == 5);
}
