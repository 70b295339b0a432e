// The crops of a frame run in batches: real attribute models give the same attributes as when
// each crop runs alone, on crops of a real photo.
#include "inference/ir/ir.h"
#include "pipeline/classify/classify_stage.h"
#include "tests/support/test_data.h"
#include "tests/unit/classify/classify_testing.h"

#include <doctest/doctest.h>
#include <opencv2/imgcodecs.hpp>

using namespace es::pipeline;
using namespace es::testing;

namespace {

std::filesystem::path shared_model(const std::string& name, const std::string& precision) {
    const auto path = shared_dir() / "models" / "ir" / name / precision / (name + ".xml");
    REQUIRE_MESSAGE(std::filesystem::exists(path), "missing model " << path);
    return path;
}

std::vector<Classifier> compile(const ClassifyConfig& config, int max_batch) {
    return compile_classifiers(
        test_core(), {config},
        [](const std::filesystem::path& path) { return es::ir::read_model(path); }, 0, max_batch);
}

// Eleven crops of the photo (two runs: eight, then three) of assorted sizes, one past its edge.
FrameResult crops_of(const cv::Mat& image) {
    FrameResult result;
    result.width = image.cols;
    result.height = image.rows;
    for (int k = 0; k < 10; ++k)
        result.objects.push_back(
            object_at({13 + 37 * k, 7 + 21 * k, 40 + 9 * k, 50 + 5 * k}, image.cols, image.rows));
    result.objects.push_back(object_at({420, 250, 200, 200}, image.cols, image.rows));
    return result;
}

void check_same(const FrameResult& batched, const FrameResult& alone) {
    REQUIRE(batched.objects.size() == alone.objects.size());
    for (size_t i = 0; i < batched.objects.size(); ++i) {
        CAPTURE(i);
        const auto& a = batched.objects[i].tensors;
        const auto& b = alone.objects[i].tensors;
        REQUIRE(a.size() == b.size());
        REQUIRE(!a.empty());
        for (size_t t = 0; t < a.size(); ++t) {
            CAPTURE(a[t].name);
            CHECK(a[t].name == b[t].name);
            CHECK(a[t].label == b[t].label);
            CHECK(a[t].label_id == b[t].label_id);
            CHECK(a[t].confidence == doctest::Approx(b[t].confidence).epsilon(1e-3));
            CHECK(a[t].value.has_value() == b[t].value.has_value());
            if (a[t].value) CHECK(*a[t].value == doctest::Approx(*b[t].value).epsilon(1e-3));
        }
    }
}

void compare_batched_with_alone(const ClassifyConfig& config) {
    const cv::Mat image =
        cv::imread((shared_dir() / "media" / "voc2011" / "2011_000003.jpg").string());
    REQUIRE(!image.empty());
    const std::vector<Classifier> batched = compile(config, Classifier::k_max_batch);
    const std::vector<Classifier> alone = compile(config, 1);
    REQUIRE(batched[0].by_batch().size() == 4);
    REQUIRE(alone[0].by_batch().size() == 1);
    std::atomic<uint64_t> classified{0};
    ClassifyStage batched_stage(batched, false, classified);
    ClassifyStage alone_stage(alone, false, classified);
    FrameResult batched_result = crops_of(image);
    FrameResult alone_result = crops_of(image);
    batched_stage.run(image, batched_result, {});
    alone_stage.run(image, alone_result, {});
    CHECK(classified == 2 * batched_result.objects.size());
    check_same(batched_result, alone_result);
}

}  // namespace

TEST_CASE("classify: age-gender-recognition-retail-0013 gives the same attributes batched") {
    ClassifyConfig config;
    config.path = shared_model("age-gender-recognition-retail-0013", "FP16-INT8");
    config.name = "age-gender";
    config.device = "CPU";
    config.outputs = {{"age_conv3", "age", {}, 100.0f}, {"prob", "gender", {"female", "male"}}};
    compare_batched_with_alone(config);
}

TEST_CASE(
    "classify: vehicle-attributes-recognition-barrier-0039 gives the same attributes batched") {
    ClassifyConfig config;
    config.path = shared_model("vehicle-attributes-recognition-barrier-0039", "FP16");
    config.name = "vehicle";
    config.device = "CPU";
    compare_batched_with_alone(config);
}
