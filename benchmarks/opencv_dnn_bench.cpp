// OpenCV DNN as a peer for scripts/bench-peers.sh: runs an ONNX model with the default backend
// and target (OpenCV's own CPU layers) and prints one JSON line with throughput and latency.
//
//   opencv_dnn_bench MODEL.onnx --threads N --mode latency|throughput --time S
//                    --shape NAME=1,3,224,224 [--shape ...] [--compat]
//
// latency: one Net, cv::setNumThreads(N), one request at a time.
// throughput: N Nets (one per stream, weights loaded N times), each run back to back by its own
// std::thread. cv::setNumThreads is process-wide, so it is set to 1: OpenCV's parallel loops
// then run inline in the calling thread and every stream stays on one core.
//
// --compat first rewrites what OpenCV 4.6's importer rejects in current exports (see
// opencv_compat.h); the JSON line then counts the rewrites.
//
// Inputs are float32, filled by the same xorshift32 sequence as scripts/peers/ort-bench.mjs
// (uniform in [-1, 1), seed 1 for the first input), so both peers see the same values.
// Exit codes: 0 ok, 1 OpenCV failed to load or run the model, 2 bad arguments.
#include "benchmarks/opencv_compat.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <latch>
#include <numeric>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int warm_up_runs = 2;

struct BadArgument : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct InputSpec {
    std::string name;
    std::vector<int> dims;
};

struct Options {
    std::string model;
    int threads = 1;
    std::string mode = "latency";
    double time_s = 10;
    std::vector<InputSpec> inputs;
    bool compat = false;
};

// The stream's results: one latency per timed request, and when its last request ended.
struct StreamRun {
    std::vector<double> latencies_ms;
    Clock::time_point end;
};

double milliseconds(Clock::duration duration) {
    return std::chrono::duration<double, std::milli>(duration).count();
}

InputSpec parse_shape(const std::string& text) {
    const auto equals = text.rfind('=');
    if (equals == std::string::npos || equals == 0)
        throw BadArgument(fmt::format("--shape {}: expected NAME=D0,D1,...", text));
    InputSpec spec{text.substr(0, equals), {}};
    std::string dims = text.substr(equals + 1);
    size_t start = 0;
    while (start <= dims.size()) {
        const size_t comma = std::min(dims.find(',', start), dims.size());
        const std::string dim = dims.substr(start, comma - start);
        size_t parsed = 0;
        int value = 0;
        try {
            value = std::stoi(dim, &parsed);
        } catch (const std::exception&) {
            parsed = 0;
        }
        if (parsed == 0 || parsed != dim.size() || value <= 0)
            throw BadArgument(
                fmt::format("--shape {}: dimension '{}' is not a positive integer", text, dim));
        spec.dims.push_back(value);
        start = comma + 1;
    }
    return spec;
}

// xorshift32 mapped to [-1, 1); the same sequence as ort-bench.mjs.
void fill_random(cv::Mat& blob, uint32_t seed) {
    uint32_t state = seed;
    float* values = blob.ptr<float>();
    const size_t count = blob.total();
    for (size_t i = 0; i < count; ++i) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        values[i] = static_cast<float>(state >> 8) * (2.0f / 16777216.0f) - 1.0f;
    }
}

struct LoadedNet {
    cv::dnn::Net net;
    std::vector<std::string> output_names;
    std::vector<cv::Mat> outputs;

    void run() { net.forward(outputs, output_names); }
};

LoadedNet load_net(const Options& options,
                   const std::optional<es::benchmarks::OpenCvCompatModel>& compat,
                   const std::vector<cv::Mat>& blobs) {
    LoadedNet loaded;
    loaded.net = compat ? cv::dnn::readNetFromONNX(compat->bytes.data(), compat->bytes.size())
                        : cv::dnn::readNetFromONNX(options.model);
    loaded.net.setPreferableBackend(cv::dnn::DNN_BACKEND_DEFAULT);
    loaded.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    loaded.output_names = loaded.net.getUnconnectedOutLayersNames();
    for (size_t i = 0; i < blobs.size(); ++i)
        loaded.net.setInput(blobs[i], options.inputs[i].name);
    return loaded;
}

