// Each kind of config error, reported with its exact JSON path; all of them at once.
#include "pipeline/config/config.h"
#include "tests/unit/pipeline/config_testing.h"

#include <doctest/doctest.h>

#include <functional>

using namespace es::testing;
using es::pipeline::mqtt_host_name;
using nlohmann::json;

namespace {

// The config's only problem is `expected`.
void check_problem(const ConfigFixture& fixture, const std::string& expected) {
    const auto problems = fixture.problems();
    CAPTURE(fixture.config.dump());
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == expected);
}

// `text` with each "{dir}" replaced by `dir`.
std::string with_dir(std::string text, const std::filesystem::path& dir) {
    for (size_t at = text.find("{dir}"); at != std::string::npos; at = text.find("{dir}", at))
        text.replace(at, 5, dir.string());
    return text;
}

}  // namespace

TEST_CASE("config errors: unknown keys, with a near match when there is one") {
    ConfigFixture fixture;
    fixture.model()["treshold"] = 0.3;
    check_problem(fixture, "pipelines[0].model.treshold: unknown key; did you mean 'threshold'?");

    fixture = ConfigFixture();
    fixture.pipeline()["Outputs"] = json::array();
    check_problem(fixture, "pipelines[0].Outputs: unknown key; did you mean 'outputs'?");

    fixture = ConfigFixture();
    fixture.source()["camera"] = "x";
    check_problem(fixture,
                  "pipelines[0].sources[0].camera: unknown key; expected id, uri, fps, "
                  "loop, resolution or realtime");

    fixture = ConfigFixture();
    fixture.output() = json::parse(R"({"stdout": {"pretty": true}})");
    check_problem(fixture,
                  "pipelines[0].outputs[0].stdout.pretty: unknown key; this object takes no keys");
}

TEST_CASE("config errors: wrong types and values out of range") {
    const std::vector<std::pair<std::function<void(ConfigFixture&)>, std::string>> cases = {
        {[](auto& f) { f.model()["threshold"] = "0.5"; },
         "pipelines[0].model.threshold: expected a number from 0 to 1, found string '0.5'"},
        {[](auto& f) { f.model()["threshold"] = 1.5; },
         "pipelines[0].model.threshold: expected a number from 0 to 1, found number 1.5"},
        {[](auto& f) { f.model()["nireq"] = -1; },
         "pipelines[0].model.nireq: expected an integer from 0 to 64, found number -1"},
        {[](auto& f) { f.model()["nireq"] = 2.5; },
         "pipelines[0].model.nireq: expected an integer from 0 to 64, found number 2.5"},
        {[](auto& f) { f.pipeline()["inference_interval"] = 0; },
         "pipelines[0].inference_interval: expected an integer from 1 to 1000, found number 0"},
        {[](auto& f) { f.pipeline()["publish_empty"] = "yes"; },
         "pipelines[0].publish_empty: expected true or false, found string 'yes'"},
        {[](auto& f) { f.source()["fps"] = 0; },
         "pipelines[0].sources[0].fps: expected a number from 0.01 to 1000, found number 0"},
        {[](auto& f) { f.model()["device"] = 3; },
         "pipelines[0].model.device: expected a non-empty string, found number 3"},
        {[](auto& f) { f.model()["device"] = "CUDA"; },
         "pipelines[0].model.device: unknown device 'CUDA'; expected AUTO, CPU or REF"},
        {[](auto& f) { f.model()["hint"] = "fast"; },
         "pipelines[0].model.hint: unsupported value 'fast'; expected throughput or latency"},
        {[](auto& f) { f.model()["decoder"] = "yolov8"; },
         "pipelines[0].model.decoder: unsupported value 'yolov8'; expected ssd, yolo, centernet, "
         "blazeface "
         "or classification (did you mean 'yolo'?)"},
        {[](auto& f) { f.model().erase("decoder"); },
         "pipelines[0].model.decoder: missing; expected ssd, yolo, centernet, blazeface or "
         "classification"},
        {[](auto& f) { f.model()["top_k"] = 3; },
         "pipelines[0].model.top_k: applies to the classification decoder only; this model's "
         "decoder is ssd"},
        {[](auto& f) { f.model()["preprocess"] = json::parse(R"({"resize": "crop"})"); },
         "pipelines[0].model.preprocess.resize: unsupported value 'crop'; expected stretch or "
         "letterbox"},
        {[](auto& f) { f.model()["preprocess"] = json::parse(R"({"layout": "nchw"})"); },
         "pipelines[0].model.preprocess.layout: unsupported value 'nchw'; expected NCHW or NHWC "
         "(did you mean 'NCHW'?)"},
        {[](auto& f) { f.model()["preprocess"] = json::parse(R"({"mean": [1, 2]})"); },
         "pipelines[0].model.preprocess.mean: expected a number or an array of 3 numbers, found "
         "an array"},
        {[](auto& f) { f.model()["preprocess"] = json::parse(R"({"scale": [1, 0, 1]})"); },
         "pipelines[0].model.preprocess.scale: expected a non-zero number or an array of 3 "
         "non-zero numbers, found an array"},
        {[](auto& f) { f.model()["preprocess"] = "rgb"; },
         "pipelines[0].model.preprocess: expected an object, found string 'rgb'"},
        {[](auto& f) { f.model()["labels"] = json::parse(R"(["a", 2])"); },
         "pipelines[0].model.labels[1]: expected a string, found number 2"},
        {[](auto& f) { f.model()["labels"] = json::array(); },
         "pipelines[0].model.labels: expected at least one label"},
        {[](auto& f) { f.pipeline()["sources"] = json::array(); },
         "pipelines[0].sources: expected at least one source"},
        {[](auto& f) { f.pipeline()["sources"] = json::object(); },
         "pipelines[0].sources: expected an array, found an object"},
        {[](auto& f) { f.pipeline()["outputs"] = json::array(); },
         "pipelines[0].outputs: expected at least one output"},
    };
    for (const auto& [change, expected] : cases) {
        ConfigFixture fixture;
        change(fixture);
        check_problem(fixture, expected);
    }
}

