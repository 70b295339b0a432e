// The GPU device on the OpenCL device this machine has: PoCL (a CPU-type device, taken with
// EDGESIGHT_OPENCL_CPU=1) where there is no GPU. The op tables run on it in tests/unit/devices.
#include "devices/gpu/kernels.h"
#include "devices/gpu/program_cache.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/runtime/core.h"
#include "tests/support/device_testing.h"
#include "tests/support/op_testing.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace es;
using namespace es::testing;

namespace {

void take_opencl_cpu_devices() {
    setenv("EDGESIGHT_OPENCL_CPU", "1", 1);
}

graph::Attributes same_3x3() {
    return {{"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};
}

// conv → ReLU → MVN (no GPU kernel) → Add → Softmax over channels
std::shared_ptr<graph::Model> split_model() {
    GraphBuilder g(5);
    const auto x = g.input(PartialShape{1, 4, 9, 7});
    const auto conv = g.op("Convolution", {x, g.constant({6, 4, 3, 3})}, same_3x3(), "conv");
    const auto relu = g.op("ReLU", {conv}, {}, "relu");
    const auto mvn =
        g.op("MVN", {relu, g.constant(make_tensor<int64_t>({2}, {2, 3}))},
             {{"normalize_variance", "true"}, {"eps", "1e-5"}, {"eps_mode", "inside_sqrt"}}, "mvn",
             "opset6");
    const auto sum = g.op("Add", {mvn, g.constant({1, 6, 1, 1})}, {}, "bias");
    g.output(g.op("SoftMax", {sum}, {{"axis", "1"}}, "softmax"));
    return g.finish();
}

}  // namespace

TEST_CASE("OpenCL devices are found with what `edgesight devices` shows of them") {
    take_opencl_cpu_devices();
    const auto found = devices::gpu::find_devices();
    REQUIRE_MESSAGE(!found.empty(), "no OpenCL device: is pocl-opencl-icd installed?");
    for (const auto& device : found) {
        CHECK(!device.name.empty());
        CHECK(!device.platform.empty());
        CHECK(device.opencl_c.rfind("OpenCL C", 0) == 0);
        CHECK(device.compute_units >= 1);
        CHECK(device.global_memory > 0);
    }
    const auto registry = devices::make_registry();
    const runtime::Device* gpu = nullptr;
    for (const auto& device : registry)
        if (device->name() == "GPU") gpu = device.get();
    REQUIRE(gpu);
    const auto instances = gpu->instances();
    REQUIRE(instances.size() == found.size());
    CHECK(instances[0].name == "GPU.0");
    CHECK(instances[0].description.find(found[0].name) != std::string::npos);
    std::vector<std::string> names = {"AUTO", "CPU", "GPU"};
    for (size_t i = 0; i < found.size(); ++i)
        names.push_back("GPU." + std::to_string(i));
    names.push_back("REF");
    CHECK(devices::device_names() == names);

    setenv("EDGESIGHT_OPENCL_CPU", "0", 1);
    for (const auto& device : devices::gpu::find_devices())
        CHECK(device.is_gpu);
    take_opencl_cpu_devices();
}

TEST_CASE("a model split between kernels and the host matches REF, and the profile says where") {
    const auto model = split_model();
    const auto runs =
        check_against_reference("GPU", model, {random_inputs(*model, 1), random_inputs(*model, 2)},
                                1e-4, {.profile = true});
    const auto& profile = runs[1].profile;
    CHECK(implementation_of(profile, "conv") == "ocl:convolution");
    CHECK(implementation_of(profile, "relu") == "fused into conv");
    CHECK(implementation_of(profile, "mvn").ends_with(" on CPU"));
    CHECK(implementation_of(profile, "bias") == "ocl:binary");
    CHECK(implementation_of(profile, "softmax") == "ocl:softmax");
    for (const auto& row : profile) {
        CAPTURE(row.name);
        CHECK(row.runs == 2);
    }
}

TEST_CASE("depthwise convolution, PReLU, pooling, Concat and Reshape run as kernels") {
    GraphBuilder g(9);
    const auto x = g.input(PartialShape{2, 8, 11, 10});
    const auto dw = g.op("GroupConvolution", {x, g.constant({8, 1, 1, 3, 3})},
                         {{"strides", "2,2"},
                          {"pads_begin", "0,0"},
                          {"pads_end", "0,0"},
                          {"dilations", "1,1"},
                          {"auto_pad", "same_upper"}},
                         "dw");
    const auto prelu = g.op("PReLU", {dw, g.constant({8}, -0.5f, 0.5f)}, {}, "prelu");
    const auto max = g.op("MaxPool", {prelu},
                          {{"kernel", "3,3"},
                           {"strides", "1,1"},
                           {"pads_begin", "1,1"},
                           {"pads_end", "1,1"},
                           {"rounding_type", "floor"}},
                          "max");
    const auto avg = g.op("AvgPool", {prelu},
                          {{"kernel", "3,3"},
                           {"strides", "1,1"},
                           {"pads_begin", "1,1"},
                           {"pads_end", "1,1"},
                           {"exclude-pad", "false"}},
                          "avg");
    const auto both = g.op("Concat", {max, avg}, {{"axis", "1"}}, "concat");
    const auto flat = g.op("Reshape", {both, g.constant(make_tensor<int64_t>({2}, {2, -1}))},
                           {{"special_zero", "false"}}, "flat");
    g.output(g.op("Sigmoid", {flat}, {}, "sigmoid"));
    const auto model = g.finish();
    const auto runs =
        check_against_reference("GPU", model, {random_inputs(*model, 4)}, 1e-4, {.profile = true});
    for (const auto& row : runs[0].profile) {
        CAPTURE(row.name);
        CHECK(row.implementation.starts_with("ocl:"));
    }
    CHECK(implementation_of(runs[0].profile, "concat") == "ocl:copy");
    CHECK(implementation_of(runs[0].profile, "flat") == "ocl:view");
}

TEST_CASE("FakeQuantize per tensor and per channel, and Transpose, run as kernels") {
    GraphBuilder g(11);
    const auto x = g.input(PartialShape{1, 6, 5, 4});
    const auto per_channel =
        g.op("FakeQuantize",
             {x, g.constant({1, 6, 1, 1}, -1.5f, -0.5f), g.constant({1, 6, 1, 1}, 0.5f, 1.5f),
              g.constant({1, 6, 1, 1}, -1.0f, -0.5f), g.constant({1, 6, 1, 1}, 0.5f, 1.0f)},
             {{"levels", "255"}}, "per_channel");
    const auto moved =
        g.op("Transpose", {per_channel, g.constant(make_tensor<int64_t>({4}, {0, 2, 3, 1}))}, {},
             "transpose");
    g.output(g.op(
        "FakeQuantize",
        {moved, g.constant(make_tensor<float>({}, {0.0f})),
         g.constant(make_tensor<float>({}, {1.0f})), g.constant(make_tensor<float>({}, {0.0f})),
         g.constant(make_tensor<float>({}, {1.0f}))},
        {{"levels", "256"}}, "per_tensor"));
    const auto model = g.finish();
    // a value on a rounding boundary may land one step (1/254 of the range) away from REF's
    const auto runs =
        check_against_reference("GPU", model, {random_inputs(*model, 6)}, 1e-2, {.profile = true});
    CHECK(implementation_of(runs[0].profile, "per_channel") == "ocl:fake_quantize");
    CHECK(implementation_of(runs[0].profile, "transpose") == "ocl:strided_copy");
    CHECK(implementation_of(runs[0].profile, "per_tensor") == "ocl:fake_quantize");
}

TEST_CASE("MaxPool-8 runs as a kernel unless its indices are read, NormalizeL2 as one") {
    const graph::Attributes pool8 = {{"kernel", "3,3"},        {"strides", "2,2"},
                                     {"dilations", "2,2"},     {"pads_begin", "1,1"},
                                     {"pads_end", "1,1"},      {"rounding_type", "ceil"},
                                     {"auto_pad", "explicit"}, {"index_element_type", "i64"}};
    for (const bool indices_read : {false, true}) {
        CAPTURE(indices_read);
        GraphBuilder g(12);
        const auto x = g.input(PartialShape{1, 5, 13, 12});
        graph::Node& pool = *g.op("MaxPool", {x}, pool8, "pool", "opset8").node;
        const auto across =
            g.op("NormalizeL2", {pool.output(0), g.constant(make_tensor<int64_t>({1}, {1}))},
                 {{"eps", "1e-6"}, {"eps_mode", "add"}}, "across");
        g.output(g.op("NormalizeL2", {across, g.constant(make_tensor<int64_t>({2}, {3, 2}))},
                      {{"eps", "0.5"}, {"eps_mode", "max"}}, "within"));
        if (indices_read) g.output(pool.output(1));
        const auto model = g.finish();
        const auto runs = check_against_reference("GPU", model, {random_inputs(*model, 2)}, 1e-4,
                                                  {.profile = true});
        const std::string pooled = implementation_of(runs[0].profile, "pool");
        CHECK((indices_read ? pooled.ends_with(" on CPU") : pooled == "ocl:pooling"));
        CHECK(implementation_of(runs[0].profile, "across") == "ocl:normalize_l2");
        CHECK(implementation_of(runs[0].profile, "within") == "ocl:normalize_l2");
    }
}

TEST_CASE("MatMul (batched, transposed, a shared matrix) and reductions run as kernels") {
    GraphBuilder g(13);
    const auto x = g.input(PartialShape{2, 3, 8});
    const auto y = g.input(PartialShape{2, 3, 4});
    const auto projected = g.op("MatMul", {x, g.constant({5, 8})},
                                {{"transpose_a", "false"}, {"transpose_b", "true"}}, "projected");
    const auto mixed = g.op("MatMul", {y, projected},
                            {{"transpose_a", "true"}, {"transpose_b", "false"}}, "mixed");
    const auto mean = g.op("ReduceMean", {mixed, g.constant(make_tensor<int64_t>({1}, {-1}))},
                           {{"keep_dims", "true"}}, "mean");
    g.output(g.op("ReduceMax", {mean, g.constant(make_tensor<int64_t>({2}, {0, 1}))},
                  {{"keep_dims", "false"}}, "max"));
    const auto model = g.finish();
    const auto runs =
        check_against_reference("GPU", model, {random_inputs(*model, 3)}, 1e-4, {.profile = true});
    CHECK(implementation_of(runs[0].profile, "projected") == "ocl:matmul");
    CHECK(implementation_of(runs[0].profile, "mixed") == "ocl:matmul");
    CHECK(implementation_of(runs[0].profile, "mean") == "ocl:reduce");
    CHECK(implementation_of(runs[0].profile, "max") == "ocl:reduce");
}

TEST_CASE("Interpolate-1, -4 and -11 resize H and W as a kernel with the reference's taps") {
    struct Resize {
        const char* name;
        std::string version;
        graph::Attributes attributes;
    };
    const graph::Attributes v4 = {{"shape_calculation_mode", "sizes"},
                                  {"antialias", "false"},
                                  {"pads_begin", "0,0,0,0"},
                                  {"pads_end", "0,0,0,0"}};
    const auto with = [&](graph::Attributes attributes, const std::string& mode,
                          const std::string& transform, const std::string& nearest) {
        attributes.set("mode", mode);
        attributes.set("coordinate_transformation_mode", transform);
        attributes.set("nearest_mode", nearest);
        return attributes;
    };
    const std::vector<Resize> resizes = {
        {"v1 linear, as the Open Model Zoo IRs have it",
         "opset1",
         {{"axes", "2,3"},
          {"mode", "linear"},
          {"align_corners", "false"},
          {"antialias", "false"},
          {"pads_begin", "0"},
          {"pads_end", "0"}}},
        {"v4 nearest asymmetric floor", "opset4", with(v4, "nearest", "asymmetric", "floor")},
        {"v4 linear_onnx align_corners", "opset4",
         with(v4, "linear_onnx", "align_corners", "round_prefer_floor")},
        {"v11 cubic half_pixel", "opset11", with(v4, "cubic", "half_pixel", "round_prefer_floor")},
    };
    for (const Resize& resize : resizes) {
        CAPTURE(resize.name);
        GraphBuilder g(14);
        const auto x = g.input(PartialShape{1, 3, 5, 6});
        std::vector<graph::Output> inputs = {x};
        if (resize.version == "opset1") {
            inputs.push_back(g.constant(make_tensor<int64_t>({2}, {11, 9})));
        } else if (resize.version == "opset4") {
            inputs.push_back(g.constant(make_tensor<int64_t>({2}, {11, 9})));
            inputs.push_back(g.constant(make_tensor<float>({2}, {2.2f, 1.5f})));
            inputs.push_back(g.constant(make_tensor<int64_t>({2}, {2, 3})));
        } else {
            inputs.push_back(g.constant(make_tensor<int64_t>({2}, {11, 9})));
            inputs.push_back(g.constant(make_tensor<int64_t>({2}, {2, 3})));
        }
        g.output(g.op("Interpolate", inputs, resize.attributes, "resize", resize.version));
        const auto model = g.finish();
        const auto runs = check_against_reference("GPU", model, {random_inputs(*model, 5)}, 1e-4,
                                                  {.profile = true});
        CHECK(implementation_of(runs[0].profile, "resize") == "ocl:resize");
    }
}

TEST_CASE("values not alive at the same time share a buffer") {
    // 8 convolutions in a row, each output 8 x 32 x 32 f32 (32 KiB), each read by the next and
    // by a Maximum after it: at most three alive at once
    GraphBuilder g(3);
    auto x = g.input(PartialShape{1, 8, 32, 32});
    for (int layer = 0; layer < 8; ++layer) {
        const auto conv =
            g.op("Convolution", {x, g.constant({8, 8, 3, 3}, -0.3f, 0.3f)}, same_3x3());
        x = g.op("Maximum", {conv, x});
    }
    g.output(x);
    const auto model = g.finish();
    const auto runs =
        check_against_reference("GPU", model, {random_inputs(*model, 8)}, 1e-4, {.profile = true});
    // 8 output channels: four per work item
    CHECK(std::count_if(runs[0].profile.begin(), runs[0].profile.end(), [](const auto& row) {
              return row.implementation == "ocl:convolution4";
          }) == 8);
    take_opencl_cpu_devices();
    const runtime::Core core(devices::make_registry());
    const size_t value_bytes = 8 * 32 * 32 * sizeof(float);
    const size_t weights_bytes = 8 * (8 * 8 * 9 * sizeof(float));
    const size_t tables_bytes = 8 * 18 * sizeof(int);  // the Maximums' broadcast layouts
    const size_t peak = core.compile(model, "GPU").peak_memory_bytes();
    CHECK(peak <= 3 * value_bytes + weights_bytes + tables_bytes);
    CHECK(peak >= 2 * value_bytes + weights_bytes);
}

TEST_CASE("Core compiles on GPU.0, and a model with dynamic shapes runs on the host") {
    take_opencl_cpu_devices();
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(split_model(), "GPU.0");
    CHECK(compiled.device_name() == "GPU");
    CHECK_THROWS_WITH_AS(core.compile(split_model(), "GPU.7"),
                         doctest::Contains("unknown device 'GPU.7'"), Error);

    GraphBuilder g;
    const auto x = g.input(PartialShape{-1, 3});
    g.output(g.op("Add", {x, g.constant({1, 3})}));
    const auto dynamic = core.compile(g.finish(), "GPU");
    auto request = dynamic.create_infer_request();
    request.set_input(0, f32({2, 3}, {0, 1, 2, 3, 4, 5}));
    request.infer();
    CHECK(request.output(0).shape() == Shape{2, 3});
}

TEST_CASE("requests of one compiled model run in parallel threads, each on its own queue") {
    const auto model = split_model();
    const auto expected = run_on("REF", model, {random_inputs(*model, 3)});
    take_opencl_cpu_devices();
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(model, "GPU");
    std::vector<std::thread> threads;
    std::vector<Tensor> results(4);
    for (size_t t = 0; t < results.size(); ++t)
        threads.emplace_back([&, t] {
            auto request = compiled.create_infer_request();
            request.set_input(0, random_inputs(*model, 3)[0]);
            for (int run = 0; run < 5; ++run)
                request.infer();
            results[t] = request.output(0).clone();
        });
    for (auto& thread : threads)
        thread.join();
    for (const Tensor& result : results)
        check_close(
            result, expected[0].outputs[0].shape(),
            [&] {
                const auto values = expected[0].outputs[0].to_doubles();
                return std::vector<float>(values.begin(), values.end());
            }(),
            1e-4f);
}

TEST_CASE("the kernels' program is cached on disk: the second build loads the binary") {
    take_opencl_cpu_devices();
    const auto found = devices::gpu::find_devices();
    REQUIRE(!found.empty());
    const auto cache =
        std::filesystem::temp_directory_path() / ("es-program-cache-" + std::to_string(getpid()));
    std::filesystem::remove_all(cache);
    setenv("CACHE_DIRECTORY", cache.c_str(), 1);
    CHECK(devices::gpu::program_cache_dir() == cache);
    cl_int status = CL_SUCCESS;
    const devices::gpu::Context context(
        clCreateContext(nullptr, 1, &found[0].id, nullptr, nullptr, &status));
    REQUIRE(status == CL_SUCCESS);
    const std::string source = devices::gpu::k_kernel_source;
    CHECK(!devices::gpu::build_program(context.get(), found[0], source, "").from_cache);
    CHECK(devices::gpu::build_program(context.get(), found[0], source, "").from_cache);
    // another source or other options are another program
    CHECK(
        !devices::gpu::build_program(context.get(), found[0], source, "-cl-mad-enable").from_cache);

    // a damaged binary is rebuilt from source
    for (const auto& entry : std::filesystem::directory_iterator(cache / "opencl"))
        std::ofstream(entry.path(), std::ios::trunc) << "not a binary";
    const auto rebuilt = devices::gpu::build_program(context.get(), found[0], source, "");
    CHECK(!rebuilt.from_cache);
    CHECK(rebuilt.program);
    CHECK(devices::gpu::build_program(context.get(), found[0], source, "").from_cache);

    CHECK_THROWS_WITH_AS(
        devices::gpu::build_program(context.get(), found[0], "__kernel void broken( {", ""),
        doctest::Contains("does not build"), Error);
    unsetenv("CACHE_DIRECTORY");
    std::filesystem::remove_all(cache);
}
