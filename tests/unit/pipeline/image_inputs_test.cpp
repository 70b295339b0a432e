// image_feeds: which inputs an image fills, in which layout, and the upscaled companion input of
// super-resolution models.
#include "pipeline/preprocess/image_inputs.h"
#include "inference/core/error.h"

#include <doctest/doctest.h>

#include <opencv2/imgproc.hpp>

using namespace es;
using namespace es::pipeline;

namespace {

runtime::PortInfo port(const std::string& name, PartialShape shape) {
    return {name, {ElementType::f32, std::move(shape)}};
}

// A 4×2 BGR image: channel c of pixel (x, y) is 50 c + 10 x + y.
cv::Mat small_image() {
    cv::Mat image(2, 4, CV_8UC3);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c)
                image.at<cv::Vec3b>(y, x)[c] = static_cast<uint8_t>(50 * c + 10 * x + y);
    return image;
}

}  // namespace

TEST_CASE(
    "image inputs: NCHW when dimension 1 holds 1 or 3 channels, NHWC when only the last does") {
    const auto nchw = image_input_shape(PartialShape{1, 3, 224, 160});
    REQUIRE(nchw);
    CHECK(nchw->layout == TensorLayout::nchw);
    CHECK(nchw->height == 224);
    CHECK(nchw->width == 160);
    const auto nhwc = image_input_shape(PartialShape{k_dynamic, 224, 160, 3});
    REQUIRE(nhwc);
    CHECK(nhwc->layout == TensorLayout::nhwc);
    CHECK(nhwc->batch == 1);
    CHECK(nhwc->channels == 3);
    CHECK(nhwc->height == 224);
    const auto grey = image_input_shape(PartialShape{1, 64, 64, 1});
    REQUIRE(grey);
    CHECK(grey->layout == TensorLayout::nhwc);
    CHECK(grey->channels == 1);
    CHECK_FALSE(image_input_shape(PartialShape{1, 16, 8, 8}));
    CHECK_FALSE(image_input_shape(PartialShape{1, 3, k_dynamic, 8}));
    CHECK_FALSE(image_input_shape(PartialShape{1, 3, 8}));
}

TEST_CASE("image inputs: an NHWC input gets the image interleaved, BGR 0..255") {
    const auto feeds =
        image_feeds(small_image(), {port("input_1", {k_dynamic, 2, 4, 3})}, std::nullopt, {});
    REQUIRE(feeds.size() == 1);
    CHECK(feeds[0].input == 0);
    const Tensor& tensor = feeds[0].tensor;
    REQUIRE(tensor.shape() == Shape{1, 2, 4, 3});
    const float* data = tensor.data<float>();
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c)
                CHECK(data[(y * 4 + x) * 3 + c] == static_cast<float>(50 * c + 10 * x + y));
    CHECK(feeds[0].note.find("input 'input_1'") != std::string::npos);
    CHECK(feeds[0].note.find("NHWC") != std::string::npos);
}

TEST_CASE(
    "image inputs: the smaller input gets the image, the k-times larger one its bicubic upscale") {
    const std::vector<runtime::PortInfo> inputs = {port("hr", {1, 3, 4, 8}),
                                                   port("lr", {1, 3, 2, 4})};
    const cv::Mat image = small_image();
    const auto feeds = image_feeds(image, inputs, std::nullopt, {});
    REQUIRE(feeds.size() == 2);
    CHECK(feeds[0].input == 1);
    CHECK(feeds[1].input == 0);
    CHECK(feeds[1].note.find("x2 (bicubic)") != std::string::npos);
    cv::Mat upscaled;
    cv::resize(image, upscaled, cv::Size(8, 4), 0, 0, cv::INTER_CUBIC);
    const Tensor& hr = feeds[1].tensor;
    REQUIRE(hr.shape() == Shape{1, 3, 4, 8});
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 8; ++x)
                CHECK(hr.data<float>()[(c * 4 + y) * 8 + x] ==
                      static_cast<float>(upscaled.at<cv::Vec3b>(y, x)[c]));
}

TEST_CASE("image inputs: a chosen input, given inputs left alone, other inputs required") {
    const std::vector<runtime::PortInfo> inputs = {port("image", {1, 3, 2, 4}),
                                                   port("hr", {1, 3, 4, 8}), port("info", {1, 3})};
    // The caller gives "hr" itself: only the image input is fed.
    auto feeds = image_feeds(small_image(), inputs, std::nullopt, {false, true, false});
    REQUIRE(feeds.size() == 1);
    CHECK(feeds[0].input == 0);
    // Chosen explicitly, the larger input takes the image; the smaller is no upscale of it.
    feeds = image_feeds(small_image(), inputs, size_t{1}, {});
    REQUIRE(feeds.size() == 1);
    CHECK(feeds[0].input == 1);
    CHECK(feeds[0].tensor.shape() == Shape{1, 3, 4, 8});
    CHECK_THROWS_WITH_AS(image_feeds(small_image(), inputs, size_t{2}, {}),
                         doctest::Contains("input 'info' has shape [1,3]"), Error);
    CHECK_THROWS_WITH_AS(require_all_inputs(inputs, {true, true, false}),
                         doctest::Contains("input 'info' [1,3] has no value: give it with --input "
                                           "info=FILE.npy"),
                         Error);
    CHECK_NOTHROW(require_all_inputs(inputs, {true, true, true}));
    CHECK_THROWS_WITH_AS(image_feeds(small_image(), {port("info", {1, 3})}, std::nullopt, {}),
                         doctest::Contains("no model input takes an image"), Error);
}
