// The pipeline config: defaults, the example configs, files that are not configs.
#include "pipeline/config/config.h"
#include "inference/core/error.h"
#include "tests/support/test_data.h"
#include "tests/unit/pipeline/config_testing.h"

#include <doctest/doctest.h>

#include <fstream>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;

TEST_CASE("config: a minimal config gets every default") {
    ConfigFixture fixture;
    const Config config = fixture.checked();
    REQUIRE(config.pipelines.size() == 1);
    const PipelineConfig& pipeline = config.pipelines[0];
    CHECK(pipeline.name == "lobby");
    CHECK(pipeline.inference_interval == 1);
    CHECK(pipeline.publish_empty);

    REQUIRE(pipeline.sources.size() == 1);
    const SourceConfig& source = pipeline.sources[0];
    CHECK(source.id == "cam1");
    CHECK(source.uri.kind == SourceKind::rtsp);
    CHECK(!source.fps);
    CHECK(!source.loop);
    CHECK(!source.realtime);
    CHECK(!source.resolution);

    const ModelConfig& model = pipeline.model;
    CHECK(model.path == fixture.dir / "model.xml");
    CHECK(model.device == "AUTO");
    CHECK(model.hint == PerformanceHint::throughput);
    CHECK(model.nireq == 0);
    CHECK(model.labels.empty());
    CHECK(model.decoder == DecoderKind::ssd);
    CHECK(model.threshold == 0.5f);
    CHECK(model.top_k == 1);
    CHECK(model.preprocess.resize == ResizeMode::stretch);
    CHECK(model.preprocess.color == ColorOrder::bgr);
    CHECK(model.preprocess.mean == std::array<float, 3>{0, 0, 0});
    CHECK(model.preprocess.scale == std::array<float, 3>{1, 1, 1});
    CHECK(!model.preprocess.layout);

    REQUIRE(pipeline.outputs.size() == 1);
    const auto* mqtt = std::get_if<MqttOutputConfig>(&pipeline.outputs[0]);
    REQUIRE(mqtt);
    CHECK(mqtt->uri == "tcp://localhost:1883");
    // The host name keeps two boxes with one config apart (DESIGN.md, MQTT output).
    CHECK(mqtt->topic == "edgesight/{host}/{pipeline}/{source}/detections");
    CHECK(mqtt->events_topic == "edgesight/{host}/{pipeline}/{source}/events");
    CHECK(mqtt->status_topic == "edgesight/{host}/{pipeline}/status");
    CHECK(mqtt->stats_topic == "edgesight/{host}/{pipeline}/stats");
    CHECK(mqtt->qos == 1);
    CHECK(mqtt->client_id == "edgesight-{host}-{pipeline}");
    CHECK(mqtt->username.empty());
    CHECK(mqtt->password_file.empty());
    CHECK(!mqtt->tls);
    CHECK(mqtt->persistence_dir.empty());
}