StreamRun run_until(LoadedNet& loaded, Clock::time_point deadline) {
    StreamRun run;
    Clock::time_point now = Clock::now();
    while (now < deadline) {
        const Clock::time_point begin = now;
        loaded.run();
        now = Clock::now();
        run.latencies_ms.push_back(milliseconds(now - begin));
    }
    run.end = now;
    return run;
}

struct Measurement {
    Clock::time_point start;
    std::vector<StreamRun> runs;  // one per net
};

// Runs every net back to back for `period`, each on its own thread when there are several;
// all start together.
Measurement measure(std::vector<LoadedNet>& nets, Clock::duration period) {
    Measurement measurement{{}, std::vector<StreamRun>(nets.size())};
    if (nets.size() == 1) {
        measurement.start = Clock::now();
        measurement.runs[0] = run_until(nets[0], measurement.start + period);
        return measurement;
    }
    std::vector<std::exception_ptr> errors(nets.size());
    std::latch ready(static_cast<std::ptrdiff_t>(nets.size()) + 1);
    std::vector<std::thread> threads;
    for (size_t stream = 0; stream < nets.size(); ++stream) {
        threads.emplace_back([&, stream] {
            ready.arrive_and_wait();
            try {
                measurement.runs[stream] = run_until(nets[stream], measurement.start + period);
            } catch (...) {
                errors[stream] = std::current_exception();
            }
        });
    }
    measurement.start = Clock::now();
    ready.arrive_and_wait();
    for (std::thread& thread : threads)
        thread.join();
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
    return measurement;
}

// Nearest-rank percentile of sorted values, as ort-bench.mjs computes it.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank =
        static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// The "Parallel framework:" line of OpenCV's build information, e.g. "TBB (ver 2021.8 ...)".
std::string parallel_framework() {
    const std::string info = cv::getBuildInformation();
    const std::string key = "Parallel framework:";
    const auto at = info.find(key);
    if (at == std::string::npos) return "unknown";
    const auto begin = info.find_first_not_of(' ', at + key.size());
    return info.substr(begin, info.find('\n', begin) - begin);
}

