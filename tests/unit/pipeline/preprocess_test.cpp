// Preprocessor: exact tensor values for small images, every layout, type and option.
#include "inference/core/error.h"
#include "pipeline/preprocess/preprocessor.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::pipeline;

namespace {

// Channel c (0 = B, 1 = G, 2 = R) of gradient_image() at (x, y).
int pixel(int x, int y, int c) {
    return c == 0 ? 10 * x + y : c == 1 ? 100 + 10 * x + y : 200 + x + y;
}

// A 4×2 BGR image of pixel().
cv::Mat gradient_image() {
    cv::Mat image(2, 4, CV_8UC3);
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c)
                image.at<cv::Vec3b>(y, x)[c] = static_cast<uint8_t>(pixel(x, y, c));
    return image;
}

// A BGR image of one colour.
cv::Mat flat_image(int width, int height, cv::Scalar bgr) {
    return cv::Mat(height, width, CV_8UC3, bgr);
}

PreprocessConfig with_resize(ResizeMode mode) {
    PreprocessConfig config;
    config.resize = mode;
    return config;
}

PreprocessConfig with_layout(TensorLayout layout) {
    PreprocessConfig config;
    config.layout = layout;
    return config;
}

size_t nchw_index(int c, int y, int x, int height, int width) {
    return static_cast<size_t>((c * height + y) * width + x);
}

}  // namespace

TEST_CASE("preprocess: NCHW f32 BGR of an image of the input's size holds its channels") {
    Preprocessor preprocessor({}, PartialShape{1, 3, 2, 4}, ElementType::f32);
    CHECK(preprocessor.layout() == TensorLayout::nchw);
    CHECK(preprocessor.width() == 4);
    CHECK(preprocessor.height() == 2);
    Tensor input(ElementType::f32, {1, 3, 2, 4});
    const auto transform = preprocessor.run(gradient_image(), input, 0);
    CHECK(transform.scale_x == 1.0f);
    CHECK(transform.scale_y == 1.0f);
    CHECK(transform.pad_x == 0.0f);
    const auto data = input.to_doubles();
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 4; ++x)
                CHECK(data[nchw_index(c, y, x, 2, 4)] == pixel(x, y, c));
}

TEST_CASE("preprocess: RGB order, mean and scale per channel, NCHW and NHWC, f32 f16 u8") {
    PreprocessConfig config;
    config.color = ColorOrder::rgb;
    config.mean = {1.0f, 2.0f, 3.0f};  // in the tensor's order: R, G, B
    config.scale = {0.5f, 0.25f, 2.0f};
    for (const TensorLayout layout : {TensorLayout::nchw, TensorLayout::nhwc})
        for (const ElementType type : {ElementType::f32, ElementType::f16, ElementType::u8}) {
            CAPTURE(to_string(layout));
            CAPTURE(to_string(type));
            const bool nchw = layout == TensorLayout::nchw;
            const PartialShape shape = nchw ? PartialShape{1, 3, 2, 4} : PartialShape{1, 2, 4, 3};
            Preprocessor preprocessor(config, shape, type);
            CHECK(preprocessor.layout() == layout);
            Tensor input(type, shape.to_shape());
            preprocessor.run(gradient_image(), input, 0);
            const auto data = input.to_doubles();
            for (int t = 0; t < 3; ++t)
                for (int y = 0; y < 2; ++y)
                    for (int x = 0; x < 4; ++x) {
                        const size_t index = nchw ? nchw_index(t, y, x, 2, 4)
                                                  : static_cast<size_t>((y * 4 + x) * 3 + t);
                        const auto channel = static_cast<size_t>(t);
                        double want =
                            (pixel(x, y, 2 - t) - config.mean[channel]) * config.scale[channel];
                        // u8: rounded half to even (cvRound), saturated.
                        if (type == ElementType::u8)
                            want = std::clamp(std::nearbyint(want), 0.0, 255.0);
                        // f16 keeps 11 significant bits: values up to 512 within 0.25.
                        CHECK(data[index] == doctest::Approx(want).epsilon(
                                                 type == ElementType::f16 ? 1e-3 : 1e-6));
                    }
        }
}

TEST_CASE("preprocess: one mean and scale for all channels, NHWC, BGR") {
    PreprocessConfig config;
    config.mean = {127.5f, 127.5f, 127.5f};
    config.scale = {1 / 127.5f, 1 / 127.5f, 1 / 127.5f};
    Preprocessor preprocessor(config, PartialShape{1, 2, 4, 3}, ElementType::f32);
    Tensor input(ElementType::f32, {1, 2, 4, 3});
    preprocessor.run(gradient_image(), input, 0);
    const auto data = input.to_doubles();
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 3; ++c)
                CHECK(data[static_cast<size_t>((y * 4 + x) * 3 + c)] ==
                      doctest::Approx((pixel(x, y, c) - 127.5) / 127.5).epsilon(1e-6));
}

