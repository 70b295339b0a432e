// The classify stage crops objects at their boxes in the frame's pixels: a frame drawn here with
// known content in known boxes, and classifiers built here whose outputs are the mean colour of
// what they saw.
#include "pipeline/classify/classify_stage.h"
#include "tests/unit/classify/classify_testing.h"

#include <doctest/doctest.h>
#include <opencv2/imgproc.hpp>

using namespace es::pipeline;
using namespace es::testing;

namespace {

constexpr int k_input_size = 24;
constexpr int k_width = 640;
constexpr int k_height = 360;

// The mean colour (B, G, R) of `crop` of `image` stretched to the classifier's input, as the
// stage must compute it.
cv::Scalar expected_means(const cv::Mat& image, const cv::Rect& crop) {
    cv::Mat resized = image(crop);
    if (crop.size() != cv::Size(k_input_size, k_input_size))
        cv::resize(image(crop), resized, {k_input_size, k_input_size}, 0, 0, cv::INTER_LINEAR);
    return cv::mean(resized);
}

ClassifyConfig means_config(const std::string& name, ColorOrder color) {
    ClassifyConfig config;
    config.path = name + ".xml";
    config.name = name;
    config.object_labels = {"face"};
    config.min_size = 10;
    config.preprocess.color = color;
    return config;
}

}  // namespace

TEST_CASE("classify: each crop is its box in the frame's pixels, clipped to the frame") {
    cv::Mat image(k_height, k_width, CV_8UC3, cv::Scalar(50, 60, 70));
    // Boxes of one colour inside a white frame of one pixel: a crop one pixel off sees
    // another mean.
    std::vector<cv::Rect> boxes;
    for (int k = 0; k < 11; ++k) {
        const cv::Rect box(17 + 53 * k, 31 + 23 * k, 12 + k, 13 + (k % 5) * 3);
        image(box).setTo(cv::Scalar(255, 255, 255));
        image(box - cv::Point(-1, -1) - cv::Size(2, 2))
            .setTo(cv::Scalar(10 + 20 * k, 200 - 15 * k, 7 + 11 * k));
        boxes.push_back(box);
    }
    const cv::Rect beyond(600, 300, 80, 100);  // past the right and bottom edges
    image(beyond & cv::Rect(0, 0, k_width, k_height)).setTo(cv::Scalar(1, 2, 3));
    boxes.push_back(beyond);
    FrameResult result;
    result.width = k_width;
    result.height = k_height;
    for (const cv::Rect& box : boxes)
        result.objects.push_back(object_at(box, k_width, k_height));
    result.objects.push_back(object_at({100, 300, 30, 30}, k_width, k_height, {}, "car"));
    result.objects.push_back(object_at({200, 300, 9, 40}, k_width, k_height));  // < min_size

    const std::vector<Classifier> classifiers = {
        compile_test_classifier(channel_means_model(k_input_size, {"b", "g", "r"}),
                                means_config("bgr-means", ColorOrder::bgr)),
        compile_test_classifier(channel_means_model(k_input_size, {"c0", "c1", "c2"}),
                                means_config("rgb-means", ColorOrder::rgb))};
    REQUIRE(classifiers[0].by_batch().size() == 4);  // batches of 1, 2, 4 and 8 crops
    std::atomic<uint64_t> classified{0};
    ClassifyStage stage(classifiers, false, classified);
    CHECK(stage.run(image, result, {}).empty());

    CHECK(classified == 2 * boxes.size());
    for (size_t i = 0; i < boxes.size(); ++i) {
        CAPTURE(i);
        const ObjectResult& object = result.objects[i];
        const cv::Rect crop = boxes[i] & cv::Rect(0, 0, k_width, k_height);
        const cv::Scalar means = expected_means(image, crop);
        // The test can tell a crop one pixel off.
        CHECK(expected_means(image, crop - cv::Point(1, 0))[0] != doctest::Approx(means[0]));
        REQUIRE(object.tensors.size() == 6);
        CHECK(attribute(object, "b").value.value() == doctest::Approx(means[0]).epsilon(1e-5));
        CHECK(attribute(object, "g").value.value() == doctest::Approx(means[1]).epsilon(1e-5));
        CHECK(attribute(object, "r").value.value() == doctest::Approx(means[2]).epsilon(1e-5));
        CHECK(attribute(object, "c0").value.value() == doctest::Approx(means[2]).epsilon(1e-5));
        CHECK(attribute(object, "c2").value.value() == doctest::Approx(means[0]).epsilon(1e-5));
        CHECK(attribute(object, "b").model == "bgr-means");
        CHECK(attribute(object, "c0").model == "rgb-means");
    }
    CHECK(attribute(result.objects[boxes.size() - 1], "r").value == 3.0f);
    CHECK(result.objects[boxes.size()].tensors.empty());      // not a face
    CHECK(result.objects[boxes.size() + 1].tensors.empty());  // narrower than min_size
}
