#include "pipeline/publish/mqtt_publisher.h"
#include "tests/integration/pipeline_io/log_capture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <optional>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// Runs `command` (openssl, mosquitto_passwd); the test fails when it does not succeed.
void must_run(const std::string& command) {
    const CommandResult result = run_command(command + " 2>&1");
    INFO(command);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
}

// Certificates made with openssl in one folder: a CA ("ca"), a second CA the publisher does not
// trust ("rogue-ca"), and certificates signed by the CA: "server" for 127.0.0.1, "other" for
// the host name other.example, "expired" for 127.0.0.1 but expired yesterday, "rogue" for
// 127.0.0.1 signed by the rogue CA, "client" a client certificate. Each NAME has NAME.crt and
// NAME.key. Also a mosquitto password file "passwd" with user "edge", password "secret".
class TestPki {
  public:
    TestPki() : m_dir(temp_dir("mqtt-tls")) {
        make_ca("ca");
        make_ca("rogue-ca");
        make_cert("server", "ca", "IP:127.0.0.1", 1);
        make_cert("other", "ca", "DNS:other.example", 1);
        make_cert("expired", "ca", "IP:127.0.0.1", -1);
        make_cert("rogue", "rogue-ca", "IP:127.0.0.1", 1);
        make_cert("client", "ca", "DNS:edgesight-client", 1);
        must_run("mosquitto_passwd -c -b " + path("passwd").string() + " edge secret");
    }

    std::filesystem::path path(const std::string& name) const { return m_dir / name; }
    std::filesystem::path crt(const std::string& name) const { return m_dir / (name + ".crt"); }
    std::filesystem::path key(const std::string& name) const { return m_dir / (name + ".key"); }

    // A broker whose TLS listener presents certificate `name`, clients verified against the CA.
    MosquittoSecurity broker(const std::string& name, bool require_certificate = false) const {
        return MosquittoSecurity{{}, crt("ca"), crt(name), key(name), require_certificate};
    }

  private:
    static std::string new_key(const std::filesystem::path& key) {
        return " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + key.string();
    }
    void make_ca(const std::string& name) {
        must_run("openssl req -x509" + new_key(key(name)) + " -out " + crt(name).string() +
                 " -days 2 -subj '/CN=edgesight test " + name + "'");
    }
    // `days` -1: expired since yesterday.
    void make_cert(const std::string& name, const std::string& ca, const std::string& san,
                   int days) {
        const auto csr = path(name + ".csr");
        const auto ext = path(name + ".ext");
        std::ofstream(ext) << "subjectAltName=" << san << "\n";
        must_run("openssl req" + new_key(key(name)) + " -out " + csr.string() +
                 " -subj '/CN=" + name + "'");
        must_run("openssl x509 -req -in " + csr.string() + " -CA " + crt(ca).string() + " -CAkey " +
                 key(ca).string() + " -CAcreateserial -days " + std::to_string(days) +
                 " -extfile " + ext.string() + " -out " + crt(name).string());
    }

    std::filesystem::path m_dir;
};

MqttTls trusting(const std::filesystem::path& ca_file) {
    MqttTls tls;
    tls.ca_file = ca_file;
    return tls;
}

MqttOptions tls_options(const MosquittoBroker& broker, const std::string& client_id,
                        const std::optional<MqttTls>& tls) {
    MqttOptions options;
    options.broker = broker.uri();
    options.pipeline = "lobby";
    options.client_id = client_id;
    options.tls = tls;
    options.persistence_dir = temp_dir("mqtt-tls-persist");
    options.reconnect_min = 1s;
    options.reconnect_max = 1s;
    return options;
}

// Publishes three results and waits for their acknowledgement.
bool delivers(MqttPublisher& publisher) {
    FrameResult result;
    result.pipeline = "lobby";
    result.source = "cam";
    for (int i = 0; i < 3; ++i)
        publisher.publish(result);
    return publisher.flush(10s) && publisher.stats().delivered == 3;
}

