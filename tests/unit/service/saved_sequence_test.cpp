// The `seq` state file: numbers reserved in blocks, continued after a clean restart, never reused
// after a kill, and a corrupt file moved aside without going back.
#include "pipeline/publish/saved_sequence.h"
#include "tests/integration/pipeline_io/log_capture.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <sstream>

using es::pipeline::SavedSequenceNumbers;
using es::pipeline::SeqStream;
using namespace es::testing;

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream file(path);
    return nlohmann::json::parse(file);
}

// Hands out `count` numbers of "cam" in `stream` in a child process that is then killed with
// SIGKILL, as a power cut would stop it: no destructor, no final save. Returns the numbers it
// handed out.
std::vector<uint64_t> numbers_before_kill(const std::filesystem::path& path, uint64_t block,
                                          int count, SeqStream stream = SeqStream::results) {
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        close(pipe_fds[0]);
        SavedSequenceNumbers numbers(path, block);
        for (int i = 0; i < count; ++i) {
            const uint64_t seq = numbers.next("cam", stream);
            if (write(pipe_fds[1], &seq, sizeof(seq)) != sizeof(seq)) _exit(3);
        }
        raise(SIGKILL);
    }
    close(pipe_fds[1]);
    std::vector<uint64_t> handed_out;
    uint64_t seq = 0;
    while (read(pipe_fds[0], &seq, sizeof(seq)) == sizeof(seq))
        handed_out.push_back(seq);
    close(pipe_fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    return handed_out;
}

}  // namespace

TEST_CASE("seq: a clean restart continues without a gap, the file is written once per block") {
    const auto path = temp_dir("seq-restart") / "client.seq.json";
    {
        SavedSequenceNumbers numbers(path, 100);
        for (uint64_t i = 0; i < 5; ++i) {
            CHECK(numbers.next("cam1") == i);
            // The file holds the reservation, not every number.
            CHECK(read_json(path)["next"]["cam1"] == 100);
        }
        CHECK(numbers.next("cam2") == 0);
    }
    CHECK(read_json(path)["next"]["cam1"] == 5);
    CHECK(read_json(path)["next"]["cam2"] == 1);
    SavedSequenceNumbers numbers(path, 100);
    CHECK(numbers.next("cam1") == 5);
    CHECK(numbers.next("cam2") == 1);
    CHECK(numbers.next("cam3") == 0);
    CHECK(numbers.failed_saves() == 0);
}

TEST_CASE("seq: events are numbered apart from results, in the same file, across restarts") {
    const auto path = temp_dir("seq-events") / "client.seq.json";
    {
        SavedSequenceNumbers numbers(path, 100);
        for (uint64_t i = 0; i < 4; ++i) {
            CHECK(numbers.next("cam1") == i);
            CHECK(numbers.next("cam1", SeqStream::events) == 2 * i);
            CHECK(numbers.next("cam1", SeqStream::events) == 2 * i + 1);
        }
        CHECK(read_json(path)["next_events"]["cam1"] == 100);
    }
    CHECK(read_json(path)["next"]["cam1"] == 4);
    CHECK(read_json(path)["next_events"]["cam1"] == 8);
    SavedSequenceNumbers numbers(path, 100);
    CHECK(numbers.next("cam1", SeqStream::events) == 8);
    CHECK(numbers.next("cam1") == 4);
    CHECK(numbers.next("cam2", SeqStream::events) == 0);
}

TEST_CASE("seq: a file from before events were numbered is read, events start from 0") {
    const auto path = temp_dir("seq-old-file") / "client.seq.json";
    std::ofstream(path) << "{\"next\": {\"cam\": 42}}\n";
    LogCapture log;
    SavedSequenceNumbers numbers(path, 10);
    CHECK(log.count("unreadable") == 0);
    CHECK(numbers.next("cam") == 42);
    CHECK(numbers.next("cam", SeqStream::events) == 0);
}

TEST_CASE("seq: numbers handed out before a SIGKILL are never handed out again") {
    const auto path = temp_dir("seq-kill") / "client.seq.json";
    for (const int count : {7, 10, 23}) {
        const std::vector<uint64_t> used = numbers_before_kill(path, 10, count);
        REQUIRE(used.size() == static_cast<size_t>(count));
        SavedSequenceNumbers numbers(path, 10);
        CHECK(numbers.next("cam") > used.back());
    }
    for (const int count : {7, 23}) {
        const std::vector<uint64_t> used = numbers_before_kill(path, 10, count, SeqStream::events);
        REQUIRE(used.size() == static_cast<size_t>(count));
        SavedSequenceNumbers numbers(path, 10);
        CHECK(numbers.next("cam", SeqStream::events) > used.back());
    }
}

TEST_CASE("seq: an empty or corrupt file is moved aside with a warning naming it") {
    const auto dir = temp_dir("seq-corrupt");
    const auto path = dir / "client.seq.json";
    const auto corrupt = dir / "client.seq.json.corrupt";
    for (const std::string text : {"", "{\"next\": {\"cam\": 4", "{\"next\": {\"cam\": -1}}"}) {
        std::filesystem::remove(dir / "client.seq.json.prev");
        std::ofstream(path) << text;
        LogCapture log;
        SavedSequenceNumbers numbers(path, 10);
        CHECK(log.count(corrupt.string()) == 1);
        CHECK(log.count("starts from 0 again") == 1);
        std::ifstream moved(corrupt);
        std::stringstream moved_text;
        moved_text << moved.rdbuf();
        CHECK(moved_text.str() == text);
        CHECK(numbers.next("cam") == 0);
    }
}

TEST_CASE("seq: after a kill and a corrupt file, numbering continues above every number used") {
    const auto dir = temp_dir("seq-kill-corrupt");
    const auto path = dir / "client.seq.json";
    REQUIRE(numbers_before_kill(path, 10, 12).size() == 12);
    const std::vector<uint64_t> used = numbers_before_kill(path, 10, 25);
    REQUIRE(used.size() == 25);
    std::ofstream(path, std::ios::trunc) << "";  // as a file system without a journal may leave it
    {
        LogCapture log;
        SavedSequenceNumbers numbers(path, 10);
        CHECK(log.count((dir / "client.seq.json.corrupt").string()) == 1);
        CHECK(log.count("continues one block of 10 above") == 1);
        CHECK(numbers.next("cam") > used.back());
        // A source the lost file may have numbered, but the one before it did not, starts above 0.
        CHECK(numbers.next("new") >= 10);
    }
    // Recovered once, killed and lost again: still above every number used.
    const std::vector<uint64_t> after_recovery = numbers_before_kill(path, 10, 13);
    REQUIRE(after_recovery.size() == 13);
    std::ofstream(path, std::ios::trunc) << "{\"next\": {";
    SavedSequenceNumbers numbers(path, 10);
    CHECK(numbers.next("cam") > after_recovery.back());
}

TEST_CASE("seq: a folder that cannot be written is an error naming the file") {
    const auto dir = temp_dir("seq-unwritable");
    std::ofstream(dir / "a_file") << "not a folder";
    const auto path = dir / "a_file" / "client.seq.json";
    std::string message;
    try {
        SavedSequenceNumbers numbers(path);
    } catch (const std::exception& error) {
        message = error.what();
    }
    CHECK(message.find(path.string()) != std::string::npos);
}
