#include "tests/conformance/model_runs.h"

#include "devices/registry.h"
#include "inference/core/npy.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace es::testing {

double scaled_error(const Tensor& actual, const Tensor& expected, double floor) {
    const auto x = actual.to_doubles();
    const auto y = expected.to_doubles();
    REQUIRE(x.size() == y.size());
    double scale = floor, worst = 0;
    for (double value : y)
        scale = std::max(scale, std::abs(value));
    for (size_t i = 0; i < x.size(); ++i)
        worst = std::max(worst, std::abs(x[i] - y[i]));
    return worst / scale;
}

Difference compare_to_reference(const Tensor& actual, const Tensor& reference) {
    constexpr double atol = 1e-4, rtol = 1e-3;
    Difference difference;
    const auto x = actual.to_doubles();
    const auto y = reference.to_doubles();
    REQUIRE(x.size() == y.size());
    double scale = 1;
    for (double value : y)
        scale = std::max(scale, std::abs(value));
    for (size_t i = 0; i < x.size(); ++i) {
        const double error = std::abs(x[i] - y[i]);
        difference.max_abs = std::max(difference.max_abs, error);
        difference.max_rel = std::max(difference.max_rel, error / scale);
        if (!(error <= atol * scale + rtol * std::abs(y[i])) && difference.failures++ == 0)
            difference.first = fmt::format("element {}: {} vs reference {}", i, x[i], y[i]);
    }
    return difference;
}

Agreement agreement(const Tensor& actual, const Tensor& expected, double floor) {
    const auto x = actual.to_doubles();
    const auto y = expected.to_doubles();
    REQUIRE(x.size() == y.size());
    REQUIRE(!x.empty());
    double scale = floor, dot = 0, xx = 0, yy = 0, sum = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        scale = std::max(scale, std::abs(y[i]));
        dot += x[i] * y[i];
        xx += x[i] * x[i];
        yy += y[i] * y[i];
        sum += std::abs(x[i] - y[i]);
    }
    const double cosine = xx == 0 && yy == 0 ? 1.0 : dot / std::sqrt(xx * yy);
    return {cosine, sum / static_cast<double>(x.size()) / scale};
}

namespace {

std::vector<std::vector<double>> detection_rows(const Tensor& result) {
    const auto values = result.to_doubles();
    std::vector<std::vector<double>> rows;
    for (size_t at = 0; at + 7 <= values.size() && values[at] >= 0; at += 7)
        rows.emplace_back(values.begin() + static_cast<std::ptrdiff_t>(at),
                          values.begin() + static_cast<std::ptrdiff_t>(at + 7));
    return rows;
}

}  // namespace

bool same_detections(const Tensor& actual, const Tensor& expected, double tolerance) {
    const auto found = detection_rows(actual);
    const auto wanted = detection_rows(expected);
    if (found.size() != wanted.size()) return false;
    std::vector<bool> used(found.size(), false);
    for (const auto& row : wanted) {
        const auto close = [&](const std::vector<double>& other) {
            for (size_t i = 0; i < 7; ++i)
                if (std::abs(other[i] - row[i]) > tolerance) return false;
            return true;
        };
        size_t match = 0;
        while (match < found.size() && (used[match] || !close(found[match])))
            ++match;
        if (match == found.size()) return false;
        used[match] = true;
    }
    return true;
}

std::string auxiliary_inputs(const graph::Model& model, const std::filesystem::path& dir) {
    const auto parameters = model.parameters();
    if (parameters.size() < 2) return "";
    // The image is the first [N,3,H,W] input; `edgesight infer --image` fills it.
    const graph::Node* image_input = nullptr;
    std::vector<int64_t> image;
    for (const graph::Node* parameter : parameters) {
        const auto& shape = parameter->outputs[0].type.shape;
        if (!image_input && shape.rank_known() && shape.rank() == 4 &&
            (shape[1] == 3 || shape[1] == 1)) {
            image_input = parameter;
            image = shape.dims();
        }
    }
    REQUIRE(image.size() == 4);
    std::string options;
    for (const graph::Node* parameter : parameters) {
        const PartialShape& shape = parameter->outputs[0].type.shape;
        if (parameter == image_input) continue;
        CAPTURE(parameter->name);
        REQUIRE(shape.is_static());
        Tensor tensor(ElementType::f32, shape.to_shape());
        float* values = tensor.data<float>();
        if (parameter->name == "seq_ind") {
            std::fill(values, values + tensor.size(), 1.0f);
            values[0] = 0.0f;
        } else if (parameter->name == "im_info") {
            REQUIRE(tensor.size() >= 3);
            std::fill(values, values + tensor.size(), 1.0f);
            values[0] = static_cast<float>(image[2]);
            values[1] = static_cast<float>(image[3]);
        } else if (shape.rank() == 4 && shape[1] == image[1]) {
            // A second image (the bicubic upscale beside a super-resolution model's input):
            // mid-grey.
            std::fill(values, values + tensor.size(), 128.0f);
        } else {
            FAIL("no convention for the values of input " << parameter->name);
        }
        const auto path = dir / (parameter->name + ".npy");
        write_npy(path, tensor);
        options += " --input '" + parameter->name + "=" + path.string() + "'";
    }
    return options;
}

std::map<std::string, Tensor> infer_image(const std::filesystem::path& model,
                                          const std::filesystem::path& image,
                                          const std::vector<std::string>& extra_outputs,
                                          const std::string& options) {
    const auto out = temp_dir("infer-image");
    std::string command = edgesight_binary().string() + " infer " + model.string() + " --image " +
                          image.string() + " --output-dir " + out.string() + " " + options;
    if (model.extension() == ".xml")
        command += auxiliary_inputs(ir::read_model(model), temp_dir("infer-image-inputs"));
    for (const auto& layer : extra_outputs)
        command += " --add-output '" + layer + "'";
    const auto result = run_command(command);
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    std::map<std::string, Tensor> outputs;
    for (const auto& entry : std::filesystem::directory_iterator(out))
        outputs[entry.path().stem().string()] = read_npy(entry.path());
    return outputs;
}

Tensor run_model(const std::string& device, const graph::Model& model, const Tensor& input,
                 const std::string& output) {
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(std::make_shared<graph::Model>(model.clone()), device);
    auto request = compiled.create_infer_request();
    request.set_input(0, input);
    request.infer();
    return request.output(request.output_index(output));
}

std::map<std::string, std::string> known_failures(const std::filesystem::path& file) {
    std::ifstream stream(file);
    REQUIRE_MESSAGE(stream, "cannot read " << file);
    std::map<std::string, std::string> failures;
    std::string line;
    while (std::getline(stream, line)) {
        if (line.empty() || line[0] == '#') continue;
        const size_t space = line.find_first_of(" \t");
        failures[line.substr(0, space)] =
            space == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", space));
    }
    return failures;
}

}  // namespace es::testing
