// With tracking the classify stage runs a classifier on a track only every reclassify_interval
// frames, keeps the track's last attributes in between and where its box is predicted, forgets
// them when the track ends, and reports label changes as "update" events.
#include "pipeline/classify/classify_stage.h"
#include "tests/unit/classify/classify_testing.h"

#include <doctest/doctest.h>

using namespace es::pipeline;
using namespace es::testing;

namespace {

constexpr int k_input_size = 16;
constexpr int k_width = 320;
constexpr int k_height = 240;

const std::vector<cv::Rect> k_boxes = {{10, 10, 40, 40}, {100, 50, 30, 60}, {200, 120, 50, 50}};

ClassifyConfig every_tenth(const std::string& name) {
    ClassifyConfig config;
    config.path = name + ".xml";
    config.name = name;
    config.reclassify_interval = 10;
    return config;
}

FrameResult tracked_frame() {
    FrameResult result;
    result.width = k_width;
    result.height = k_height;
    for (size_t i = 0; i < k_boxes.size(); ++i)
        result.objects.push_back(object_at(k_boxes[i], k_width, k_height, int64_t(i + 1)));
    return result;
}

}  // namespace

TEST_CASE("classify: with reclassify_interval 10 a track is classified every tenth frame") {
    const std::vector<Classifier> classifiers = {compile_test_classifier(
        channel_means_model(k_input_size, {"b", "g", "r"}), every_tenth("means"))};
    std::atomic<uint64_t> classified{0};
    ClassifyStage stage(classifiers, false, classified);
    cv::Mat image(k_height, k_width, CV_8UC3);
    FrameResult result = tracked_frame();
    size_t object_frames = 0;
    for (int frame = 0; frame < 100; ++frame) {
        CAPTURE(frame);
        image.setTo(cv::Scalar(frame, 2 * frame, 0));  // the frame number, seen by the classifier
        // Track 3's box is predicted in frames 10 to 12: it waits for a detected one.
        result.objects[2].predicted = frame >= 10 && frame <= 12;
        stage.run(image, result, {});
        object_frames += result.objects.size();
        const int last_run = frame / 10 * 10;
        CHECK(attribute(result.objects[0], "b").value == float(last_run));
        CHECK(attribute(result.objects[1], "g").value == float(2 * last_run));
        const int track3_run = frame < 13 ? 0 : (frame - 3) / 10 * 10 + 3;
        CHECK(attribute(result.objects[2], "b").value == float(track3_run));
    }
    CHECK(classified == 30);
    CHECK(classified * 10 <= object_frames);

    // Track 1 ends (track 2 is due again): what it kept is gone, so an object with its id
    // starts afresh.
    result.objects.erase(result.objects.begin());
    const int64_t ended[] = {1};
    stage.run(image, result, ended);
    CHECK(classified == 31);
    result = tracked_frame();
    image.setTo(cv::Scalar(7, 7, 7));
    stage.run(image, result, {});
    CHECK(classified == 32);
    CHECK(attribute(result.objects[0], "b").value == 7.0f);
    CHECK(attribute(result.objects[1], "b").value == 99.0f);
}

TEST_CASE("classify: a tracked object's first label and each change of it are update events") {
    ClassifyConfig config = every_tenth("colour");
    config.labels = {"blue", "green", "red"};
    const std::vector<Classifier> classifiers = {
        compile_test_classifier(dominant_channel_model(k_input_size), config)};
    std::atomic<uint64_t> classified{0};
    ClassifyStage stage(classifiers, true, classified);
    cv::Mat image(k_height, k_width, CV_8UC3);
    FrameResult result = tracked_frame();
    result.objects.resize(1);
    std::vector<std::pair<int, TrackEvent>> events;
    for (int frame = 0; frame < 40; ++frame) {
        image.setTo(frame < 15 ? cv::Scalar(0, 0, 9) : cv::Scalar(9, 0, 0));  // red, then blue
        for (const TrackEvent& event : stage.run(image, result, {}))
            events.emplace_back(frame, event);
        CHECK(result.objects[0].tensors.size() == 1);
    }
    REQUIRE(events.size() == 2);
    CHECK(events[0].first == 0);
    CHECK(events[1].first == 20);
    for (const auto& [frame, event] : events) {
        CHECK(event.type == TrackEventType::updated);
        CHECK(event.track_id == 1);
        CHECK(event.label == "face");
        REQUIRE(event.tensors.size() == 1);
        CHECK(event.tensors[0].name == "colour");
    }
    CHECK(events[0].second.tensors[0].label == "red");
    CHECK(events[1].second.tensors[0].label == "blue");
    CHECK(events[1].second.tensors[0].label_id == 0);
    CHECK(events[1].second.tensors[0].confidence > 0.99f);
}