TEST_CASE("config: every key set is read") {
    ConfigFixture fixture;
    fixture.write_file("secrets/password", "hunter2\n");
    fixture.write_file("tls/ca.pem", "ca");
    fixture.write_file("tls/client.pem", "cert");
    fixture.write_file("tls/client.key", "key");
    fixture.pipeline()["inference_interval"] = 3;
    fixture.pipeline()["publish_empty"] = false;
    fixture.pipeline()["sources"] = nlohmann::json::parse(R"([
        {"id": "file-1", "uri": "clip.mp4", "loop": true, "realtime": true, "fps": 12.5,
         "resolution": "640x360"},
        {"id": "file_2", "uri": "file://clip.mp4"},
        {"id": "usb", "uri": "v4l2:///dev/video2"},
        {"id": "web", "uri": "https://example.com/live.m3u8"},
        {"id": "pattern", "uri": "test://ball"}])");
    fixture.model() = nlohmann::json::parse(R"({
        "path": "model.xml", "device": "CPU", "hint": "latency", "nireq": 3,
        "labels": "labels.txt", "decoder": "classification", "threshold": 0.25, "top_k": 5,
        "preprocess": {"resize": "letterbox", "color": "rgb", "mean": [1, 2, 3], "scale": 0.5,
                       "layout": "NHWC"}})");
    fixture.pipeline()["outputs"] = nlohmann::json::parse(R"([
        {"mqtt": {"uri": "ssl://broker.local:8883", "topic": "site/{source}",
                  "events_topic": "site/{host}/{source}/tracks", "qos": 2,
                  "client_id": "me", "username": "edge", "password_file": "secrets/password",
                  "tls": {"ca": "tls/ca.pem", "cert": "tls/client.pem", "key": "tls/client.key"},
                  "persistence_dir": "queue"}},
        {"file": {"path": "out.jsonl", "max_bytes": 1000000, "max_files": 0}},
        {"stdout": {}}])");
    const Config config = fixture.checked();
    const PipelineConfig& pipeline = config.pipelines.at(0);
    CHECK(pipeline.inference_interval == 3);
    CHECK(!pipeline.publish_empty);

    REQUIRE(pipeline.sources.size() == 5);
    CHECK(pipeline.sources[0].uri.kind == SourceKind::file);
    CHECK(pipeline.sources[0].uri.location == fixture.dir / "clip.mp4");
    CHECK(pipeline.sources[0].loop);
    CHECK(pipeline.sources[0].realtime);
    CHECK(pipeline.sources[0].fps == 12.5);
    REQUIRE(pipeline.sources[0].resolution);
    CHECK(pipeline.sources[0].resolution->width == 640);
    CHECK(pipeline.sources[0].resolution->height == 360);
    CHECK(pipeline.sources[1].uri.location == fixture.dir / "clip.mp4");
    CHECK(pipeline.sources[2].uri.kind == SourceKind::v4l2);
    CHECK(pipeline.sources[3].uri.kind == SourceKind::http);
    CHECK(pipeline.sources[4].uri.kind == SourceKind::test);

    const ModelConfig& model = pipeline.model;
    CHECK(model.device == "CPU");
    CHECK(model.hint == PerformanceHint::latency);
    CHECK(model.nireq == 3);
    CHECK(model.labels == std::vector<std::string>{"background", "person", "car"});
    CHECK(model.decoder == DecoderKind::classification);
    CHECK(model.threshold == 0.25f);
    CHECK(model.top_k == 5);
    CHECK(model.preprocess.resize == ResizeMode::letterbox);
    CHECK(model.preprocess.color == ColorOrder::rgb);
    CHECK(model.preprocess.mean == std::array<float, 3>{1, 2, 3});
    CHECK(model.preprocess.scale == std::array<float, 3>{0.5f, 0.5f, 0.5f});
    CHECK(model.preprocess.layout == TensorLayout::nhwc);

    REQUIRE(pipeline.outputs.size() == 3);
    const auto& mqtt = std::get<MqttOutputConfig>(pipeline.outputs[0]);
    CHECK(mqtt.uri == "ssl://broker.local:8883");
    CHECK(mqtt.topic == "site/{source}");
    CHECK(mqtt.events_topic == "site/{host}/{source}/tracks");
    CHECK(mqtt.qos == 2);
    CHECK(mqtt.client_id == "me");
    CHECK(mqtt.username == "edge");
    CHECK(mqtt.password_file == fixture.dir / "secrets/password");
    REQUIRE(mqtt.tls);
    CHECK(mqtt.tls->ca == fixture.dir / "tls/ca.pem");
    CHECK(mqtt.tls->key == fixture.dir / "tls/client.key");
    CHECK(mqtt.persistence_dir == fixture.dir / "queue");
    const auto& file = std::get<FileOutputConfig>(pipeline.outputs[1]);
    CHECK(file.path == fixture.dir / "out.jsonl");
    CHECK(file.max_bytes == 1000000);
    CHECK(file.max_files == 0);
    CHECK(std::holds_alternative<StdoutOutputConfig>(pipeline.outputs[2]));
}

TEST_CASE("config: source URIs are read as the source reads them") {
    ConfigFixture fixture;
    fixture.write_file("my clip.mp4", "");
    fixture.pipeline()["sources"] = nlohmann::json::parse(R"([
        {"id": "escaped", "uri": "file://my%20clip.mp4"},
        {"id": "tls", "uri": "rtsps://cam.local:322/live?transport=tcp&channel=2"},
        {"id": "upper", "uri": "RTSP://10.0.0.2/stream"},
        {"id": "pattern", "uri": "test://snow?width=160&height=120"}])");
    const PipelineConfig pipeline = fixture.checked().pipelines.at(0);
    REQUIRE(pipeline.sources.size() == 4);
    CHECK(pipeline.sources[0].uri.location == fixture.dir / "my clip.mp4");
    const SourceUri& tls = pipeline.sources[1].uri;
    CHECK(tls.kind == SourceKind::rtsp);
    CHECK(tls.location == "rtsps://cam.local:322/live?channel=2");
    CHECK(tls.options.at("transport") == "tcp");
    CHECK(pipeline.sources[2].uri.location == "rtsp://10.0.0.2/stream");
    CHECK(pipeline.sources[2].uri.text == "RTSP://10.0.0.2/stream");
    CHECK(pipeline.sources[3].uri.options == std::map<std::string, std::string>{{"pattern", "snow"},
                                                                                {"width", "160"},
                                                                                {"height", "120"}});
}