TEST_CASE("preprocess: u8 NCHW without normalization, RGB") {
    PreprocessConfig config;
    config.color = ColorOrder::rgb;
    Preprocessor preprocessor(config, PartialShape{1, 3, 2, 4}, ElementType::u8);
    Tensor input(ElementType::u8, {1, 3, 2, 4});
    preprocessor.run(gradient_image(), input, 0);
    const uint8_t* data = input.data<uint8_t>();
    for (int t = 0; t < 3; ++t)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 4; ++x)
                CHECK(data[nchw_index(t, y, x, 2, 4)] == pixel(x, y, 2 - t));
}

TEST_CASE("preprocess: stretch resizes each axis on its own") {
    // Left half (B,G,R) = (10,20,30), right half (40,50,60); 8×4 → 4×1 averages within halves.
    cv::Mat image = flat_image(8, 4, {10, 20, 30});
    image(cv::Rect(4, 0, 4, 4)).setTo(cv::Scalar(40, 50, 60));
    Preprocessor preprocessor({}, PartialShape{1, 3, 1, 4}, ElementType::f32);
    Tensor input(ElementType::f32, {1, 3, 1, 4});
    const auto transform = preprocessor.run(image, input, 0);
    CHECK(transform.scale_x == 0.5f);
    CHECK(transform.scale_y == 0.25f);
    CHECK(input.to_doubles() ==
          std::vector<double>{10, 10, 40, 40, 20, 20, 50, 50, 30, 30, 60, 60});
}

TEST_CASE("preprocess: letterbox keeps the aspect ratio, centres, pads with 114") {
    Preprocessor preprocessor(with_resize(ResizeMode::letterbox), PartialShape{1, 3, 4, 4},
                              ElementType::f32);
    Tensor input(ElementType::f32, {1, 3, 4, 4});
    // 8×4 → 4×2 in rows 1 and 2.
    auto transform = preprocessor.run(flat_image(8, 4, {10, 20, 30}), input, 0);
    CHECK(transform.scale_x == 0.5f);
    CHECK(transform.scale_y == 0.5f);
    CHECK(transform.pad_x == 0.0f);
    CHECK(transform.pad_y == 1.0f);
    auto data = input.to_doubles();
    const double colour[3] = {10, 20, 30};
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                CHECK(data[nchw_index(c, y, x, 4, 4)] ==
                      (y == 0 || y == 3 ? Preprocessor::k_letterbox_pad : colour[c]));

    // A frame of another shape: the border is redrawn (columns 0 and 3 now).
    transform = preprocessor.run(flat_image(2, 4, {1, 2, 3}), input, 0);
    CHECK(transform.pad_x == 1.0f);
    CHECK(transform.pad_y == 0.0f);
    CHECK(transform.scale_x == 1.0f);
    data = input.to_doubles();
    const double small[3] = {1, 2, 3};
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 4; ++y)
            for (int x = 0; x < 4; ++x)
                CHECK(data[nchw_index(c, y, x, 4, 4)] ==
                      (x == 0 || x == 3 ? Preprocessor::k_letterbox_pad : small[c]));
}

TEST_CASE("preprocess: normalization applies to the letterbox border too") {
    PreprocessConfig config = with_resize(ResizeMode::letterbox);
    config.scale = {1 / 255.0f, 1 / 255.0f, 1 / 255.0f};
    Preprocessor preprocessor(config, PartialShape{1, 4, 4, 3}, ElementType::f32);
    CHECK(preprocessor.layout() == TensorLayout::nhwc);
    Tensor input(ElementType::f32, {1, 4, 4, 3});
    preprocessor.run(flat_image(4, 2, {255, 0, 51}), input, 0);
    const float* data = input.data<float>();
    CHECK(data[0] == doctest::Approx(114 / 255.0));  // row 0: border
    const float* row1 = data + 4 * 3;
    CHECK(row1[0] == doctest::Approx(1.0));
    CHECK(row1[1] == doctest::Approx(0.0));
    CHECK(row1[2] == doctest::Approx(0.2));
}

TEST_CASE("preprocess: a grey model input gets the frame's luminance") {
    PreprocessConfig config;
    config.scale = {2.0f, 2.0f, 2.0f};
    Preprocessor preprocessor(config, PartialShape{1, 1, 2, 2}, ElementType::f32);
    CHECK(preprocessor.channels() == 1);
    Tensor input(ElementType::f32, {1, 1, 2, 2});
    preprocessor.run(flat_image(2, 2, {100, 100, 100}), input, 0);
    CHECK(input.to_doubles() == std::vector<double>{200, 200, 200, 200});
}

