#include "pipeline/source/source.h"
#include "tests/integration/pipeline_io/log_capture.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <opencv2/core.hpp>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

struct Decoded {
    size_t count = 0;
    bool sizes_match = true;
    bool numbers_consecutive = true;
    bool pts_increasing = true;
    bool pixels_vary = true;  // not a blank picture
};

// Pulls every frame of a file source until it ends, checking each as it goes: frames of a
// stream of `width` x `height` whose pictures are `picture` (the stream's size when unset).
Decoded decode_all(Source& source, int width, int height,
                   std::optional<Resolution> picture = std::nullopt) {
    const Resolution expected = picture.value_or(Resolution{width, height});
    Decoded decoded;
    int64_t last_pts = -1;
    while (auto frame = source.pull(20s)) {
        decoded.sizes_match &= frame->width == width && frame->height == height &&
                               frame->bgr.cols == expected.width &&
                               frame->bgr.rows == expected.height && frame->bgr.type() == CV_8UC3;
        decoded.numbers_consecutive &= frame->frame_number == decoded.count;
        decoded.pts_increasing &= frame->pts_ns > last_pts;
        last_pts = frame->pts_ns;
        cv::Scalar mean, deviation;
        cv::meanStdDev(frame->bgr, mean, deviation);
        decoded.pixels_vary &= deviation[0] + deviation[1] + deviation[2] > 1.0;
        ++decoded.count;
    }
    return decoded;
}

SourceSpec file_spec(const std::filesystem::path& path) {
    SourceSpec spec;
    spec.id = "clip";
    spec.uri = source_uri(file_uri(path));
    return spec;
}

}  // namespace

TEST_CASE("a file source decodes every frame of MP4/H.264, AVI/MJPEG and MKV clips") {
    const auto dir = temp_dir("source-file");
    const std::string names[] = {"clip.mp4", "clip.avi", "clip.mkv"};
    const char* encoders[] = {"x264enc speed-preset=ultrafast ! mp4mux", "jpegenc ! avimux",
                              "x264enc speed-preset=ultrafast ! matroskamux"};
    for (int i = 0; i < 3; ++i) {
        CAPTURE(names[i]);
        make_clip(dir / names[i], 30, 320, 240, encoders[i]);
        Source source(file_spec(dir / names[i]));
        CHECK_FALSE(source.is_live());
        source.start();
        const Decoded decoded = decode_all(source, 320, 240);
        CHECK(decoded.count == 30);
        CHECK(decoded.sizes_match);
        CHECK(decoded.numbers_consecutive);
        CHECK(decoded.pts_increasing);
        CHECK(decoded.pixels_vary);
        CHECK(source.status().state == SourceState::Ended);
        CHECK(source.counters().frames == 30);
        CHECK(source.counters().dropped == 0);
    }
}

TEST_CASE("a file source scales to the configured resolution and drops down to the fps") {
    const auto dir = temp_dir("source-file");
    make_clip(dir / "clip.avi", 30, 320, 240, "jpegenc ! avimux");
    SourceSpec spec = file_spec(dir / "clip.avi");
    spec.resolution = Resolution{160, 96};
    spec.fps = 10;
    Source source(spec);
    source.start();
    const Decoded decoded = decode_all(source, 160, 96);
    // One second at 30 fps, decimated to 10 fps.
    CHECK(decoded.count >= 9);
    CHECK(decoded.count <= 11);
    CHECK(decoded.sizes_match);
    CHECK(decoded.pts_increasing);
}

TEST_CASE("a file source scales down at decode to the size its consumer resizes to") {
    const auto dir = temp_dir("source-file");
    make_clip(dir / "clip.avi", 10, 320, 240, "jpegenc ! avimux");
    struct Case {
        const char* name;
        Resolution consumer;  // what decode_size answers
        std::optional<Resolution> resolution;
        Resolution picture;
    };
    const Case cases[] = {
        {"smaller: scaled at decode", {80, 60}, std::nullopt, {80, 60}},
        {"larger: left as it is", {640, 480}, std::nullopt, {320, 240}},
        {"wider but not as high: left as it is", {400, 200}, std::nullopt, {320, 240}},
        {"a configured resolution wins", {80, 60}, Resolution{160, 96}, {160, 96}},
    };
    for (const Case& test : cases) {
        CAPTURE(test.name);
        SourceSpec spec = file_spec(dir / "clip.avi");
        spec.resolution = test.resolution;
        Resolution asked_for;
        spec.decode_size = [&](Resolution stream) {
            asked_for = stream;
            return test.consumer;
        };
        Source source(spec);
        source.start();
        // Frames keep the stream's size (or the configured one) as theirs.
        const Resolution stream = test.resolution.value_or(Resolution{320, 240});
        const Decoded decoded = decode_all(source, stream.width, stream.height, test.picture);
        CHECK(decoded.count == 10);
        CHECK(decoded.sizes_match);
        CHECK(decoded.pixels_vary);
        if (!test.resolution) CHECK(asked_for == Resolution{320, 240});
    }
}

