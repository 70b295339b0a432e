#include "devices/cpu/matmul_peak.h"

#include "devices/cpu/dnnl_util.h"

#include <algorithm>
#include <chrono>

namespace es::devices {

namespace {

double measure_matmul_gflops(int threads) {
    using Clock = std::chrono::steady_clock;
    constexpr dnnl::memory::dim n = 1024;
    constexpr double k_flops = 2.0 * n * n * n;
    const cpu::ThreadScope scope(threads);
    const dnnl::engine& engine = cpu::cpu_engine();
    const dnnl::memory::desc matrix({n, n}, dnnl::memory::data_type::f32,
                                    dnnl::memory::format_tag::ab);
    const dnnl::matmul::primitive_desc primitive(dnnl::matmul::desc(matrix, matrix, matrix),
                                                 engine);
    const dnnl::memory a(matrix, engine), b(matrix, engine), c(matrix, engine);
    for (const auto& m : {a, b})
        std::fill_n(static_cast<float*>(m.get_data_handle()), n * n, 1.0f / n);
    const dnnl::matmul matmul(primitive);
    dnnl::stream stream(engine);
    const std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
    matmul.execute(stream, args);  // warm-up: first-touch pages, JIT caches
    stream.wait();
    int runs = 0;
    const auto start = Clock::now();
    std::chrono::duration<double> elapsed{};
    do {
        matmul.execute(stream, args);
        stream.wait();
        ++runs;
        elapsed = Clock::now() - start;
    } while (elapsed.count() < 0.3);
    return k_flops * runs / elapsed.count() / 1e9;
}

}  // namespace

double cpu_matmul_peak_gflops(int threads) {
    return cpu::on_own_thread([threads] { return measure_matmul_gflops(threads); });
}

}  // namespace es::devices
