// The /metrics HTTP server on a free loopback port.
#include "pipeline/metrics/metrics_server.h"
#include "tests/unit/metrics/http_client.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

using namespace es::testing;
using es::pipeline::MetricsServer;

namespace {

// A port nothing listens on now (bound once and released).
int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    REQUIRE(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    close(fd);
    return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("metrics server: GET /metrics, 404 otherwise, a silent client times out") {
    const int port = free_port();
    std::atomic<int> renders{0};
    const MetricsServer server("127.0.0.1:" + std::to_string(port), [&renders] {
        return "# TYPE x counter\nx " + std::to_string(++renders) + "\n";
    });
    REQUIRE(server.listening());

    const HttpResponse first = http_get(port, "/metrics");
    CHECK(first.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first.head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    CHECK(first.head.find("Content-Length: " + std::to_string(first.body.size())) !=
          std::string::npos);
    CHECK(first.body == "# TYPE x counter\nx 1\n");
    CHECK(http_get(port, "/metrics?x=1").body == "# TYPE x counter\nx 2\n");

    for (const char* target : {"/", "/metric", "/metrics/x"}) {
        CAPTURE(target);
        CHECK(http_get(port, target).head.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    }

    // Connected and silent, then half a request: each is dropped after the read timeout and
    // the next client is served.
    const int silent = connect_loopback(port);
    const int partial = connect_loopback(port);
    REQUIRE(silent >= 0);
    REQUIRE(partial >= 0);
    CHECK(send(partial, "GET /metr", 9, MSG_NOSIGNAL) == 9);
    CHECK(http_get(port, "/metrics").body == "# TYPE x counter\nx 3\n");
    close(silent);
    close(partial);
}

TEST_CASE("metrics server: off when empty, a clear failure when the port is taken") {
    CHECK(!MetricsServer("", [] { return std::string(); }).listening());
    const int port = free_port();
    const MetricsServer first("127.0.0.1:" + std::to_string(port), [] { return std::string(); });
    REQUIRE(first.listening());
    const MetricsServer second("127.0.0.1:" + std::to_string(port), [] { return std::string(); });
    CHECK(!second.listening());
}

TEST_CASE("metrics server: which listen hosts other machines can reach") {
    for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
        CAPTURE(host);
        CHECK(es::pipeline::is_loopback_host(host));
    }
    for (const char* host : {"", "0.0.0.0", "::", "192.168.1.20", "edge-box.local"}) {
        CAPTURE(host);
        CHECK_FALSE(es::pipeline::is_loopback_host(host));
    }
}