TEST_CASE("config errors: names and duplicates") {
    ConfigFixture fixture;
    fixture.pipeline()["name"] = "lobby/1";
    check_problem(fixture,
                  "pipelines[0].name: pipeline name 'lobby/1' has characters other than "
                  "letters, digits, '_' and '-'");

    fixture = ConfigFixture();
    fixture.pipeline().erase("name");
    check_problem(fixture, "pipelines[0].name: missing; expected a string");

    fixture = ConfigFixture();
    fixture.config["pipelines"].push_back(fixture.pipeline());
    fixture.config["pipelines"][1]["outputs"][0]["mqtt"]["client_id"] = "other";
    check_problem(fixture,
                  "pipelines[1].name: duplicate pipeline name 'lobby' (also "
                  "pipelines[0])");

    fixture = ConfigFixture();
    fixture.pipeline()["sources"].push_back(fixture.source());
    check_problem(fixture,
                  "pipelines[0].sources[1].id: duplicate source id 'cam1' (also "
                  "pipelines[0].sources[0])");

    fixture = ConfigFixture();
    fixture.source()["id"] = "cam 1";
    check_problem(fixture,
                  "pipelines[0].sources[0].id: source id 'cam 1' has characters other "
                  "than letters, digits, '_' and '-'");
}

TEST_CASE("config errors: source URIs and file-only keys") {
    const std::vector<std::pair<json, std::string>> cases = {
        {{{"id", "a"}, {"uri", "rtp://10.0.0.2:5004"}},
         "pipelines[0].sources[0].uri: unsupported scheme 'rtp'; expected file, rtsp, http(s), "
         "v4l2, test"},
        {{{"id", "a"}, {"uri", "rtsp:///stream"}},
         "pipelines[0].sources[0].uri: 'rtsp:///stream' has no host; expected "
         "rtsp://HOST[:PORT]/PATH"},
        {{{"id", "a"}, {"uri", "v4l2://video0"}},
         "pipelines[0].sources[0].uri: 'v4l2://video0' names no device; expected "
         "v4l2:///dev/videoN"},
        {{{"id", "a"}, {"uri", "file://"}},
         "pipelines[0].sources[0].uri: file:// needs a path, e.g. file:///videos/entrance.mp4"},
        {{{"id", "a"}, {"uri", "rtsp://cam/1"}, {"loop", true}},
         "pipelines[0].sources[0].loop: applies to file sources only; this source is rtsp"},
        {{{"id", "a"}, {"uri", "test://"}, {"realtime", false}},
         "pipelines[0].sources[0].realtime: applies to file sources only; this source is test"},
        {{{"id", "a"}, {"uri", "test://"}, {"resolution", "1280*720"}},
         "pipelines[0].sources[0].resolution: cannot read '1280*720'; expected WIDTHxHEIGHT, "
         "e.g. 1280x720 (1 to 16384 each)"},
        {{{"id", "a"}}, "pipelines[0].sources[0].uri: missing; expected a string"},
    };
    for (const auto& [source, expected] : cases) {
        ConfigFixture fixture;
        fixture.source() = source;
        check_problem(fixture, expected);
    }
}