TEST_CASE("an fps above the stream's rate delivers every frame") {
    const auto dir = temp_dir("source-file");
    make_clip(dir / "clip.avi", 30, 160, 120, "jpegenc ! avimux");
    SourceSpec spec = file_spec(dir / "clip.avi");
    spec.fps = 45;
    Source source(spec);
    source.start();
    const Decoded decoded = decode_all(source, 160, 120);
    CHECK(decoded.count == 30);
    CHECK(source.status().state == SourceState::Ended);
}

TEST_CASE("a looping file source starts again at its end and keeps numbering frames") {
    const auto dir = temp_dir("source-file");
    make_clip(dir / "clip.avi", 10, 160, 120, "jpegenc ! avimux");
    SourceSpec spec = file_spec(dir / "clip.avi");
    spec.loop = true;
    Source source(spec);
    source.start();
    uint64_t expected = 0;
    bool consecutive = true;
    for (; expected < 35; ++expected) {
        auto frame = source.pull(10s);
        REQUIRE(frame);
        consecutive &= frame->frame_number == expected;
    }
    CHECK(consecutive);
    CHECK(source.counters().restarts >= 3);
    CHECK(source.counters().reconnects == 0);  // loops are not reconnections
    CHECK(source.status().state == SourceState::Playing);
    source.stop();
    CHECK(source.status().state == SourceState::Stopped);
    CHECK_FALSE(source.pull(0ms));
}

TEST_CASE("a truncated, a garbage and a missing file fail with GStreamer's error, logged once") {
    const auto dir = temp_dir("source-file");
    make_clip(dir / "clip.mp4", 30, 320, 240, "x264enc speed-preset=ultrafast ! mp4mux");
    write_truncated(dir / "clip.mp4", dir / "truncated.mp4",
                    std::filesystem::file_size(dir / "clip.mp4") / 2);
    write_garbage(dir / "garbage.mp4", 64 * 1024);

    for (const std::string name : {"truncated.mp4", "garbage.mp4", "missing.mp4"}) {
        CAPTURE(name);
        LogCapture log;
        SourceSpec spec = file_spec(dir / name);
        spec.id = std::string("bad-") + name;
        // A short stall timeout: see the GStreamer race in Source's watchdog.
        Source source(spec, RetryPolicy{1s, 1s, 3s});
        source.start();
        while (source.pull(20s)) {
        }
        const SourceStatus status = source.status();
        MESSAGE(name << ": " << status.message);
        INFO(log.text());
        CHECK(status.state == SourceState::Failed);
        CHECK_FALSE(status.message.empty());
        if (status.message.rfind("no frame", 0) != 0) CHECK(source.counters().decode_errors >= 1);
        source.stop();
        CHECK(log.count(spec.id + " (" + spec.uri.text + "): " + status.message) == 1);
    }
}

TEST_CASE("the shared H.264 clip decodes to every one of its frames, 768x576") {
    const auto shared = shared_dir();
    Source source(file_spec(shared / "media" / "vtest_200f_h264.mp4"));
    source.start();
    const Decoded decoded = decode_all(source, 768, 576);
    // Its MP4 sample table (stsz) lists 199 samples, one fewer than its name says.
    CHECK(decoded.count == 199);
    CHECK(decoded.sizes_match);
    CHECK(decoded.numbers_consecutive);
    CHECK(decoded.pts_increasing);
    CHECK(decoded.pixels_vary);
    CHECK(source.status().state == SourceState::Ended);
}

// parse_source_uri() leaves the test patterns to GStreamer.
TEST_CASE("a test pattern GStreamer does not know fails the source when it starts") {
    SourceSpec spec;
    spec.id = "cam";
    spec.uri = source_uri("test://?pattern=plaid");
    Source source(spec);
    source.start();
    CHECK_FALSE(source.pull(5s));
    CHECK(source.status().state == SourceState::Failed);
    CHECK(source.status().message.find("unknown test pattern 'plaid'") != std::string::npos);
}
