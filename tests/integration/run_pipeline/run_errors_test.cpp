// `edgesight run` on bad input: a bad config, a model that cannot be loaded, a truncated video,
// garbage bytes and a refused RTSP camera.
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/wait.h>

#include <csignal>
#include <fstream>

using namespace es::testing;

TEST_CASE("run: a bad config exits 2 with the check report") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-bad-config");
    auto pipeline = face_pipeline("bad", model, {dir / "missing.mp4"},
                                  {{{"stdout", nlohmann::json::object()}}});
    pipeline["model"]["threshold"] = 2;
    const auto run = run_edgesight(dir, {pipeline});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("pipelines[0].model.threshold") != std::string::npos);
    CHECK(run.err.find("pipelines[0].sources[0]") != std::string::npos);
    CHECK(run.out.empty());
}

TEST_CASE("run: a model that fails to load stops only its own pipeline") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-bad-model");
    make_clip(dir / "clip.mp4", 12, 320, 240, "x264enc ! mp4mux");
    std::ofstream(dir / "broken.xml") << "<net name=\"broken\" version=\"11\"><layers>";
    std::ofstream(dir / "broken.bin") << "";
    const auto broken = face_pipeline("broken", dir / "broken.xml", {dir / "clip.mp4"},
                                      {{{"file", {{"path", (dir / "broken.jsonl").string()}}}}});
    const auto good = face_pipeline("good", model, {dir / "clip.mp4"},
                                    {{{"file", {{"path", (dir / "good.jsonl").string()}}}}});
    const auto run = run_edgesight(dir, {broken, good});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("pipeline broken:") != std::string::npos);
    CHECK(run.err.find("broken.xml") != std::string::npos);
    CHECK(json_lines(read_text(dir / "good.jsonl")).size() == 12);
}

TEST_CASE("run: a truncated video is a clear error, not a crash") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-truncated");
    make_clip(dir / "full.mp4", 30, 320, 240, "x264enc ! mp4mux");
    write_truncated(dir / "full.mp4", dir / "clip.mp4", 3000);
    const auto run =
        run_edgesight(dir, {face_pipeline("cut", model, {dir / "clip.mp4"},
                                          {{{"file", {{"path", (dir / "out.jsonl").string()}}}}})});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("source clip") != std::string::npos);
    CHECK(run.err.find("cut/clip:") != std::string::npos);
}

TEST_CASE("run: garbage bytes and a refused RTSP camera fail alone, the other pipeline runs on") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-bad-streams");
    make_clip(dir / "clip.mp4", 12, 320, 240, "x264enc ! mp4mux");
    write_garbage(dir / "garbage.mp4", 20000);
    auto bad = face_pipeline("bad", model, {dir / "garbage.mp4"},
                             {{{"file", {{"path", (dir / "bad.jsonl").string()}}}}});
    bad["sources"].push_back(
        {{"id", "camera"}, {"uri", fmt::format("rtsp://127.0.0.1:{}/cam", free_tcp_port())}});
    const auto good = face_pipeline("good", model, {dir / "clip.mp4"},
                                    {{{"file", {{"path", (dir / "good.jsonl").string()}}}}});
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({bad, good})}}.dump();

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    // The camera is retried until stopped; the good pipeline finishes its clip meanwhile.
    REQUIRE(wait_until([&] { return json_lines(read_text(dir / "good.jsonl")).size() == 12; },
                       std::chrono::seconds(30)));
    REQUIRE(process.wait_for_output("source camera", std::chrono::seconds(10)));
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    REQUIRE(WIFEXITED(status));
    CHECK(process.output().find("garbage.mp4): Could not determine type") != std::string::npos);
    CHECK(process.output().find("rtsp://127.0.0.1") != std::string::npos);
    CHECK(process.output().find("good/clip: 12 frames decoded, 12 inferred") != std::string::npos);
    CHECK(json_lines(read_text(dir / "bad.jsonl")).empty());
}
