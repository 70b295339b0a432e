// What the config check and the MQTT publisher share: schemes, templates, the host name.
#include "pipeline/config/mqtt_naming.h"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace es::pipeline;

TEST_CASE("MQTT schemes: one list says which brokers use TLS") {
    for (const char* uri : {"ssl://b:8883", "mqtts://b", "wss://b/mqtt"}) {
        CAPTURE(uri);
        REQUIRE(find_mqtt_scheme(uri));
        CHECK(find_mqtt_scheme(uri)->tls);
    }
    for (const char* uri : {"tcp://b:1883", "mqtt://b", "ws://b/mqtt"}) {
        CAPTURE(uri);
        REQUIRE(find_mqtt_scheme(uri));
        CHECK_FALSE(find_mqtt_scheme(uri)->tls);
    }
    CHECK_FALSE(find_mqtt_scheme("http://b"));
    CHECK_FALSE(find_mqtt_scheme("b:1883"));
    CHECK_FALSE(find_mqtt_scheme("SSL://b"));
    CHECK(mqtt_scheme_list() == "tcp://, mqtt://, ws://, ssl://, mqtts:// or wss://");
    CHECK(mqtt_scheme_list(true) == "ssl://, mqtts:// or wss://");
}

TEST_CASE("MQTT host name: one topic level, from EDGESIGHT_HOST when set") {
    CHECK(mqtt_topic_level("gate-3.example_net") == "gate-3.example_net");
    CHECK(mqtt_topic_level("a/b+c#d{e} f") == "a_b_c_d_e__f");
    CHECK(mqtt_topic_level("") == "unknown");

    const char* saved = std::getenv("EDGESIGHT_HOST");
    const std::string previous = saved ? saved : "";
    setenv("EDGESIGHT_HOST", "box/+#1", 1);
    CHECK(mqtt_host_name() == "box___1");
    unsetenv("EDGESIGHT_HOST");
    const std::string host = mqtt_host_name();
    CHECK_FALSE(host.empty());
    CHECK(host.find_first_of("/+#{} ") == std::string::npos);
    if (saved) setenv("EDGESIGHT_HOST", previous.c_str(), 1);
}

TEST_CASE("MQTT templates: placeholders replaced, wildcards and unknown names refused") {
    const MqttTemplateValues values{"box", "lobby", "cam1"};
    CHECK(render_mqtt_template(k_default_detection_topic, values, true).text ==
          "edgesight/box/lobby/cam1/detections");
    CHECK(render_mqtt_template(k_default_events_topic, values, true).text ==
          "edgesight/box/lobby/cam1/events");
    const MqttTemplateValues no_source{"box", "lobby", ""};
    CHECK(render_mqtt_template(k_default_status_topic, no_source, true).text ==
          "edgesight/box/lobby/status");
    CHECK(render_mqtt_template(k_default_stats_topic, no_source, true).text ==
          "edgesight/box/lobby/stats");
    CHECK(render_mqtt_template(k_default_client_id, no_source, false).text ==
          "edgesight-box-lobby");

    CHECK(render_mqtt_template("a/{source}", no_source, true).problem ==
          "'a/{source}': unknown placeholder '{source}'; expected {host} or {pipeline}");
    CHECK(render_mqtt_template("a/{cam", values, true).problem ==
          "'a/{cam': unknown placeholder '{cam'; expected {host}, {pipeline} or {source}");
    CHECK(render_mqtt_template("a/+", values, true).problem ==
          "'a/+' has the wildcard '+'; a published topic names one topic");
    // A client id is no topic: '+' and '#' are allowed there.
    CHECK(render_mqtt_template("id+#", values, false).problem.empty());
    CHECK(render_mqtt_template("", values, false).problem == "'' is empty");
}