// What the source would refuse when it starts, `check` reports.
TEST_CASE("config errors: source URI options the source refuses") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"test://?pattern=ball&colour=red",
         "unknown option 'colour' in 'test://?pattern=ball&colour=red'; expected pattern, width, "
         "height or fps"},
        {"test://?width=0",
         "option width=0 in 'test://?width=0'; expected an integer from 1 to "
         "16384"},
        {"rtsp://admin:s3cret@cam/live?transport=sctp",
         "transport=sctp in 'rtsp://***@cam/live?transport=sctp'; expected tcp or udp"},
        {"v4l2:///dev/video0?format=mjpeg",
         "unknown option 'format' in 'v4l2:///dev/video0?format=mjpeg'; v4l2:// takes none"},
    };
    for (const auto& [uri, expected] : cases) {
        ConfigFixture fixture;
        fixture.source()["uri"] = uri;
        check_problem(fixture, "pipelines[0].sources[0].uri: " + expected);
    }
}

TEST_CASE("config errors: files the config names must exist and be readable") {
    const std::vector<std::pair<std::function<void(ConfigFixture&)>, std::string>> cases = {
        {[](auto& f) {
             f.source() = {{"id", "a"}, {"uri", "missing.mp4"}};
         },
         "pipelines[0].sources[0].uri: {dir}/missing.mp4: no such file"},
        {[](auto& f) {
             f.source() = {{"id", "a"}, {"uri", "file://" + f.dir.string()}};
         },
         "pipelines[0].sources[0].uri: {dir}: is a folder; expected a file"},
        {[](auto& f) { f.model()["path"] = "models/missing.xml"; },
         "pipelines[0].model.path: {dir}/models/missing.xml: no such file"},
        {[](auto& f) {
             f.write_file("nobin.xml", "<net/>");
             f.model()["path"] = "nobin.xml";
         },
         "pipelines[0].model.path: {dir}/nobin.bin: no such file"},
        {[](auto& f) {
             f.write_file("model.tflite", "");
             f.model()["path"] = "model.tflite";
         },
         "pipelines[0].model.path: {dir}/model.tflite: unknown model format; expected an IR "
         ".xml, an ONNX .onnx, a TensorFlow frozen .pb, SavedModel folder or TF.js model.json"},
        {[](auto& f) { f.model()["path"] = "."; },
         "pipelines[0].model.path: {dir}/: a folder without saved_model.pb; expected an IR .xml, "
         "an ONNX .onnx, a TensorFlow frozen .pb, SavedModel folder or TF.js model.json"},
        {[](auto& f) { f.model()["labels"] = "coco.txt"; },
         "pipelines[0].model.labels: {dir}/coco.txt: no such file"},
        {[](auto& f) {
             f.write_file("empty.txt", "\n\n");
             f.model()["labels"] = "empty.txt";
         },
         "pipelines[0].model.labels: {dir}/empty.txt: no labels; expected one label per line"},
        {[](auto& f) {
             f.output()["mqtt"] = {{"username", "u"}, {"password_file", "/nonexistent/password"}};
         },
         "pipelines[0].outputs[0].mqtt.password_file: /nonexistent/password: no such file"},
        {[](auto& f) {
             f.output()["mqtt"] = {{"uri", "ssl://broker:8883"}, {"tls", {{"ca", "ca.pem"}}}};
         },
         "pipelines[0].outputs[0].mqtt.tls.ca: {dir}/ca.pem: no such file"},
        {[](auto& f) {
             f.output() = {{"file", {{"path", "logs/out.jsonl"}}}};
         },
         "pipelines[0].outputs[0].file.path: {dir}/logs/out.jsonl: folder {dir}/logs does not "
         "exist"},
    };
    for (const auto& [change, expected] : cases) {
        ConfigFixture fixture;
        change(fixture);
        check_problem(fixture, with_dir(expected, fixture.dir));
    }
}

