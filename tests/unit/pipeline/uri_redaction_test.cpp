// redact_uri: what logs and error messages print instead of a source URI.
#include "pipeline/config/uri_redaction.h"

#include <doctest/doctest.h>

using es::pipeline::redact_uri;

TEST_CASE("redact_uri: the user information of a URI becomes ***") {
    CHECK(redact_uri("rtsp://user:pass@192.168.1.64:554/Streaming/Channels/101") ==
          "rtsp://***@192.168.1.64:554/Streaming/Channels/101");
    CHECK(redact_uri("rtsp://admin@cam.local/live") == "rtsp://***@cam.local/live");
    CHECK(redact_uri("https://user:secret@example.com/video.mjpg?x=1") ==
          "https://***@example.com/video.mjpg?x=1");
    // A password with characters that were not escaped: all of it goes.
    CHECK(redact_uri("rtsp://admin:p/a?s#s@cam:554/live") == "rtsp://***@cam:554/live");
    CHECK(redact_uri("rtsp://a:b@c@cam/live") == "rtsp://***@cam/live");
}

TEST_CASE("redact_uri: URIs without user information and other text stay as they are") {
    for (const char* text :
         {"rtsp://192.168.1.64:554/Streaming/Channels/101", "file:///videos/entrance.mp4",
          "v4l2:///dev/video0", "test://?pattern=ball", "no URI here", "", "user@example.com",
          "mailto user@host: rtsp://cam/live"}) {
        CAPTURE(text);
        CHECK(redact_uri(text) == text);
    }
}

TEST_CASE("redact_uri: every URI in a message, which goes on after each of them") {
    CHECK(
        redact_uri("source gate (rtsp://u:p@10.0.0.1/a): Could not open 'rtsp://u:p@10.0.0.2/b'") ==
        "source gate (rtsp://***@10.0.0.1/a): Could not open 'rtsp://***@10.0.0.2/b'");
    CHECK(redact_uri("uri rtsp://u:p@cam\nnext line user@host") ==
          "uri rtsp://***@cam\nnext line user@host");
}
