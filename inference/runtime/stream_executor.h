#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace es::runtime {

// `nstreams` worker threads taking jobs from one queue in order: any stream runs any job.
// Jobs must not throw (an escaping exception is dropped).
class StreamExecutor {
  public:
    explicit StreamExecutor(int nstreams);
    // Runs the jobs already queued, then stops and joins the workers. May be called from a
    // worker's own job (when it drops the last owner): that worker is detached and finishes
    // on its own.
    ~StreamExecutor();
    StreamExecutor(const StreamExecutor&) = delete;
    StreamExecutor& operator=(const StreamExecutor&) = delete;

    void submit(std::function<void()> job);

  private:
    struct Queue;
    std::shared_ptr<Queue> m_queue;  // shared with the workers, so a detached one outlives us
    std::vector<std::jthread> m_workers;
};

}  // namespace es::runtime
