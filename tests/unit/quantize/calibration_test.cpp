#include "inference/core/error.h"
#include "pipeline/calibration/calibration_frames.h"
#include "pipeline/calibration/detection_agreement.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

using namespace es;
using namespace es::pipeline;

namespace {

Detection detection(float x, float y, float confidence, int label_id = 1) {
    return {x, y, x + 0.2f, y + 0.2f, confidence, label_id, ""};
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const es::Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error");
    return "";
}

}  // namespace

TEST_CASE("sample_frames spreads its picks evenly over a folder of images in name order") {
    const auto folder = testing::temp_dir("calibration_folder");
    for (int i = 0; i < 5; ++i)
        cv::imwrite((folder / fmt::format("frame{}.png", i)).string(),
                    cv::Mat(8, 12, CV_8UC3, cv::Scalar(i * 40, 0, 0)));
    std::ofstream(folder / "notes.txt") << "not an image: skipped\n";
    const auto frames = sample_frames(folder.string(), 3);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0].at<cv::Vec3b>(0, 0)[0] == 0);
    CHECK(frames[1].at<cv::Vec3b>(0, 0)[0] == 40);
    CHECK(frames[2].at<cv::Vec3b>(0, 0)[0] == 120);
    CHECK(frames[2].cols == 12);
}

TEST_CASE("sample_frames takes frames evenly from a video and names what is missing") {
    const auto video = testing::shared_dir() / "media" / "vtest_200f_h264.mp4";
    const auto frames = sample_frames(video.string(), 10);
    REQUIRE(frames.size() == 10);
    CHECK(frames[0].cols == 768);
    CHECK(frames[0].rows == 576);
    CHECK(cv::norm(frames[0], frames[1]) > 0);

    CHECK(error_of([&] {
              sample_frames(video.string(), 300);
          }).find("frames, fewer than the 300 asked for") != std::string::npos);
    const auto empty = testing::temp_dir("calibration_empty");
    CHECK(error_of([&] { sample_frames(empty.string(), 3); }).find("no images found") !=
          std::string::npos);
    CHECK(error_of([&] { sample_frames("/no/such/video.mp4", 3); }).find("no such file") !=
          std::string::npos);
}

TEST_CASE("detection_agreement is VOC's AP@0.5 against the reference detections") {
    const FrameDetections reference{{detection(0.1f, 0.1f, 0.9f), detection(0.5f, 0.5f, 0.8f)}};
    CHECK(detection_agreement(reference, reference) == 1.0);
    // One of two found: half the recall at full precision.
    CHECK(detection_agreement(reference, {{detection(0.1f, 0.1f, 0.9f)}}) == doctest::Approx(0.5));
    // A false alarm ranked below every hit costs nothing; above them it costs precision.
    CHECK(detection_agreement(reference, {{detection(0.1f, 0.1f, 0.9f), detection(0.5f, 0.5f, 0.8f),
                                           detection(0.3f, 0.7f, 0.1f)}}) == 1.0);
    CHECK(
        detection_agreement(reference, {{detection(0.3f, 0.7f, 0.95f), detection(0.1f, 0.1f, 0.9f),
                                         detection(0.5f, 0.5f, 0.8f)}}) ==
        doctest::Approx(2.0 / 3));  // precision 2/3 at both recall steps
    // A box of another label is no match; a box shifted past IoU 0.5 is none either.
    CHECK(detection_agreement(
              reference, {{detection(0.1f, 0.1f, 0.9f, 2), detection(0.58f, 0.58f, 0.8f)}}) == 0.0);
    CHECK(detection_agreement({{}}, {{}}) == 1.0);
    CHECK(detection_agreement({{}, {}}, {{detection(0.1f, 0.1f, 0.9f)}, {}}) == 0.5);
}
