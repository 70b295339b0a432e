// parse_source_uri: the one reading of a source URI, for the config check and the source.
#include "pipeline/config/source_uri.h"

#include <doctest/doctest.h>

#include <utility>
#include <vector>

using namespace es::pipeline;

namespace {

const std::filesystem::path k_base = "/etc/edgesight";

SourceUri parsed(const std::string& text) {
    ParsedSourceUri result = parse_source_uri(text, k_base);
    INFO(text);
    CHECK(result.problem.empty());
    return result.uri;
}

using Options = std::map<std::string, std::string>;

}  // namespace

TEST_CASE("source URIs: files, by plain path or file://, relative ones from the base folder") {
    SourceUri uri = parsed("clips/../clip.mp4");
    CHECK(uri.kind == SourceKind::file);
    CHECK(uri.location == "/etc/edgesight/clip.mp4");
    CHECK(uri.text == "clips/../clip.mp4");
    CHECK(parsed("/videos/a b.mp4").location == "/videos/a b.mp4");
    CHECK(parsed("/videos/100%25.mp4").location == "/videos/100%25.mp4");  // a path as it is
    CHECK(parsed("file:///videos/entrance.mp4").location == "/videos/entrance.mp4");
    CHECK(parsed("file://clip.mp4").location == "/etc/edgesight/clip.mp4");
    // A file URI's escapes are decoded; a '%' that starts none is taken as written.
    CHECK(parsed("file:///videos/my%20clip%2b1.mp4").location == "/videos/my clip+1.mp4");
    CHECK(parsed("file:///videos/100%.mp4").location == "/videos/100%.mp4");
    CHECK(parsed("FILE:///videos/entrance.mp4").kind == SourceKind::file);
    CHECK(parsed("file:///videos/a.mp4").options.empty());
}

TEST_CASE("source URIs: rtsp(s) with our transport taken out of the camera's query") {
    SourceUri uri = parsed("rtsp://admin:pw@10.0.0.2:554/live?channel=1&transport=tcp&subtype");
    CHECK(uri.kind == SourceKind::rtsp);
    CHECK(uri.location == "rtsp://admin:pw@10.0.0.2:554/live?channel=1&subtype");
    CHECK(uri.options == Options{{"transport", "tcp"}});
    // The camera's query stays in its order.
    CHECK(parsed("rtsp://cam/live?b=2&a=1").location == "rtsp://cam/live?b=2&a=1");
    CHECK(parsed("rtsp://cam/live?transport=udp").location == "rtsp://cam/live");
    uri = parsed("rtsps://cam:322/live");
    CHECK(uri.kind == SourceKind::rtsp);
    CHECK(uri.location == "rtsps://cam:322/live");
    // Schemes are case-insensitive; GStreamer is given them in lower case.
    uri = parsed("RTSP://cam/Live?transport=tcp");
    CHECK(uri.kind == SourceKind::rtsp);
    CHECK(uri.location == "rtsp://cam/Live");
    CHECK(uri.text == "RTSP://cam/Live?transport=tcp");
}

TEST_CASE("source URIs: http(s), v4l2 and test") {
    SourceUri uri = parsed("Https://cam.local/video.mjpg?resolution=vga");
    CHECK(uri.kind == SourceKind::http);
    CHECK(uri.location == "https://cam.local/video.mjpg?resolution=vga");
    CHECK(parsed("http://10.0.0.3:8080/mjpeg").location == "http://10.0.0.3:8080/mjpeg");

    uri = parsed("v4l2:///dev/v4l/by-id/usb-cam-video-index0");
    CHECK(uri.kind == SourceKind::v4l2);
    CHECK(uri.location == "/dev/v4l/by-id/usb-cam-video-index0");

    uri = parsed("test://");
    CHECK(uri.kind == SourceKind::test);
    CHECK(uri.options.empty());
    CHECK(parsed("test://ball").options == Options{{"pattern", "ball"}});
    CHECK(parsed("test://?pattern=snow&width=160&height=120&fps=12.5").options ==
          Options{{"pattern", "snow"}, {"width", "160"}, {"height", "120"}, {"fps", "12.5"}});
    CHECK(parsed("test://smpte?fps=5").options == Options{{"pattern", "smpte"}, {"fps", "5"}});
    CHECK(is_live(SourceKind::test));
    CHECK_FALSE(is_live(SourceKind::file));
}

TEST_CASE("source URIs: what is refused, and why") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "empty; expected a file path or a URI"},
        {"rtp://10.0.0.2:5004",
         "unsupported scheme 'rtp'; expected file, rtsp, http(s), v4l2, test"},
        {"file://", "file:// needs a path, e.g. file:///videos/entrance.mp4"},
        {"rtsp:///stream", "'rtsp:///stream' has no host; expected rtsp://HOST[:PORT]/PATH"},
        {"rtsps://:322/live", "'rtsps://:322/live' has no host; expected rtsps://HOST[:PORT]/PATH"},
        {"rtsp://admin:pw@/live",
         "'rtsp://***@/live' has no host; expected rtsp://HOST[:PORT]/PATH"},
        {"HTTP:///mjpeg", "'HTTP:///mjpeg' has no host; expected http://HOST[:PORT]/PATH"},
        {"rtsp://cam/live?transport=sctp",
         "transport=sctp in 'rtsp://cam/live?transport=sctp'; expected tcp or udp"},
        {"rtsp://cam/live?transport",
         "transport= in 'rtsp://cam/live?transport'; expected tcp or udp"},
        {"rtsp://cam/live?transport=tcp&transport=udp",
         "option 'transport' given twice in 'rtsp://cam/live?transport=tcp&transport=udp'"},
        {"v4l2://video0", "'v4l2://video0' names no device; expected v4l2:///dev/videoN"},
        {"v4l2://", "'v4l2://' names no device; expected v4l2:///dev/videoN"},
        {"v4l2:///dev/", "'v4l2:///dev/' names no device; expected v4l2:///dev/videoN"},
        {"v4l2:///dev/video0?format=mjpeg",
         "unknown option 'format' in 'v4l2:///dev/video0?format=mjpeg'; v4l2:// takes none"},
        {"test://?pattern=ball&colour=red",
         "unknown option 'colour' in 'test://?pattern=ball&colour=red'; expected pattern, width, "
         "height or fps"},
        {"test://?width=-5",
         "option width=-5 in 'test://?width=-5'; expected an integer from 1 to "
         "16384"},
        {"test://?height=1.5",
         "option height=1.5 in 'test://?height=1.5'; expected an integer "
         "from 1 to 16384"},
        {"test://?fps=0",
         "option fps=0 in 'test://?fps=0'; expected a number above 0, at most 1000"},
        {"test://?fps=fast",
         "option fps=fast in 'test://?fps=fast'; expected a number above 0, at most 1000"},
        {"test://?pattern=", "option pattern= in 'test://?pattern=' is empty"},
        {"test://?ball", "option 'ball' in 'test://?ball' has no value; expected NAME=VALUE"},
        {"test://ball?pattern=snow", "option 'pattern' given twice in 'test://ball?pattern=snow'"},
    };
    for (const auto& [text, expected] : cases) {
        CAPTURE(text);
        CHECK(parse_source_uri(text, k_base).problem == expected);
    }
}

TEST_CASE("source URIs: a camera's password appears in no problem") {
    const std::string problem =
        parse_source_uri("rtsp://admin:s3cret@cam/live?transport=sctp", k_base).problem;
    CHECK(problem == "transport=sctp in 'rtsp://***@cam/live?transport=sctp'; expected tcp or udp");
}
