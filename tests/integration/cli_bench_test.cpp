#include "inference/ir/ir.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <set>

using namespace es;
using namespace es::testing;

namespace {

// A small real IR (32×32 input).
std::filesystem::path shared_ir() {
    const auto shared = shared_dir();
    return shared / "models/ir/open-closed-eye-0001/FP32/open-closed-eye-0001.xml";
}

CommandResult bench(const std::filesystem::path& model, const std::string& arguments) {
    return run_command(edgesight_binary().string() + " bench " + model.string() + " " + arguments);
}

}  // namespace

TEST_CASE("bench --json reports throughput, latency percentiles, compile time and memory") {
    const auto model = shared_ir();
    const auto result = bench(model, "--time 0.3 --json --hint throughput --nstreams 1");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const auto report = nlohmann::json::parse(result.output);
    for (const char* field :
         {"throughput_fps", "latency_ms", "compile_ms", "peak_memory_bytes", "gflops", "device",
          "nstreams", "nthreads", "nireq", "batch", "count", "matmul_peak_gflops"})
        CHECK_MESSAGE(report.contains(field), field);
    CHECK(report["device"] == "CPU");  // AUTO picks the most capable device
    CHECK(report["nstreams"] == 1);
    CHECK(report["nireq"] == 2);
    CHECK(report["batch"] == 1);
    CHECK(report["count"].get<int>() > 0);
    CHECK(report["throughput_fps"].get<double>() > 0);
    CHECK(report["gflops"].get<double>() > 0);
    CHECK(report["peak_memory_bytes"].get<double>() > 0);
    CHECK(report["max_rss_bytes"].get<double>() > 0);
    const auto& latency = report["latency_ms"];
    CHECK(latency["min"].get<double>() > 0);
    CHECK(latency["median"].get<double>() >= latency["min"].get<double>());
    CHECK(latency["p90"].get<double>() >= latency["median"].get<double>());
    CHECK(latency["p99"].get<double>() >= latency["p90"].get<double>());
    CHECK(latency["max"].get<double>() >= latency["p99"].get<double>());
    CHECK_FALSE(report.contains("layers"));
}

TEST_CASE("bench --per-layer lists every layer, --batch multiplies frames per inference") {
    const auto model = shared_ir();
    const auto result =
        bench(model, "--device REF --time 0.2 --json --per-layer --batch 2 --nireq 3");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const auto report = nlohmann::json::parse(result.output);
    CHECK(report["batch"] == 2);
    CHECK(report["nireq"] == 3);
    CHECK(report["throughput_fps"].get<double>() ==
          doctest::Approx(2 * report["inferences_per_second"].get<double>()));
    std::set<std::string> listed;
    double percent = 0;
    for (const auto& layer : report["layers"]) {
        listed.insert(layer["name"].get<std::string>());
        CHECK(layer["implementation"] == "ref");
        percent += layer["percent"].get<double>();
    }
    CHECK(percent == doctest::Approx(100).epsilon(0.01));
    const graph::Model ir = ir::read_model(model);
    CHECK(listed.size() == ir.nodes().size());
    for (const auto& node : ir.nodes())
        CHECK_MESSAGE(listed.count(node->name), node->name);
}

TEST_CASE("bench text report names its figures") {
    const auto model = shared_ir();
    const auto result = bench(model, "--time 0.1 --hint latency --per-layer");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    for (const char* text : {"throughput:", "FPS", "latency:", "median", "p99",
                             "compile:", "memory:", "GFLOP/s", "Convolution"})
        CHECK_MESSAGE(result.output.find(text) != std::string::npos, text);
}

TEST_CASE("bench rejects bad options with exit code 2, naming the option") {
    const auto model = shared_ir();
    const std::pair<const char*, const char*> cases[] = {
        {"--time 0", "--time"},
        {"--time abc", "--time"},
        {"--nireq -1", "--nireq"},
        {"--nstreams 100000", "nstreams"},
        {"--nthreads 100000", "nthreads"},
        {"--batch -1", "batch"},
        {"--hint fast", "--hint"},
        {"--device TPU", "unknown device 'TPU'"},
        {"--nstreams 2 --nthreads 1", "nstreams 2"},
    };
    for (const auto& [arguments, message] : cases) {
        const auto result = bench(model, arguments);
        INFO(arguments, ": ", result.output);
        CHECK(result.exit_code == 2);
        CHECK(result.output.find(message) != std::string::npos);
    }
}

TEST_CASE("devices --json lists each device with its description, instances and compute units") {
    // PoCL's OpenCL device stands in for a GPU
    const auto result =
        run_command("EDGESIGHT_OPENCL_CPU=1 " + edgesight_binary().string() + " devices --json");
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const auto report = nlohmann::json::parse(result.output);
    std::vector<std::string> names;
    for (const auto& device : report["devices"]) {
        const std::string name = device["name"];
        names.push_back(name);
        CHECK(!device["description"].get<std::string>().empty());
        CHECK(device["compute_units"].get<int>() >= 1);
        REQUIRE(!device["instances"].empty());
        for (const auto& instance : device["instances"]) {
            const std::string instance_name = instance["name"];
            CHECK((instance_name == name || instance_name.starts_with(name + ".")));
            CHECK(instance["state"] == "ready");
        }
        if (name == "GPU") {
            CHECK(device["instances"][0]["name"] == "GPU.0");
            CHECK(device["instances"][0]["description"].get<std::string>().find("compute units") !=
                  std::string::npos);
        }
    }
    CHECK(names == std::vector<std::string>{"AUTO", "CPU", "GPU", "REF"});
}
