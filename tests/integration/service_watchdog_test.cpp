// `edgesight run` under a Type=notify service with a watchdog: a file source read from a FIFO
// stalls for real when the writer stops writing but keeps the FIFO open. WATCHDOG=1 pings flow
// while frames do, stop while the source is stuck, and come back when frames flow again.
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/support/notify_socket.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <regex>
#include <thread>
#include <vector>

using namespace es::testing;

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// WATCHDOG_USEC=1 s: the run pings every 0.5 s and calls a source stalled after 1 s.
constexpr auto k_watchdog = 1s;
// How long the pings must stay away once the run reports the stall: two more watchdog periods
// and a margin, so systemd would certainly have killed the service.
constexpr auto k_quiet = 2 * k_watchdog + 500ms;
// Bounds each phase on a loaded machine; the phases normally take a few seconds.
constexpr auto k_phase_deadline = 30s;

bool is_ping(const std::string& message) {
    return message.rfind("WATCHDOG=1\n", 0) == 0;
}
bool is_stalled(const std::string& message) {
    return message.rfind("STATUS=stalled: live/cam", 0) == 0;
}

// Frames inferred, from the STATUS= line of a ping.
long inferred(const std::string& message) {
    std::smatch match;
    static const std::regex frames(R"((\d+) frames inferred)");
    return std::regex_search(message, match, frames) ? std::stol(match[1]) : -1;
}

// The edgesight run in the background, its notifications, and the FIFO it reads its video from.
class WatchedRun {
  public:
    WatchedRun(const std::filesystem::path& dir, NotifySocket& notify, int fifo_fd)
        : m_dir(dir), m_notify(notify), m_fifo_fd(fifo_fd) {
        m_runner = std::thread([this] {
            m_result = run_command(
                "echo $$ > '" + (m_dir / "pid").string() + "'; exec env NOTIFY_SOCKET='" +
                (m_dir / "notify.sock").string() + "' WATCHDOG_USEC=1000000 '" +
                edgesight_binary().string() + "' run '" + (m_dir / "config.json").string() + "'");
            m_exited = true;
        });
    }

    ~WatchedRun() {
        if (!m_exited) {
            if (const pid_t pid = this->pid(); pid > 0) kill(pid, SIGKILL);
        }
        close_fifo();
        if (m_runner.joinable()) m_runner.join();
    }

    // Queues `data` for the FIFO; `step` writes what the FIFO takes without blocking.
    void write(const std::string& data) { m_pending += data; }
    bool written() const { return m_pending.empty(); }
    // The writer's end goes away: the run reads to the end of the stream.
    void close_fifo() {
        if (m_fifo_fd >= 0) close(m_fifo_fd);
        m_fifo_fd = -1;
    }

    // Writes what it can and waits up to 50 ms for a notification; the messages received.
    std::vector<std::string> step() {
        if (!m_pending.empty() && m_fifo_fd >= 0) {
            const ssize_t size = ::write(m_fifo_fd, m_pending.data(), m_pending.size());
            if (size > 0) m_pending.erase(0, static_cast<size_t>(size));
        }
        std::vector<std::string> messages;
        for (auto message = m_notify.receive(50ms); message; message = m_notify.receive(0ms))
            messages.push_back(*message);
        return messages;
    }

    pid_t pid() const {
        std::ifstream pid_file(m_dir / "pid");
        pid_t pid = 0;
        return pid_file >> pid ? pid : 0;
    }
    bool exited() const { return m_exited; }
    void terminate() {
        if (const pid_t pid = this->pid(); pid > 0 && !m_exited) kill(pid, SIGTERM);
    }
    // Waits for the run to end; its exit code and output.
    CommandResult result() {
        if (m_runner.joinable()) m_runner.join();
        return m_result;
    }

  private:
    std::filesystem::path m_dir;
    NotifySocket& m_notify;
    int m_fifo_fd;
    std::string m_pending;
    std::thread m_runner;
    std::atomic<bool> m_exited{false};
    CommandResult m_result;
};

}  // namespace

