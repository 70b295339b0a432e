// `edgesight run` on bad input: a bad config, a model that cannot be loaded, a truncated video.
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>

using namespace es::testing;

TEST_CASE("run: a bad config exits 2 with the check report") {
    const auto model = face_detector();
    if (!model) return;
    const auto dir = temp_dir("run-bad-config");
    auto pipeline = face_pipeline("bad", *model, {dir / "missing.mp4"},
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
    if (!model) return;
    const auto dir = temp_dir("run-bad-model");
    make_clip(dir / "clip.mp4", 12, 320, 240, "x264enc ! mp4mux");
    std::ofstream(dir / "broken.xml") << "<net name=\"broken\" version=\"11\"><layers>";
    std::ofstream(dir / "broken.bin") << "";
    const auto broken = face_pipeline("broken", dir / "broken.xml", {dir / "clip.mp4"},
                                      {{{"file", {{"path", (dir / "broken.jsonl").string()}}}}});
    const auto good = face_pipeline("good", *model, {dir / "clip.mp4"},
                                    {{{"file", {{"path", (dir / "good.jsonl").string()}}}}});
    const auto run = run_edgesight(dir, {broken, good});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("pipeline broken:") != std::string::npos);
    CHECK(run.err.find("broken.xml") != std::string::npos);
    CHECK(json_lines(read_text(dir / "good.jsonl")).size() == 12);
}

TEST_CASE("run: a truncated video is a clear error, not a crash") {
    const auto model = face_detector();
    if (!model) return;
    const auto dir = temp_dir("run-truncated");
    make_clip(dir / "full.mp4", 30, 320, 240, "x264enc ! mp4mux");
    write_truncated(dir / "full.mp4", dir / "clip.mp4", 3000);
    const auto run =
        run_edgesight(dir, {face_pipeline("cut", *model, {dir / "clip.mp4"},
                                          {{{"file", {{"path", (dir / "out.jsonl").string()}}}}})});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("source clip") != std::string::npos);
    CHECK(run.err.find("cut/clip:") != std::string::npos);
}
