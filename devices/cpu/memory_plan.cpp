#include "devices/cpu/memory_plan.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace es::devices::cpu {
namespace {

constexpr size_t k_alignment = 64;

size_t aligned(size_t bytes) {
    return (bytes + k_alignment - 1) / k_alignment * k_alignment;
}

bool lifetimes_overlap(const Buffer& a, const Buffer& b) {
    return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

size_t assign_offsets(std::vector<Buffer>& buffers) {
    std::vector<size_t> order(buffers.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
    std::vector<size_t> placed;
    size_t arena = 0;
    for (size_t index : order) {
        Buffer& buffer = buffers[index];
        const size_t bytes = aligned(buffer.bytes);
        std::vector<std::pair<size_t, size_t>> busy;  // [offset, end) of live neighbours
        for (size_t other : placed)
            if (lifetimes_overlap(buffer, buffers[other]))
                busy.emplace_back(buffers[other].offset,
                                  buffers[other].offset + aligned(buffers[other].bytes));
        std::sort(busy.begin(), busy.end());
        size_t best = std::numeric_limits<size_t>::max();
        size_t best_gap = std::numeric_limits<size_t>::max();
        size_t cursor = 0;
        for (const auto& [offset, end] : busy) {
            if (offset > cursor && offset - cursor >= bytes && offset - cursor < best_gap) {
                best = cursor;
                best_gap = offset - cursor;
            }
            cursor = std::max(cursor, end);
        }
        buffer.offset = best != std::numeric_limits<size_t>::max() ? best : cursor;
        arena = std::max(arena, buffer.offset + bytes);
        placed.push_back(index);
    }
    return arena;
}

}  // namespace es::devices::cpu
