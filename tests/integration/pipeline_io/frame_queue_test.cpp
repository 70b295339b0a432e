#include "pipeline/source/frame_queue.h"

#include <doctest/doctest.h>

#include <future>

using namespace es::pipeline;
using namespace std::chrono_literals;

namespace {

Frame numbered(uint64_t number) {
    Frame frame;
    frame.frame_number = number;
    return frame;
}

}  // namespace

TEST_CASE("a leaky frame queue keeps the newest frames and says when it dropped one") {
    FrameQueue queue(2, /*leaky=*/true);
    CHECK(queue.push(numbered(0)) == FrameQueue::Pushed::Queued);
    CHECK(queue.push(numbered(1)) == FrameQueue::Pushed::Queued);
    CHECK(queue.push(numbered(2)) == FrameQueue::Pushed::QueuedDroppingOldest);
    CHECK(queue.pop(0ms)->frame_number == 1);
    CHECK(queue.pop(0ms)->frame_number == 2);
    CHECK_FALSE(queue.pop(0ms));
}

TEST_CASE("a blocking frame queue holds the producer until there is room, or it stops accepting") {
    FrameQueue queue(1, /*leaky=*/false);
    CHECK(queue.push(numbered(0)) == FrameQueue::Pushed::Queued);
    auto producer = std::async(std::launch::async, [&] { return queue.push(numbered(1)); });
    CHECK(producer.wait_for(50ms) == std::future_status::timeout);
    CHECK(queue.pop(0ms)->frame_number == 0);
    CHECK(producer.get() == FrameQueue::Pushed::Queued);

    auto blocked = std::async(std::launch::async, [&] { return queue.push(numbered(2)); });
    CHECK(blocked.wait_for(50ms) == std::future_status::timeout);
    queue.set_accepting(false);
    CHECK(blocked.get() == FrameQueue::Pushed::Rejected);
}

TEST_CASE("a closed frame queue hands out what it holds, then reports it is done") {
    FrameQueue queue(4, /*leaky=*/false);
    queue.push(numbered(7));
    queue.close(/*discard=*/false);
    CHECK(queue.push(numbered(8)) == FrameQueue::Pushed::Rejected);
    CHECK_FALSE(queue.done());
    CHECK(queue.pop(0ms)->frame_number == 7);
    CHECK(queue.done());
    CHECK_FALSE(queue.pop(1s));  // at once: nothing will come
}