TEST_CASE("run: a source stalled on a FIFO stops the WATCHDOG=1 pings until frames flow again") {
    const auto shared = shared_dir();
    const auto dir = temp_dir("run-watchdog");
    const auto model =
        shared / "models/ir/face-detection-retail-0004/FP16/face-detection-retail-0004.xml";

    // Four seconds of H.264 in MPEG-TS, which decodebin reads from a non-seekable file.
    make_clip(dir / "clip.ts", 120, 320, 240,
              "x264enc key-int-max=15 tune=zerolatency speed-preset=ultrafast ! mpegtsmux");
    std::ifstream clip_file(dir / "clip.ts", std::ios::binary);
    const std::string clip((std::istreambuf_iterator<char>(clip_file)),
                           std::istreambuf_iterator<char>());
    REQUIRE(clip.size() > 188 * 100);
    const size_t first_part = clip.size() / 2 / 188 * 188;  // whole transport stream packets

    const auto fifo = dir / "video.ts";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    // Read-write: opening never blocks, and the FIFO has a writer until the test closes it.
    const int fifo_fd = open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(fifo_fd >= 0);
    NotifySocket notify(dir / "notify.sock");

    // Paced like a camera, so frames flow for the seconds the first part lasts.
    const nlohmann::json pipeline = {
        {"name", "live"},
        {"sources", {{{"id", "cam"}, {"uri", file_uri(fifo)}, {"realtime", true}}}},
        {"model",
         {{"path", model.string()},
          {"device", "CPU"},
          {"nireq", 1},
          {"decoder", "ssd"},
          {"labels", {"background", "face"}}}},
        {"outputs", {{{"file", {{"path", (dir / "out.jsonl").string()}}}}}}};
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"metrics", {{"listen", ""}}}, {"pipelines", {pipeline}}}.dump(2);

    std::string log;  // every notification, with its time since the start, for failures
    const auto started = Clock::now();
    const auto record = [&](const std::string& message) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        log += std::to_string(ms.count()) + " ms [" + message + "]\n";
    };

    CommandResult result;
    long inferred_at_stall = -1;
    bool resumed = false;
    bool stopping_last = false;
    bool quiet_while_alive = false;
    int stalled_statuses = 0;
    long inferred_before_stall = -1;
    {
        WatchedRun run(dir, notify, fifo_fd);

        // Frames flow until the first part is used up; the run then reports the stall.
        run.write(clip.substr(0, first_part));
        bool stalled = false;
        for (const auto deadline = Clock::now() + k_phase_deadline;
             !stalled && !run.exited() && Clock::now() < deadline;)
            for (const std::string& message : run.step()) {
                record(message);
                if (is_ping(message)) inferred_before_stall = inferred(message);
                if (is_stalled(message) && run.written()) stalled = true;
            }

        // No ping for k_quiet after the stall was reported while the process lives on. A ping
        // (frames still buffered on a slow machine) starts the wait again.
        auto quiet_since = Clock::now();
        for (const auto deadline = Clock::now() + k_phase_deadline;
             stalled && !run.exited() && Clock::now() < deadline;) {
            for (const std::string& message : run.step()) {
                record(message);
                if (is_ping(message)) {
                    quiet_since = Clock::now();
                    stalled_statuses = 0;
                    inferred_before_stall = inferred(message);
                }
                if (is_stalled(message)) ++stalled_statuses;
            }
            if (Clock::now() - quiet_since >= k_quiet) {
                quiet_while_alive = !run.exited() && kill(run.pid(), 0) == 0;
                break;
            }
        }
        inferred_at_stall = inferred_before_stall;

        // The rest of the stream: frames flow again and so do the pings.
        run.write(clip.substr(first_part));
        for (const auto deadline = Clock::now() + k_phase_deadline;
             quiet_while_alive && !resumed && !run.exited() && Clock::now() < deadline;)
            for (const std::string& message : run.step()) {
                record(message);
                resumed = resumed || (is_ping(message) && inferred(message) > inferred_at_stall);
            }

        // End of the stream: the file source ends and the run with it.
        for (const auto deadline = Clock::now() + k_phase_deadline;
             !run.written() && !run.exited() && Clock::now() < deadline;)
            for (const std::string& message : run.step())
                record(message);
        run.close_fifo();
        std::string last;
        for (const auto deadline = Clock::now() + k_phase_deadline;
             !run.exited() && Clock::now() < deadline;)
            for (const std::string& message : run.step()) {
                record(message);
                last = message;
            }
        run.terminate();
        result = run.result();
        for (const std::string& message : run.step()) {
            record(message);
            last = message;
        }
        stopping_last = last == "STOPPING=1";
    }

    INFO(result.output);
    INFO(log);
    CHECK(inferred_at_stall > 0);  // pings came while frames were inferred
    CHECK(quiet_while_alive);
    CHECK(stalled_statuses >= 2);  // the run kept polling and said why it did not ping
    CHECK(resumed);
    CHECK(stopping_last);
    CHECK(result.exit_code == 0);
}