TEST_CASE("preprocess: batch_index writes one image of a batch") {
    Preprocessor preprocessor({}, PartialShape{k_dynamic, 3, 1, 1}, ElementType::f32);
    Tensor input(ElementType::f32, {2, 3, 1, 1});
    preprocessor.run(flat_image(1, 1, {1, 2, 3}), input, 1);
    CHECK(input.to_doubles() == std::vector<double>{0, 0, 0, 1, 2, 3});
    preprocessor.run(flat_image(1, 1, {4, 5, 6}), input, 0);
    CHECK(input.to_doubles() == std::vector<double>{4, 5, 6, 1, 2, 3});
    CHECK_THROWS_AS(preprocessor.run(flat_image(1, 1, {4, 5, 6}), input, 2), Error);
}

TEST_CASE("preprocess: layout from the shape or the config") {
    CHECK(Preprocessor({}, PartialShape{1, 3, 300, 300}, ElementType::f32).layout() ==
          TensorLayout::nchw);
    CHECK(Preprocessor({}, PartialShape{1, 512, 512, 3}, ElementType::f32).layout() ==
          TensorLayout::nhwc);
    // [1,3,3,3] reads as NCHW unless the config says otherwise.
    CHECK(Preprocessor({}, PartialShape{1, 3, 3, 3}, ElementType::f32).layout() ==
          TensorLayout::nchw);
    CHECK(Preprocessor(with_layout(TensorLayout::nhwc), PartialShape{1, 3, 3, 3}, ElementType::f32)
              .layout() == TensorLayout::nhwc);
}

TEST_CASE("preprocess: inputs it cannot fill are rejected with the input's name") {
    const auto rejected = [](const PreprocessConfig& config, const PartialShape& shape,
                             ElementType type, const std::string& fragment) {
        try {
            Preprocessor(config, shape, type, "images");
            FAIL("accepted " << to_string(shape));
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::BadInput);
            CHECK(std::string(error.what()).find(fragment) != std::string::npos);
        }
    };
    rejected({}, PartialShape{1, 3, 224}, ElementType::f32, "input 'images' has shape [1,3,224]");
    rejected({}, PartialShape{1, 3, k_dynamic, k_dynamic}, ElementType::f32, "static height");
    rejected({}, PartialShape{1, 4, 8, 8}, ElementType::f32, "1 or 3 channels");
    rejected(with_layout(TensorLayout::nhwc), PartialShape{1, 3, 8, 8}, ElementType::f32,
             "[N,H,W,C]");
    rejected({}, PartialShape{1, 3, 8, 8}, ElementType::i32, "element type i32");
}

TEST_CASE("preprocess: frames and tensors that do not fit are errors") {
    Preprocessor preprocessor({}, PartialShape{1, 3, 2, 2}, ElementType::f32);
    Tensor input(ElementType::f32, {1, 3, 2, 2});
    CHECK_THROWS_AS(preprocessor.run(cv::Mat(), input, 0), Error);
    CHECK_THROWS_AS(preprocessor.run(cv::Mat(2, 2, CV_8UC1), input, 0), Error);
    Tensor wrong_type(ElementType::f16, {1, 3, 2, 2});
    CHECK_THROWS_AS(preprocessor.run(flat_image(2, 2, {}), wrong_type, 0), Error);
    Tensor wrong_shape(ElementType::f32, {1, 3, 4, 4});
    CHECK_THROWS_AS(preprocessor.run(flat_image(2, 2, {}), wrong_shape, 0), Error);
}

TEST_CASE("letterbox transform: source → input → source round trip") {
    const auto transform = LetterboxTransform::letterbox(1920, 1080, 640, 640);
    CHECK(transform.scale_x == doctest::Approx(1 / 3.0));
    CHECK(transform.resized_width() == 640);
    CHECK(transform.resized_height() == 360);
    CHECK(transform.pad_x == 0.0f);
    CHECK(transform.pad_y == 140.0f);
    for (const float x : {0.0f, 1.0f, 333.0f, 1919.5f, 1920.0f})
        CHECK(transform.source_x(transform.input_x(x)) == doctest::Approx(x / 1920));
    for (const float y : {0.0f, 17.0f, 540.0f, 1080.0f})
        CHECK(transform.source_y(transform.input_y(y)) == doctest::Approx(y / 1080));
    // The border maps outside the image: clamped.
    CHECK(transform.source_y(10.0f) == 0.0f);
    CHECK(transform.source_y(630.0f) == 1.0f);

    const auto tall = LetterboxTransform::letterbox(100, 300, 320, 320);
    CHECK(tall.resized_width() == 107);
    CHECK(tall.pad_x == 106.0f);
    CHECK(tall.pad_y == 0.0f);
    CHECK(tall.source_x(tall.input_x(50.0f)) == doctest::Approx(0.5));

    const auto stretch = LetterboxTransform::stretch(1280, 720, 300, 300);
    CHECK(stretch.pad_x == 0.0f);
    CHECK(stretch.source_x(150.0f) == doctest::Approx(0.5));
    CHECK(stretch.source_y(stretch.input_y(360.0f)) == doctest::Approx(0.5));
}
