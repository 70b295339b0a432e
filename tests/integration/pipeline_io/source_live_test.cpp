#include "pipeline/source/source.h"
#include "tests/integration/pipeline_io/log_capture.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/rtsp_test_server.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

SourceSpec live_spec(const std::string& id, const std::string& uri) {
    SourceSpec spec;
    spec.id = id;
    spec.uri = source_uri(uri);
    return spec;
}

// What a source reported through its callbacks.
struct Observed {
    std::mutex mutex;
    std::vector<SourceStatus> statuses;
    std::atomic<uint64_t> frames{0};

    Source::StatusCallback on_status() {
        return [this](const SourceStatus& status) {
            std::lock_guard lock(mutex);
            statuses.push_back(status);
        };
    }
    Source::FrameCallback on_frame() {
        return [this](Frame&&) { ++frames; };
    }
    std::vector<SourceStatus> with_state(SourceState state) {
        std::lock_guard lock(mutex);
        std::vector<SourceStatus> found;
        for (const auto& status : statuses)
            if (status.state == state) found.push_back(status);
        return found;
    }
};

// Serves `body` once over HTTP as a multipart/x-mixed-replace stream, like an MJPEG camera.
class MjpegHttpServer {
  public:
    explicit MjpegHttpServer(std::string body) : m_body(std::move(body)) {
        m_listener = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof(address);
        bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof(address));
        listen(m_listener, 4);
        getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &size);
        m_port = ntohs(address.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~MjpegHttpServer() {
        shutdown(m_listener, SHUT_RDWR);
        close(m_listener);
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/video"; }

  private:
    void serve() {
        const int client = accept(m_listener, nullptr, nullptr);
        if (client < 0) return;
        char request[4096];
        [[maybe_unused]] const auto ignored = recv(client, request, sizeof(request), 0);
        const std::string response =
            "HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace; boundary=frame\r\n\r\n" +
            m_body;
        for (size_t sent = 0; sent < response.size();) {
            const ssize_t count =
                send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
            if (count <= 0) break;
            sent += static_cast<size_t>(count);
        }
        close(client);
    }

    std::string m_body;
    int m_listener = -1;
    int m_port = 0;
    std::thread m_thread;
};

}  // namespace

TEST_CASE("a live test:// source keeps the newest frame and counts what a slow consumer missed") {
    Source source(live_spec("live", "test://?pattern=ball&width=160&height=120&fps=100"));
    CHECK(source.is_live());
    source.start();
    const auto first = source.pull(5s);
    REQUIRE(first);
    CHECK(first->width == 160);
    CHECK(first->height == 120);
    std::this_thread::sleep_for(300ms);  // the slow consumer: ~30 frames go by
    const uint64_t decoded_before_pull = source.counters().frames;
    const auto next = source.pull(1s);
    REQUIRE(next);
    CHECK(source.counters().dropped > 0);
    // What waited was the newest frame, not the oldest.
    CHECK(next->frame_number + 1 >= decoded_before_pull);
    CHECK(next->frame_number > first->frame_number + 20);
    CHECK(source.status().state == SourceState::Playing);
}

TEST_CASE("a refused RTSP connection is logged once and retried with doubling delays") {
    LogCapture log;
    const int port = free_tcp_port();  // nothing listens there
    Observed observed;
    Source source(live_spec("door", "rtsp://127.0.0.1:" + std::to_string(port) + "/cam"),
                  RetryPolicy{100ms, 400ms, 10s});
    source.start(observed.on_frame(), observed.on_status());
    REQUIRE(
        wait_until([&] { return observed.with_state(SourceState::Retrying).size() >= 4; }, 10s));
    source.stop();
    const auto retries = observed.with_state(SourceState::Retrying);
    CHECK(retries[0].retry_in == 100ms);
    CHECK(retries[1].retry_in == 200ms);
    CHECK(retries[2].retry_in == 400ms);
    CHECK(retries[3].retry_in == 400ms);
    MESSAGE("refused RTSP: " << retries[0].message);
    CHECK_FALSE(retries[0].message.empty());
    CHECK(source.counters().restarts >= 3);
    CHECK(source.counters().reconnects == source.counters().restarts);
    CHECK(observed.frames == 0);
    CHECK(log.count("door (rtsp://127.0.0.1:" + std::to_string(port) +
                    "/cam): " + retries[0].message) == 1);
}

