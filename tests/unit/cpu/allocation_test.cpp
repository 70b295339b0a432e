// Steady-state inference allocates nothing: this binary replaces the global operator new with
// one that counts, while a test asks it to, the allocations made outside oneDNN. (oneDNN's own
// primitive execution builds a small argument map on every call; that is its business.)
#include "devices/cpu/cpu_device.h"
#include "tests/support/device_testing.h"

#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

bool called_from_onednn(void* caller) {
    Dl_info info;
    return dladdr(caller, &info) != 0 && info.dli_fname != nullptr &&
           std::strstr(info.dli_fname, "libdnnl") != nullptr;
}

void* allocate(size_t bytes, void* caller) {
    if (g_counting.load(std::memory_order_relaxed) && !called_from_onednn(caller)) ++g_allocations;
    void* memory = std::malloc(bytes == 0 ? 1 : bytes);
    if (!memory) throw std::bad_alloc();
    return memory;
}

void* allocate_aligned(size_t bytes, std::align_val_t alignment, void* caller) {
    if (g_counting.load(std::memory_order_relaxed) && !called_from_onednn(caller)) ++g_allocations;
    const auto align = static_cast<size_t>(alignment);
    void* memory =
        std::aligned_alloc(align, (std::max<size_t>(bytes, 1) + align - 1) / align * align);
    if (!memory) throw std::bad_alloc();
    return memory;
}

}  // namespace

void* operator new(size_t bytes) {
    return allocate(bytes, __builtin_return_address(0));
}
void* operator new[](size_t bytes) {
    return allocate(bytes, __builtin_return_address(0));
}
void* operator new(size_t bytes, std::align_val_t alignment) {
    return allocate_aligned(bytes, alignment, __builtin_return_address(0));
}
void* operator new[](size_t bytes, std::align_val_t alignment) {
    return allocate_aligned(bytes, alignment, __builtin_return_address(0));
}
void* operator new(size_t bytes, const std::nothrow_t&) noexcept {
    void* memory = std::malloc(bytes == 0 ? 1 : bytes);
    if (memory && g_counting.load(std::memory_order_relaxed) &&
        !called_from_onednn(__builtin_return_address(0)))
        ++g_allocations;
    return memory;
}
void* operator new[](size_t bytes, const std::nothrow_t& tag) noexcept {
    return operator new(bytes, tag);
}
void operator delete(void* memory) noexcept {
    std::free(memory);
}
void operator delete[](void* memory) noexcept {
    std::free(memory);
}
void operator delete(void* memory, size_t) noexcept {
    std::free(memory);
}
void operator delete[](void* memory, size_t) noexcept {
    std::free(memory);
}
void operator delete(void* memory, std::align_val_t) noexcept {
    std::free(memory);
}
void operator delete[](void* memory, std::align_val_t) noexcept {
    std::free(memory);
}
void operator delete(void* memory, size_t, std::align_val_t) noexcept {
    std::free(memory);
}
void operator delete[](void* memory, size_t, std::align_val_t) noexcept {
    std::free(memory);
}
void operator delete(void* memory, const std::nothrow_t&) noexcept {
    std::free(memory);
}
void operator delete[](void* memory, const std::nothrow_t&) noexcept {
    std::free(memory);
}

using namespace es;
using namespace es::testing;

TEST_CASE("after two warm-up runs, run() allocates nothing") {
    const graph::Attributes same_3x3 = {
        {"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};
    GraphBuilder g;
    const auto x = g.input(PartialShape{1, 3, 16, 16});
    auto y = g.op("Convolution", {x, g.constant({16, 3, 3, 3})}, same_3x3);
    y = g.op("ReLU", {g.op("Add", {y, g.constant({1, 16, 1, 1})})});
    const auto skip = y;
    y = g.op("Convolution", {y, g.constant({16, 16, 3, 3})}, same_3x3);
    y = g.op("Clamp", {y}, {{"min", "0"}, {"max", "6"}});
    y = g.op("Add", {g.op("Convolution", {y, g.constant({16, 16, 3, 3})}, same_3x3), skip});
    g.output(g.op("Convolution", {y, g.constant({8, 16, 1, 1})},
                  {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}}));
    const auto model = g.finish();

    for (const bool profile : {false, true}) {
        CAPTURE(profile);
        const auto executable = devices::CpuDevice().compile(model, {.profile = profile});
        const auto context = executable->create_context();
        const std::vector<Tensor> inputs = random_inputs(*model, 9);
        std::vector<Tensor> outputs;
        context->run(inputs, outputs);
        context->run(inputs, outputs);
        const std::byte* output_memory = outputs[0].bytes();

        g_allocations = 0;
        g_counting = true;
        for (int i = 0; i < 3; ++i)
            context->run(inputs, outputs);
        g_counting = false;
        CHECK(g_allocations.load() == 0);
        CHECK(outputs[0].bytes() == output_memory);  // written in place
    }
}
