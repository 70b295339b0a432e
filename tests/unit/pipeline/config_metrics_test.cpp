// The top-level `metrics` and `stats_interval` keys.
#include "pipeline/config/config.h"
#include "tests/unit/pipeline/config_testing.h"

#include <doctest/doctest.h>

using namespace es::testing;
using es::pipeline::parse_listen_address;

TEST_CASE("config metrics: defaults, values and errors with their paths") {
    ConfigFixture fixture;
    CHECK(fixture.checked().metrics.listen == "127.0.0.1:9464");
    CHECK(fixture.checked().stats_interval == 30);

    fixture.config["metrics"] = {{"listen", "0.0.0.0:9100"}};
    fixture.config["stats_interval"] = 0;
    CHECK(fixture.checked().metrics.listen == "0.0.0.0:9100");
    CHECK(fixture.checked().stats_interval == 0);
    fixture.config["metrics"]["listen"] = "";
    CHECK(fixture.checked().metrics.listen.empty());

    fixture.config["metrics"] = {{"listen", "localhost"}, {"port", 1}};
    fixture.config["stats_interval"] = -1;
    const auto problems = fixture.problems();
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == "metrics.port: unknown key; expected listen");
    CHECK(problems[1] ==
          "metrics.listen: 'localhost': expected HOST:PORT with a port 1..65535 "
          "(\"127.0.0.1:9464\"), or \"\" for no metrics");
    CHECK(problems[2] == "stats_interval: expected an integer from 0 to 86400, found number -1");

    fixture.config["stats_interval"] = 5;
    fixture.config["metrics"] = {{"listen", 9464}};
    REQUIRE(fixture.problems().size() == 1);
    CHECK(fixture.problems()[0] ==
          "metrics.listen: expected a string \"HOST:PORT\" or \"\", found number 9464");
}

TEST_CASE("config metrics: listen addresses") {
    const auto v4 = parse_listen_address("127.0.0.1:9464");
    REQUIRE(v4);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 9464);
    const auto v6 = parse_listen_address("[::1]:80");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 80);
    const auto any = parse_listen_address(":9464");
    CHECK(!any);
    for (const char* bad :
         {"", "host", "host:", "host:0", "host:65536", "host:9x", "::1:80", "[::1:80", "[]:80"})
        CHECK_MESSAGE(!parse_listen_address(bad), bad);
}
