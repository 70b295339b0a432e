#include "pipeline/publish/mqtt_publisher.h"
#include "tests/integration/pipeline_io/log_capture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iostream>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// A CA, a server certificate for 127.0.0.1 signed by it, and a mosquitto password file with
// user "edge", password "secret"; nullopt (with a notice) when openssl or mosquitto_passwd
// is missing.
std::optional<MosquittoSecurity> make_security(const std::filesystem::path& dir) {
    const std::string d = dir.string();
    const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    for (const std::string& command : {
             "openssl req -x509" + key + " -keyout " + d + "/ca.key -out " + d +
                 "/ca.crt -days 1 -subj '/CN=edgesight test CA'",
             "openssl req" + key + " -keyout " + d + "/server.key -out " + d +
                 "/server.csr -subj '/CN=127.0.0.1'",
             "printf 'subjectAltName=IP:127.0.0.1\\n' > " + d +
                 "/san.ext && openssl x509 -req -in " + d + "/server.csr -CA " + d +
                 "/ca.crt -CAkey " + d + "/ca.key -CAcreateserial -days 1 -extfile " + d +
                 "/san.ext -out " + d + "/server.crt",
             "mosquitto_passwd -c -b " + d + "/passwd edge secret",
         }) {
        const CommandResult result = run_command(command);
        if (result.exit_code != 0) {
            std::cerr << "notice: '" << command << "' failed (" << result.output
                      << "); skipping the MQTT TLS test\n";
            return std::nullopt;
        }
    }
    return MosquittoSecurity{dir / "passwd", dir / "ca.crt", dir / "server.crt",
                             dir / "server.key"};
}

MqttOptions tls_options(const MosquittoBroker& broker, const std::filesystem::path& dir,
                        const std::string& password) {
    std::ofstream(dir / ("password-" + password)) << password << "\n";
    MqttOptions options;
    options.broker = broker.uri();
    options.pipeline = "lobby";
    options.client_id = "pub-" + password;
    options.username = "edge";
    options.password_file = dir / ("password-" + password);
    options.tls = MqttTls{dir / "ca.crt", {}, {}};
    options.persistence_dir = dir / ("persist-" + password);
    return options;
}

}  // namespace

TEST_CASE(
    "MQTT over TLS with a password file: the right password delivers, a wrong one is "
    "refused and logged once") {
    const auto dir = temp_dir("mqtt-tls");
    const auto security = make_security(dir);
    if (!security) return;
    auto broker = MosquittoBroker::start_new(*security);
    if (!broker) return;

    MqttPublisher publisher(tls_options(*broker, dir, "secret"));
    FrameResult result;
    result.pipeline = "lobby";
    result.source = "cam";
    for (int i = 0; i < 3; ++i)
        publisher.publish(result);
    CHECK(publisher.flush(10s));
    CHECK(publisher.stats().delivered == 3);

    LogCapture log;
    MqttPublisher refused(tls_options(*broker, dir, "wrong"));
    REQUIRE(wait_until([&] { return log.count("cannot connect") > 0; }, 10s));
    INFO(log.text());
    CHECK(log.count("cannot connect (not authorized)") == 1);
    CHECK_FALSE(refused.stats().connected);
}
