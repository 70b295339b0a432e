#include "apps/edgesight/request_timing.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

namespace es::app {
namespace {

using Clock = std::chrono::steady_clock;

// Fills `tensor` in place from `random`: floats in [0, 1), integers in [0, 10), booleans 0/1.
void fill_random(Tensor& tensor, std::mt19937& random) {
    Tensor values(ElementType::f64, tensor.shape());
    const bool integral = is_integer(tensor.type()) || tensor.type() == ElementType::boolean;
    const double high = tensor.type() == ElementType::boolean ? 2 : 10;
    std::uniform_real_distribution<double> uniform(0.0, integral ? high : 1.0);
    for (size_t i = 0; i < values.size(); ++i)
        values.data<double>()[i] = integral ? std::floor(uniform(random)) : uniform(random);
    const Tensor converted = convert(values, tensor.type());
    std::memcpy(tensor.bytes(), converted.bytes(), converted.byte_size());
}

// Per-layer counters of every request, summed; minus `before` (the warm-up).
std::vector<runtime::LayerProfile> summed_profile(
    const std::vector<runtime::InferRequest>& requests,
    const std::vector<runtime::LayerProfile>& before = {}) {
    std::vector<runtime::LayerProfile> total;
    // A node may take several steps (a deconvolution and its pixel shuffle): one row per type.
    std::map<std::pair<std::string, std::string>, size_t> index;
    auto add = [&](const runtime::LayerProfile& layer, double sign) {
        auto [it, inserted] = index.try_emplace({layer.name, layer.type}, total.size());
        if (inserted) total.push_back({layer.name, layer.type, layer.implementation, 0, 0});
        total[it->second].milliseconds += sign * layer.milliseconds;
        total[it->second].runs += static_cast<int>(sign) * layer.runs;
    };
    for (const auto& request : requests)
        for (const auto& layer : request.layer_profile())
            add(layer, 1);
    for (const auto& layer : before)
        add(layer, -1);
    return total;
}

// Waits for every request before rethrowing the first failure: the callbacks use this frame.
void wait_all(std::vector<runtime::InferRequest>& requests) {
    std::exception_ptr failure;
    for (auto& request : requests) {
        try {
            request.wait();
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

RequestTiming time_requests(const runtime::CompiledModel& compiled, int nireq, double seconds,
                            bool per_layer) {
    RequestTiming timing;
    std::mt19937 random(20240601);
    std::vector<runtime::InferRequest> requests;
    requests.reserve(static_cast<size_t>(nireq));
    for (int i = 0; i < nireq; ++i) {
        requests.push_back(compiled.create_infer_request());
        for (size_t input = 0; input < compiled.inputs().size(); ++input)
            fill_random(requests.back().input(input), random);
    }
    for (auto& request : requests)
        request.start_async();
    wait_all(requests);
    const auto warm_up_profile = summed_profile(requests);

    // Each completion restarts its request until the deadline. A request's start time and
    // latencies are touched only by its own callback (one at a time) and, after wait(), here.
    struct Slot {
        Clock::time_point start;
        std::vector<double> latencies_ms;
    };
    std::vector<Slot> slots(requests.size());
    std::atomic<bool> failed = false;
    const Clock::time_point begin = Clock::now();
    const auto deadline =
        begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (size_t i = 0; i < requests.size(); ++i) {
        requests[i].set_callback([&, i](std::exception_ptr error) {
            const Clock::time_point now = Clock::now();
            if (error) {
                failed = true;
                return;
            }
            slots[i].latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(now - slots[i].start).count());
            if (now >= deadline || failed) return;
            slots[i].start = now;
            requests[i].start_async();
        });
        slots[i].start = Clock::now();
        requests[i].start_async();
    }
    wait_all(requests);
    timing.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    for (const auto& slot : slots)
        timing.latencies_ms.insert(timing.latencies_ms.end(), slot.latencies_ms.begin(),
                                   slot.latencies_ms.end());
    if (per_layer) timing.layers = summed_profile(requests, warm_up_profile);
    return timing;
}

}  // namespace es::app
