// A live source far faster than its model, for a minute: the published results stay fresh
// (end-to-end latency bounded by a few inference times), the frames the model could not take
// are counted as dropped, and the resident memory stays flat once warm.
//
// EDGESIGHT_SOAK_SECONDS sets the run's length (default 60; the memory check needs >= 20).
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto k_warm_up = 15s;

std::chrono::seconds soak_duration() {
    const char* configured = std::getenv("EDGESIGHT_SOAK_SECONDS");
    return std::chrono::seconds(configured ? std::atoi(configured) : 60);
}

int64_t wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// VmRSS of process `pid` in kB; 0 when it cannot be read.
long resident_kb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return 0;
}

// Reads the lines appended to a file since the last call.
class LineFollower {
  public:
    explicit LineFollower(std::filesystem::path path) : m_path(std::move(path)) {}

    std::vector<std::string> new_lines() {
        std::ifstream file(m_path, std::ios::binary);
        file.seekg(static_cast<std::streamoff>(m_offset));
        std::vector<std::string> lines;
        for (std::string line; std::getline(file, line) && !file.eof();) {
            m_offset += line.size() + 1;
            lines.push_back(std::move(line));
        }
        return lines;
    }

  private:
    std::filesystem::path m_path;
    size_t m_offset = 0;
};

double median(std::vector<long> values) {
    std::sort(values.begin(), values.end());
    return static_cast<double>(values[values.size() / 2]);
}

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

}  // namespace

TEST_CASE("run: a 60 fps source into a slow model keeps latency bounded and memory flat") {
    // The reference engine: one thread, ~100 ms per inference, so the source is far faster.
    const auto model = face_detector();
    const auto duration = soak_duration();
    REQUIRE(duration >= k_warm_up + 5s);
    const auto dir = temp_dir("run-slow-model");

    // The model alone, one request at a time, as the pipeline below runs it.
    const CommandResult bench =
        run_command(edgesight_binary().string() + " bench '" + model.string() +
                    "' --device REF --hint latency --nireq 1 --time 5 "
                    "--json 2>/dev/null");
    REQUIRE(bench.exit_code == 0);
    const double inference_ms =
        nlohmann::json::parse(bench.output).at("latency_ms").at("median").get<double>();
    MESSAGE("median inference: " << inference_ms << " ms");

    const auto out = dir / "out.jsonl";
    const nlohmann::json pipeline = {
        {"name", "lobby"},
        {"sources", {{{"id", "cam"}, {"uri", "test://?pattern=ball&width=640&height=360&fps=60"}}}},
        {"model",
         {{"path", model.string()},
          {"device", "REF"},
          {"hint", "latency"},
          {"nireq", 1},
          {"decoder", "ssd"},
          {"labels", {"background", "face"}},
          {"threshold", 0.5}}},
        {"outputs", {{{"file", {{"path", out.string()}}}}}}};
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string(),
                          "--json-summary", (dir / "summary.json").string()},
                         dir / "output.txt");
    const pid_t pid = process.pid();
    LineFollower follower(out);
    std::vector<double> latencies_ms;
    std::vector<long> warm_rss_kb;
    const auto start = std::chrono::steady_clock::now();
    auto next_sample = start + 1s;
    while (std::chrono::steady_clock::now() - start < duration && process.running()) {
        for (const auto& line : follower.new_lines()) {
            const int64_t timestamp = nlohmann::json::parse(line).at("timestamp");
            latencies_ms.push_back(static_cast<double>(wall_ns() - timestamp) / 1e6);
        }
        if (std::chrono::steady_clock::now() >= next_sample) {
            if (next_sample - start >= k_warm_up) warm_rss_kb.push_back(resident_kb(pid));
            next_sample += 1s;
        }
        std::this_thread::sleep_for(5ms);
    }
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    // The first results include the model's first runs, which allocate.
    REQUIRE(latencies_ms.size() > 10);
    latencies_ms.erase(latencies_ms.begin(), latencies_ms.begin() + 3);
    const double p50 = percentile(latencies_ms, 50), p99 = percentile(latencies_ms, 99);
    MESSAGE("end-to-end latency over " << latencies_ms.size() << " messages: p50 " << p50
                                       << " ms, p99 " << p99 << " ms");
    CHECK(p99 < 3 * inference_ms);

    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary.at("pipelines").at(0).at("sources").at(0);
    MESSAGE("summary: " << source.dump());
    CHECK(source.at("dropped").get<uint64_t>() > 0);
    CHECK(source.at("errors") == 0);

    // glibc returns freed memory to the system and takes it again: the resident size swings by
    // a few percent from one second to the next. Growth is the last third against the first.
    REQUIRE(warm_rss_kb.size() >= 5);
    const size_t third = warm_rss_kb.size() / 3;
    const double first_kb =
        median(std::vector<long>(warm_rss_kb.begin(), warm_rss_kb.begin() + third));
    const double last_kb = median(std::vector<long>(warm_rss_kb.end() - third, warm_rss_kb.end()));
    MESSAGE("RSS after warm-up (" << warm_rss_kb.size() << " samples, kB): first third " << first_kb
                                  << ", last third " << last_kb << ", peak "
                                  << *std::max_element(warm_rss_kb.begin(), warm_rss_kb.end()));
    CHECK(first_kb > 0);
    CHECK(last_kb < 1.05 * first_kb);
}
