#include "inference/runtime/stream_executor.h"

#include <condition_variable>
#include <deque>
#include <mutex>

namespace es::runtime {

struct StreamExecutor::Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::function<void()>> jobs;
    bool stopping = false;
};

StreamExecutor::StreamExecutor(int nstreams) : m_queue(std::make_shared<Queue>()) {
    m_workers.reserve(static_cast<size_t>(nstreams));
    for (int i = 0; i < nstreams; ++i)
        m_workers.emplace_back([queue = m_queue] {
            while (true) {
                std::function<void()> job;
                {
                    std::unique_lock lock(queue->mutex);
                    queue->ready.wait(lock,
                                      [&] { return queue->stopping || !queue->jobs.empty(); });
                    if (queue->jobs.empty()) return;
                    job = std::move(queue->jobs.front());
                    queue->jobs.pop_front();
                }
                try {
                    job();
                } catch (...) {
                }
            }
        });
}

StreamExecutor::~StreamExecutor() {
    {
        std::lock_guard lock(m_queue->mutex);
        m_queue->stopping = true;
    }
    m_queue->ready.notify_all();
    for (auto& worker : m_workers)
        if (worker.get_id() == std::this_thread::get_id()) worker.detach();
}

void StreamExecutor::submit(std::function<void()> job) {
    {
        std::lock_guard lock(m_queue->mutex);
        m_queue->jobs.push_back(std::move(job));
    }
    m_queue->ready.notify_one();
}

}  // namespace es::runtime