// The publisher never connects, and logs once why, naming the broker: "MQTT URI: cannot connect
// (REASON...".
void check_refused(const MosquittoBroker& broker, const std::optional<MqttTls>& tls,
                   const std::string& reason) {
    LogCapture log;
    MqttPublisher publisher(tls_options(broker, "pub-refused", tls));
    REQUIRE(wait_until([&] { return log.count("cannot connect") > 0; }, 15s));
    INFO(log.text());
    CHECK(log.count("MQTT " + broker.uri() + ": cannot connect (TLS: " + reason) == 1);
    CHECK_FALSE(publisher.stats().connected);
}

}  // namespace

TEST_CASE(
    "MQTT over TLS with a password file: the right password delivers, a wrong one is "
    "refused and logged once") {
    const TestPki pki;
    MosquittoSecurity security = pki.broker("server");
    security.password_file = pki.path("passwd");
    auto broker = MosquittoBroker::start_new(security);
    REQUIRE(broker);

    const auto with_password = [&](const std::string& password) {
        std::ofstream(pki.path("password-" + password)) << password << "\n";
        MqttOptions options = tls_options(*broker, "pub-" + password, trusting(pki.crt("ca")));
        options.username = "edge";
        options.password_file = pki.path("password-" + password);
        return options;
    };
    MqttPublisher publisher(with_password("secret"));
    CHECK(delivers(publisher));

    LogCapture log;
    MqttPublisher refused(with_password("wrong"));
    REQUIRE(wait_until([&] { return log.count("cannot connect") > 0; }, 10s));
    INFO(log.text());
    CHECK(log.count("cannot connect (not authorized)") == 1);
    CHECK_FALSE(refused.stats().connected);
}

TEST_CASE("MQTT over TLS: a certificate from the trusted CA for the broker's host connects") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("server"));
    REQUIRE(broker);
    LogCapture log;
    MqttPublisher publisher(tls_options(*broker, "pub-right", trusting(pki.crt("ca"))));
    CHECK(delivers(publisher));
    CHECK(log.count("not verified") == 0);
}

TEST_CASE("MQTT over TLS: a certificate from a CA the publisher does not trust is refused") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("rogue"));
    REQUIRE(broker);
    check_refused(*broker, trusting(pki.crt("ca")),
                  "the broker's certificate is not signed by a trusted CA");
    // Without TLS settings an ssl:// broker is verified against the system's CAs, which do not
    // know the test CA either.
    check_refused(*broker, std::nullopt, "the broker's certificate is not signed by a trusted CA");
}

TEST_CASE("MQTT over TLS: a certificate for another host name is refused") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("other"));
    REQUIRE(broker);
    check_refused(*broker, trusting(pki.crt("ca")),
                  "the broker's certificate is not for host '127.0.0.1'");
}

TEST_CASE("MQTT over TLS: an expired certificate is refused") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("expired"));
    REQUIRE(broker);
    check_refused(*broker, trusting(pki.crt("ca")), "the broker's certificate has expired");
}

TEST_CASE("MQTT over TLS: verify_hostname false accepts another host name, with a warning") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("other"));
    REQUIRE(broker);
    LogCapture log;
    MqttTls tls = trusting(pki.crt("ca"));
    tls.verify_hostname = false;
    MqttPublisher publisher(tls_options(*broker, "pub-any-name", tls));
    CHECK(delivers(publisher));
    INFO(log.text());
    CHECK(log.count("[warning] MQTT " + broker->uri() +
                    ": the broker's host name is not verified") == 1);
    // The chain is still verified.
    auto rogue = MosquittoBroker::start_new(pki.broker("rogue"));
    REQUIRE(rogue);
    check_refused(*rogue, tls, "the broker's certificate is not signed by a trusted CA");
}

TEST_CASE("MQTT over TLS: a broker that requires a client certificate accepts the publisher's") {
    const TestPki pki;
    auto broker = MosquittoBroker::start_new(pki.broker("server", true));
    REQUIRE(broker);
    MqttPublisher publisher(
        tls_options(*broker, "pub-client-cert",
                    MqttTls{pki.crt("ca"), pki.crt("client"), pki.key("client"), true}));
    CHECK(delivers(publisher));
    check_refused(*broker, trusting(pki.crt("ca")), "the broker refused the TLS connection");
}