TEST_CASE("config: the example configs pass the check") {
    const auto shared = shared_dir();
    for (const std::string name : {"file-video.json", "rtsp-camera.json", "usb-camera.json"}) {
        CAPTURE(name);
        const auto check =
            check_config(nlohmann::json::parse(example_config_text(name, shared)),
                         std::filesystem::path(ES_SOURCE_DIR) / "configs", k_device_names);
        for (const auto& problem : check.problems)
            FAIL_CHECK(to_string(problem));
        CHECK(check.config.pipelines.size() >= 1);
    }
}

TEST_CASE("config: files that are not configs") {
    const auto dir = temp_dir("config-file");
    CHECK(check_config_file(dir / "absent.json", k_device_names).problems.at(0).message ==
          "no such file");
    CHECK(check_config_file(dir, k_device_names).problems.at(0).message ==
          "cannot be read as a file");

    std::ofstream(dir / "broken.json") << "{\n  \"pipelines\": [\n    {,\n  ]\n}\n";
    const auto broken = check_config_file(dir / "broken.json", k_device_names);
    REQUIRE(broken.problems.size() == 1);
    CHECK(broken.problems[0].path.empty());
    CHECK(broken.problems[0].message.find("not valid JSON: parse error at line 3, column 6") == 0);

    std::ofstream(dir / "array.json") << "[]";
    const auto array = check_config_file(dir / "array.json", k_device_names);
    REQUIRE(array.problems.size() == 1);
    CHECK(to_string(array.problems[0]) == "expected an object, found an array");

    std::ofstream(dir / "empty.json") << R"({"pipelines": []})";
    CHECK(to_string(check_config_file(dir / "empty.json", k_device_names).problems.at(0)) ==
          "pipelines: expected at least one pipeline");
}

TEST_CASE("config: parse_config throws every problem, one per line") {
    const auto dir = temp_dir("config-parse");
    const auto path = dir / "bad.json";
    std::ofstream(path) << R"({"pipelines": [{"name": "a b"}], "extra": 1})";
    try {
        parse_config(path, k_device_names);
        FAIL("parse_config accepted a bad config");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        const std::string message = error.what();
        CHECK(message.find(path.string() + ": extra: unknown key; expected pipelines") !=
              std::string::npos);
        CHECK(message.find(path.string() + ": pipelines[0].name: pipeline name 'a b' has "
                                           "characters other than letters, digits, '_' and '-'") !=
              std::string::npos);
        CHECK(message.find("pipelines[0].sources: missing; expected an array") !=
              std::string::npos);
        CHECK(message.find("pipelines[0].model: missing; expected an object") != std::string::npos);
        CHECK(message.find("pipelines[0].outputs: missing; expected an array") !=
              std::string::npos);
    }
}

TEST_CASE("config: secrets from systemd credentials, and a changed secret changes the config") {
    ConfigFixture fixture;
    fixture.output() = nlohmann::json::parse(R"({"mqtt": {"uri": "ssl://broker:8883",
        "username": "edge", "password_file": "credential:mqtt-password",
        "tls": {"ca": "credential:broker-ca"}}})");
    const auto credentials = fixture.dir / "credentials";
    std::filesystem::create_directories(credentials);
    std::ofstream(credentials / "mqtt-password") << "first";
    std::ofstream(credentials / "broker-ca") << "-----BEGIN CERTIFICATE-----";

    ::unsetenv("CREDENTIALS_DIRECTORY");
    const auto problems = fixture.problems();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] ==
          "pipelines[0].outputs[0].mqtt.password_file: credential:mqtt-password: "
          "CREDENTIALS_DIRECTORY is not set; systemd sets it for a unit with "
          "LoadCredential=mqtt-password:PATH");

    ::setenv("CREDENTIALS_DIRECTORY", credentials.c_str(), 1);
    const Config first = fixture.checked();
    const auto& mqtt = std::get<MqttOutputConfig>(first.pipelines.at(0).outputs.at(0));
    CHECK(mqtt.password_file == credentials / "mqtt-password");
    CHECK(mqtt.tls->ca == credentials / "broker-ca");
    CHECK(fixture.checked().pipelines == first.pipelines);  // nothing changed: equal

    std::ofstream(credentials / "mqtt-password") << "second";
    CHECK_FALSE(fixture.checked().pipelines == first.pipelines);  // a reload restarts it
    ::unsetenv("CREDENTIALS_DIRECTORY");

    fixture.output()["mqtt"]["password_file"] = "credential:../password";
    CHECK(fixture.problems().at(0).find("expected credential:NAME, NAME without '/'") !=
          std::string::npos);
}