nlohmann::json benchmark(const Options& options) {
    const bool throughput = options.mode == "throughput";
    const int streams = throughput ? options.threads : 1;
    cv::setNumThreads(throughput ? 1 : options.threads);

    std::vector<cv::Mat> blobs;
    for (size_t i = 0; i < options.inputs.size(); ++i) {
        blobs.emplace_back(static_cast<int>(options.inputs[i].dims.size()),
                           options.inputs[i].dims.data(), CV_32F);
        fill_random(blobs.back(), static_cast<uint32_t>(i + 1));
    }

    const Clock::time_point load_begin = Clock::now();
    std::optional<es::benchmarks::OpenCvCompatModel> compat;
    if (options.compat) compat = es::benchmarks::rewrite_for_opencv(options.model);
    std::vector<LoadedNet> nets;
    for (int stream = 0; stream < streams; ++stream)
        nets.push_back(load_net(options, compat, blobs));
    const double load_ms = milliseconds(Clock::now() - load_begin);

    const Clock::time_point first_begin = Clock::now();
    for (LoadedNet& loaded : nets)
        loaded.run();
    const double first_inference_ms = milliseconds(Clock::now() - first_begin) / streams;
    for (LoadedNet& loaded : nets)
        for (int run = 1; run < warm_up_runs; ++run)
            loaded.run();

    const Measurement measurement = measure(
        nets,
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.time_s)));
    const Clock::time_point start = measurement.start;
    std::vector<double> latencies;
    Clock::time_point end = start;
    for (const StreamRun& run : measurement.runs) {
        latencies.insert(latencies.end(), run.latencies_ms.begin(), run.latencies_ms.end());
        end = std::max(end, run.end);
    }
    std::sort(latencies.begin(), latencies.end());
    const double duration_s = milliseconds(end - start) / 1000.0;
    const double mean =
        latencies.empty()
            ? 0
            : std::accumulate(latencies.begin(), latencies.end(), 0.0) / latencies.size();

    nlohmann::json shapes = nlohmann::json::object();
    for (const InputSpec& input : options.inputs)
        shapes[input.name] = input.dims;
    nlohmann::json rewrites = nullptr;
    if (compat)
        rewrites = {{"clip_bounds_to_attributes", compat->clip_bounds},
                    {"constant_identities_removed", compat->identities}};
    return {
        {"engine", "opencv-dnn"},
        {"version", CV_VERSION},
        {"parallel_framework", parallel_framework()},
        {"model", options.model},
        {"mode", options.mode},
        {"threads", options.threads},
        {"streams", streams},
        {"threads_per_stream", throughput ? 1 : options.threads},
        {"shapes", shapes},
        {"rewrites", rewrites},
        {"load_ms", load_ms},
        {"first_inference_ms", first_inference_ms},
        {"iterations", latencies.size()},
        {"duration_s", duration_s},
        {"throughput_fps", duration_s > 0 ? latencies.size() / duration_s : 0.0},
        {"latency_ms",
         {{"median", percentile(latencies, 50)},
          {"p90", percentile(latencies, 90)},
          {"p99", percentile(latencies, 99)},
          {"min", latencies.empty() ? 0 : latencies.front()},
          {"max", latencies.empty() ? 0 : latencies.back()},
          {"mean", mean}}},
    };
}

// One line from OpenCV's multi-line message, without its source paths and C++ signatures.
std::string describe(const cv::Exception& error) {
    std::string message = error.err;
    message = std::regex_replace(
        message, std::regex(R"(OpenCV\([^)]*\) \S+: error: \(-?\d+:([^)]*)\) )"), "$1: ");
    message = std::regex_replace(message, std::regex(R"(Unspecified error: )"), "");
    message = std::regex_replace(message, std::regex(R"(in function '[^']*')"), "");
    message = std::regex_replace(message, std::regex(R"([\s>]+)"), " ");
    message = std::regex_replace(message, std::regex(R"(^ | $)"), "");
    return message.empty() ? error.what() : message;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"OpenCV DNN benchmark: one ONNX model, latency or throughput, one JSON line"};
    Options options;
    std::vector<std::string> shapes;
    app.add_option("model", options.model, "ONNX model")->required()->check(CLI::ExistingFile);
    app.add_option("--threads", options.threads, "Cores to use")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--mode", options.mode,
                   "latency: one request at a time on all threads; "
                   "throughput: one single-threaded stream per thread")
        ->check(CLI::IsMember({"latency", "throughput"}))
        ->capture_default_str();
    app.add_option("--time", options.time_s, "Seconds to measure, after warm-up")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--shape", shapes, "NAME=D0,D1,...: one per model input")->required();
    app.add_flag("--compat", options.compat,
                 "Rewrite Clip bounds and constant Identity nodes, which OpenCV 4.6 rejects");
    try {
        app.parse(argc, argv);
        for (const std::string& shape : shapes)
            options.inputs.push_back(parse_shape(shape));
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? 0 : 2;
    } catch (const BadArgument& error) {
        fmt::print(stderr, "error: {}\n", error.what());
        return 2;
    }

    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    try {
        fmt::print("{}\n", benchmark(options).dump());
        return 0;
    } catch (const cv::Exception& error) {
        fmt::print(stderr, "error: OpenCV {} cannot run {}: {}\n", CV_VERSION, options.model,
                   describe(error));
    } catch (const std::exception& error) {
        fmt::print(stderr, "error: {}: {}\n", options.model, error.what());
    }
    return 1;
}
