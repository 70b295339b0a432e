// Pipelines of one `edgesight run` share the cores: each model computes on its part of them.
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>

using namespace es::testing;

TEST_CASE("run: two pipelines split the cores between their models") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-core-sharing");
    make_clip(dir / "clip.mp4", 6, 320, 240, "x264enc ! mp4mux");
    const auto cores = run_command("nproc");
    REQUIRE(cores.exit_code == 0);
    const int share = std::max(1, std::stoi(cores.output) / 2);
    const auto run = run_edgesight(
        dir,
        {face_pipeline("a", model, {dir / "clip.mp4"}, {{{"stdout", nlohmann::json::object()}}}),
         face_pipeline("b", model, {dir / "clip.mp4"}, {{{"stdout", nlohmann::json::object()}}})});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    // The throughput hint: one single-thread stream per core of the share.
    for (const char* name : {"a", "b"})
        CHECK(run.err.find(fmt::format(
                  "pipeline {}: face-detection-retail-0004.xml on CPU, {} streams", name, share)) !=
              std::string::npos);
    CHECK(json_lines(run.out).size() == 12);
}