TEST_CASE("an RTSP source over TCP reconnects by itself after the server was away for 5 s") {
    const int port = free_tcp_port();
    RtspTestServer server(port);
    server.start();
    Observed observed;
    Source source(live_spec("gate", server.url() + "?transport=tcp"), RetryPolicy{500ms, 2s, 3s});
    source.start(observed.on_frame(), observed.on_status());
    REQUIRE(wait_until([&] { return observed.frames >= 5; }, 10s));

    server.stop();
    REQUIRE(wait_until([&] { return !observed.with_state(SourceState::Retrying).empty(); }, 10s));
    MESSAGE("RTSP server gone: " << observed.with_state(SourceState::Retrying)[0].message);
    std::this_thread::sleep_for(5s);
    const uint64_t frames_while_away = observed.frames;
    server.start();

    CHECK(wait_until([&] { return observed.frames >= frames_while_away + 5; }, 15s));
    CHECK(source.status().state == SourceState::Playing);
    CHECK(observed.with_state(SourceState::Playing).size() >= 2);
    CHECK(source.counters().restarts >= 1);
}

TEST_CASE("an RTSP source over UDP (the default transport) delivers frames") {
    const int port = free_tcp_port();
    RtspTestServer server(port);
    server.start();
    Source source(live_spec("yard", server.url()));
    source.start();
    const auto frame = source.pull(10s);
    REQUIRE(frame);
    CHECK(frame->width == 160);
    CHECK(frame->height == 120);
    CHECK(frame->source_id == "yard");
}

TEST_CASE("an HTTP MJPEG source decodes the camera's multipart stream") {
    const auto dir = temp_dir("source-http");
    make_clip(dir / "stream.mjpeg", 20, 160, 120, "jpegenc ! multipartmux boundary=frame");
    std::ifstream file(dir / "stream.mjpeg", std::ios::binary);
    MjpegHttpServer server(std::string(std::istreambuf_iterator<char>(file), {}));
    Observed observed;
    Source source(live_spec("shop", server.url()), RetryPolicy{10s, 10s, 10s});
    source.start(observed.on_frame(), observed.on_status());
    // The server sends 20 pictures and hangs up, which a live source treats as a failure.
    REQUIRE(wait_until([&] { return !observed.with_state(SourceState::Retrying).empty(); }, 10s));
    CHECK(source.counters().frames == 20);
    CHECK(observed.with_state(SourceState::Playing).size() == 1);
}

TEST_CASE("a V4L2 device that is not there is retried with the GStreamer error") {
    Observed observed;
    Source source(live_spec("usb", "v4l2:///dev/video-none"), RetryPolicy{100ms, 100ms, 10s});
    source.start(observed.on_frame(), observed.on_status());
    REQUIRE(
        wait_until([&] { return observed.with_state(SourceState::Retrying).size() >= 2; }, 10s));
    const std::string message = observed.with_state(SourceState::Retrying)[0].message;
    MESSAGE("missing V4L2 device: " << message);
    CHECK(message.find("/dev/video-none") != std::string::npos);
}

TEST_CASE("an RTSP source's credentials appear in no log line, status or error") {
    LogCapture log;
    const int port = free_tcp_port();  // nothing listens there
    const std::string uri = "rtsp://admin:s3cret@127.0.0.1:" + std::to_string(port) + "/cam";
    Observed observed;
    Source source(live_spec("door", uri + "?transport=tcp"), RetryPolicy{100ms, 100ms, 10s});
    source.start(observed.on_frame(), observed.on_status());
    REQUIRE(
        wait_until([&] { return observed.with_state(SourceState::Retrying).size() >= 2; }, 10s));
    source.stop();
    INFO(log.text());
    CHECK(log.count("door (rtsp://***@127.0.0.1:" + std::to_string(port) + "/cam?transport=tcp)") ==
          1);
    CHECK(log.text().find("s3cret") == std::string::npos);
    for (const auto& status : observed.with_state(SourceState::Retrying))
        CHECK(status.message.find("s3cret") == std::string::npos);

    const std::string problem = parse_source_uri(uri + "?transport=sctp", "/").problem;
    CHECK(problem.find("s3cret") == std::string::npos);
    CHECK(problem.find("rtsp://***@127.0.0.1") != std::string::npos);
}