TEST_CASE("config errors: outputs") {
    const std::vector<std::pair<json, std::string>> cases = {
        {json::parse(R"({"mqtt": {}, "stdout": {}})"),
         "pipelines[0].outputs[0]: expected an object with one key, mqtt, file or stdout; found 2 "
         "keys"},
        {json::parse(R"("stdout")"),
         "pipelines[0].outputs[0]: expected an object with one key, mqtt, file or stdout; found "
         "string 'stdout'"},
        {json::parse(R"({"mqqt": {}})"),
         "pipelines[0].outputs[0].mqqt: unknown output 'mqqt'; expected mqtt, file or stdout (did "
         "you mean 'mqtt'?)"},
        {json::parse(R"({"mqtt": {"uri": "localhost:1883"}})"),
         "pipelines[0].outputs[0].mqtt.uri: 'localhost:1883': expected tcp://, mqtt://, ws://, "
         "ssl://, mqtts:// or wss:// followed by HOST[:PORT]"},
        {json::parse(R"({"mqtt": {"uri": "tcp://broker:99999"}})"),
         "pipelines[0].outputs[0].mqtt.uri: 'tcp://broker:99999': expected tcp://HOST[:PORT] "
         "with a port from 1 to 65535"},
        {json::parse(R"({"mqtt": {"qos": 3}})"),
         "pipelines[0].outputs[0].mqtt.qos: expected an integer from 0 to 2, found number 3"},
        {json::parse(R"({"mqtt": {"topic": "cams/+/detections"}})"),
         "pipelines[0].outputs[0].mqtt.topic: 'cams/+/detections' has the wildcard '+'; a "
         "published topic names one topic"},
        {json::parse(R"({"mqtt": {"topic": "cams/{camera}"}})"),
         "pipelines[0].outputs[0].mqtt.topic: 'cams/{camera}': unknown placeholder '{camera}'; "
         "expected {host}, {pipeline} or {source}"},
        {json::parse(R"({"mqtt": {"events_topic": "cams/+/events"}})"),
         "pipelines[0].outputs[0].mqtt.events_topic: 'cams/+/events' has the wildcard '+'; a "
         "published topic names one topic"},
        {json::parse(R"({"mqtt": {"events_topic": "cams/{camera}/events"}})"),
         "pipelines[0].outputs[0].mqtt.events_topic: 'cams/{camera}/events': unknown placeholder "
         "'{camera}'; expected {host}, {pipeline} or {source}"},
        {json::parse(R"({"mqtt": {"topic": "cams/{source}", "events_topic": "cams/{source}"}})"),
         "pipelines[0].outputs[0].mqtt.events_topic: 'cams/{source}' is the results' topic; "
         "expected a topic of its own"},
        {json::parse(R"({"mqtt": {"events_topic": 17}})"),
         "pipelines[0].outputs[0].mqtt.events_topic: expected a non-empty string, found number 17"},
        {json::parse(R"({"mqtt": {"status_topic": "cams/{source}/status"}})"),
         "pipelines[0].outputs[0].mqtt.status_topic: 'cams/{source}/status': unknown "
         "placeholder '{source}'; expected {host} or {pipeline}"},
        {json::parse(R"({"mqtt": {"stats_topic": "cams/#"}})"),
         "pipelines[0].outputs[0].mqtt.stats_topic: 'cams/#' has the wildcard '#'; a published "
         "topic names one topic"},
        {json::parse(R"({"mqtt": {"client_id": "{host}-{camera}"}})"),
         "pipelines[0].outputs[0].mqtt.client_id: '{host}-{camera}': unknown placeholder "
         "'{camera}'; expected {host} or {pipeline}"},
        {json::parse(R"({"mqtt": {"uri": "ssl://b", "tls": {"verify_hostname": "no"}}})"),
         "pipelines[0].outputs[0].mqtt.tls.verify_hostname: expected true or false, found string "
         "'no'"},
        {json::parse(R"({"mqtt": {"password_file": "labels.txt"}})"),
         "pipelines[0].outputs[0].mqtt.password_file: a password needs a username (MQTT sends "
         "no password without one)"},
        {json::parse(R"({"mqtt": {"tls": {}}})"),
         "pipelines[0].outputs[0].mqtt.tls: the broker uri uses tcp://, which does not use TLS; "
         "expected ssl://, mqtts:// or wss://"},
        {json::parse(R"({"mqtt": {"uri": "mqtts://b", "tls": {"cert": "labels.txt"}}})"),
         "pipelines[0].outputs[0].mqtt.tls.cert: a client certificate needs both cert and key"},
        {json::parse(R"({"mqtt": {"persistence_dir": "labels.txt"}})"),
         "pipelines[0].outputs[0].mqtt.persistence_dir: {dir}/labels.txt: exists and is not a "
         "folder"},
        {json::parse(R"({"mqtt": {"persistence_dir": "labels.txt/queue"}})"),
         "pipelines[0].outputs[0].mqtt.persistence_dir: {dir}/labels.txt/queue: cannot be "
         "created, {dir}/labels.txt is not a folder"},
        {json::parse(R"({"mqtt": {"max_buffered": 0}})"),
         "pipelines[0].outputs[0].mqtt.max_buffered: expected an integer from 1 to 10000000, "
         "found number 0"},
        {json::parse(R"({"file": {}})"),
         "pipelines[0].outputs[0].file.path: missing; expected a string"},
        {json::parse(R"({"file": {"path": "out.jsonl", "max_files": 1001}})"),
         "pipelines[0].outputs[0].file.max_files: expected an integer from 0 to 1000, found "
         "number 1001"},
        {json::parse(R"({"file": {"path": "."}})"),
         "pipelines[0].outputs[0].file.path: {dir}/: is a folder; expected a file to append JSON "
         "lines to"},
    };
    for (const auto& [output, expected] : cases) {
        ConfigFixture fixture;
        fixture.output() = output;
        check_problem(fixture, with_dir(expected, fixture.dir));
    }
}

TEST_CASE("config errors: TLS settings need a TLS scheme, as the publisher says") {
    for (const es::pipeline::MqttScheme& scheme : es::pipeline::mqtt_schemes()) {
        CAPTURE(scheme.name);
        ConfigFixture fixture;
        fixture.output() = {
            {"mqtt",
             {{"uri", std::string(scheme.name) + "://broker:8883"}, {"tls", json::object()}}}};
        CHECK(fixture.problems().empty() == scheme.tls);
    }
}

TEST_CASE("config errors: one client id for two MQTT connections") {
    ConfigFixture fixture;
    fixture.pipeline()["outputs"].push_back(fixture.output());
    check_problem(fixture, "pipelines[0].outputs[1].mqtt.client_id: client id 'edgesight-" +
                               mqtt_host_name() +
                               "-lobby' is also used by pipelines[0].outputs[0].mqtt; a broker "
                               "keeps only one connection per client id");
}

TEST_CASE("config errors: every problem is reported at once") {
    ConfigFixture fixture;
    fixture.model()["threshold"] = 2;
    fixture.model()["devise"] = "CPU";
    fixture.source()["uri"] = "rtp://x";
    fixture.output()["mqtt"]["qos"] = "1";
    const auto problems = fixture.problems();
    CHECK(problems == std::vector<std::string>{
                          "pipelines[0].sources[0].uri: unsupported scheme 'rtp'; expected file, "
                          "rtsp, http(s), v4l2, test",
                          "pipelines[0].model.devise: unknown key; did you mean 'device'?",
                          "pipelines[0].model.threshold: expected a number from 0 to 1, found "
                          "number 2",
                          "pipelines[0].outputs[0].mqtt.qos: expected an integer from 0 to 2, "
                          "found string '1'",
                      });
}

TEST_CASE("config errors: only a missing or unreadable model file is left for run to retry") {
    ConfigFixture fixture;
    fixture.model()["path"] = "mount/model.xml";
    auto check = es::pipeline::check_config(fixture.config, fixture.dir, k_device_names);
    REQUIRE(check.problems.size() == 1);
    CHECK(check.problems[0].deferred);
    CHECK_FALSE(check.ok());
    CHECK(check.runnable());
    CHECK(check.config.pipelines.at(0).model.path == fixture.dir / "mount" / "model.xml");

    fixture.source() = {{"id", "a"}, {"uri", "missing.mp4"}};
    check = es::pipeline::check_config(fixture.config, fixture.dir, k_device_names);
    REQUIRE(check.problems.size() == 2);
    CHECK_FALSE(check.runnable());

    fixture = ConfigFixture();
    fixture.write_file("model.tflite", "");
    fixture.model()["path"] = "model.tflite";
    CHECK_FALSE(es::pipeline::check_config(fixture.config, fixture.dir, k_device_names).runnable());
}
