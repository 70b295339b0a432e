#include "devices/gpu/plan.h"

#include <algorithm>
#include <climits>

namespace es::devices::gpu {
namespace {

int root_of(const Plan& plan, int value) {
    while (plan.values[value].view_of >= 0)
        value = plan.values[value].view_of;
    return value;
}

}  // namespace

void assign_slots(Plan& plan) {
    // The first and last step that touch each value's buffer (a view's steps count for its root);
    // model inputs are written before step 0, model outputs read after the last.
    const int end = static_cast<int>(plan.steps.size());
    std::vector<std::pair<int, int>> alive(plan.values.size(), {INT_MAX, INT_MIN});
    const auto touch = [&](int value, int step) {
        auto& [first, last] = alive[root_of(plan, value)];
        first = std::min(first, step);
        last = std::max(last, step);
    };
    for (int value : plan.inputs)
        if (plan.values[value].on_gpu) touch(value, -1);
    for (int s = 0; s < end; ++s) {
        const auto& work = plan.steps[s].work;
        if (const auto* kernel = std::get_if<KernelStep>(&work)) {
            for (const KernelArg& arg : kernel->args)
                if (arg.kind == KernelArg::Kind::value) touch(arg.index, s);
        } else if (const auto* copy = std::get_if<CopyStep>(&work)) {
            touch(copy->source, s);
            touch(copy->destination, s);
        } else {
            const auto& host = std::get<HostStep>(work);
            for (int value : host.inputs)
                if (plan.values[value].from_gpu) touch(value, s);
            for (int value : host.outputs)
                if (plan.values[value].on_gpu) touch(value, s);
        }
    }
    for (int value : plan.outputs)
        if (plan.values[value].from_gpu) touch(value, end);

    std::vector<int> order;
    for (int v = 0; v < static_cast<int>(plan.values.size()); ++v) {
        const Value& value = plan.values[v];
        if (value.on_gpu && value.view_of < 0 && value.constant < 0 && alive[v].first <= end)
            order.push_back(v);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return alive[a].first < alive[b].first; });
    std::vector<int> busy_until;  // per slot: the last step of the value in it
    for (int v : order) {
        const size_t bytes = plan.values[v].bytes();
        int chosen = -1;
        for (int slot = 0; slot < static_cast<int>(busy_until.size()); ++slot) {
            if (busy_until[slot] >= alive[v].first) continue;
            // the smallest free slot that holds it, else the largest free one, grown
            const bool fits = plan.slot_bytes[slot] >= bytes;
            if (chosen < 0) {
                chosen = slot;
                continue;
            }
            const bool chosen_fits = plan.slot_bytes[chosen] >= bytes;
            if (fits && (!chosen_fits || plan.slot_bytes[slot] < plan.slot_bytes[chosen]))
                chosen = slot;
            else if (!fits && !chosen_fits && plan.slot_bytes[slot] > plan.slot_bytes[chosen])
                chosen = slot;
        }
        if (chosen < 0) {
            chosen = static_cast<int>(busy_until.size());
            busy_until.push_back(0);
            plan.slot_bytes.push_back(0);
        }
        plan.slot_bytes[chosen] = std::max(plan.slot_bytes[chosen], bytes);
        busy_until[chosen] = alive[v].second;
        plan.values[v].slot = chosen;
    }
}

}  // namespace es::devices::gpu
