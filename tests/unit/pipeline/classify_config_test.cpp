// The "classify" array of a pipeline: defaults, values, and each error with its JSON path.
#include "tests/unit/pipeline/config_testing.h"

#include <doctest/doctest.h>

#include <functional>

using namespace es::testing;
using nlohmann::json;

TEST_CASE("classify config: defaults and values as written") {
    ConfigFixture fixture;
    CHECK(fixture.checked().pipelines[0].classify.empty());
    fixture.write_file("emotion.xml", "<net/>");
    fixture.write_file("emotion.bin", "");
    fixture.write_file("emotion.txt", "neutral\nhappy\nsad\n");
    fixture.model()["labels"] = "labels.txt";
    fixture.pipeline()["track"] = json::object();
    fixture.pipeline()["classify"] = json::parse(R"([
        {"path": "emotion.xml"},
        {"path": "emotion.xml", "name": "mood", "device": "CPU", "labels": "emotion.txt",
         "object_labels": ["person"], "reclassify_interval": 10, "min_size": 24,
         "preprocess": {"color": "rgb", "mean": 127.5, "scale": 0.0078125},
         "outputs": {"prob": {"name": "emotion", "labels": ["a", "b"], "scale": 2}}}])");
    REQUIRE(fixture.problems().empty());
    const auto classify = fixture.checked().pipelines[0].classify;
    REQUIRE(classify.size() == 2);
    CHECK(classify[0].path == fixture.dir / "emotion.xml");
    CHECK(classify[0].name == "emotion");
    CHECK(classify[0].device == "AUTO");
    CHECK(classify[0].labels.empty());
    CHECK(classify[0].object_labels.empty());
    CHECK(classify[0].reclassify_interval == 1);
    CHECK(classify[0].min_size == 0);
    CHECK(classify[0].preprocess == es::pipeline::PreprocessConfig{});
    CHECK(classify[0].outputs.empty());
    CHECK(classify[1].name == "mood");
    CHECK(classify[1].device == "CPU");
    CHECK(classify[1].labels == std::vector<std::string>{"neutral", "happy", "sad"});
    CHECK(classify[1].object_labels == std::vector<std::string>{"person"});
    CHECK(classify[1].reclassify_interval == 10);
    CHECK(classify[1].min_size == 24);
    CHECK(classify[1].preprocess.color == es::pipeline::ColorOrder::rgb);
    CHECK(classify[1].preprocess.mean[2] == 127.5f);
    REQUIRE(classify[1].outputs.size() == 1);
    CHECK(classify[1].outputs[0].tensor == "prob");
    CHECK(classify[1].outputs[0].name == "emotion");
    CHECK(classify[1].outputs[0].labels == std::vector<std::string>{"a", "b"});
    CHECK(classify[1].outputs[0].scale == 2.0f);
}

TEST_CASE("classify config: a missing model file waits for the file, like the detector's") {
    ConfigFixture fixture;
    fixture.pipeline()["classify"] = json::parse(R"([{"path": "later.xml"}])");
    REQUIRE(fixture.problems().size() == 1);
    CHECK(fixture.problems()[0] == "pipelines[0].classify[0].path: " +
                                       (fixture.dir / "later.xml").string() + ": no such file");
}

TEST_CASE("classify config errors name their JSON path") {
    const std::vector<std::pair<std::function<void(ConfigFixture&)>, std::string>> cases = {
        {[](auto& f) { f.pipeline()["classify"] = json::parse(R"({"path": "model.xml"})"); },
         "pipelines[0].classify: expected an array, found an object"},
        {[](auto& f) { f.pipeline()["classify"] = json::parse(R"([{"name": "x"}])"); },
         "pipelines[0].classify[0].path: missing; expected a string"},
        {[](auto& f) { f.pipeline()["classify"] = json::parse(R"([{"path": "model.onnx.txt"}])"); },
         "pipelines[0].classify[0].path: <dir>/model.onnx.txt: unknown model "
         "format; expected an IR .xml, an ONNX .onnx, a TensorFlow frozen .pb, SavedModel folder "
         "or TF.js model.json"},
        {[](auto& f) {
             f.pipeline()["classify"] = json::parse(R"([{"path": "model.xml", "name": "a b"}])");
         },
         "pipelines[0].classify[0].name: 'a b' has characters other than letters, digits, '_' and "
         "'-', or none"},
        {[](auto& f) {
             f.pipeline()["classify"] = json::parse(R"([{"path": "model.xml", "device": "TPU"}])");
         },
         "pipelines[0].classify[0].device: unknown device 'TPU'; expected AUTO, CPU or REF"},
        {[](auto& f) {
             f.model()["labels"] = "labels.txt";
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "object_labels": ["persn"]}])");
         },
         "pipelines[0].classify[0].object_labels[0]: 'persn' is not a label of the model (did "
         "you mean 'person'?)"},
        {[](auto& f) {
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "object_labels": [3]}])");
         },
         "pipelines[0].classify[0].object_labels[0]: expected a label, found number 3"},
        {[](auto& f) {
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "reclassify_interval": 10}])");
         },
         "pipelines[0].classify[0].reclassify_interval: counts the frames of a track: add a "
         "\"track\" object, or leave it out to classify every frame"},
        {[](auto& f) {
             f.pipeline()["track"] = json::object();
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "reclassify_interval": 0}])");
         },
         "pipelines[0].classify[0].reclassify_interval: expected an integer from 1 to 100000, "
         "found number 0"},
        {[](auto& f) {
             f.pipeline()["classify"] = json::parse(R"([{"path": "model.xml", "min_size": -1}])");
         },
         "pipelines[0].classify[0].min_size: expected an integer from 0 to 16384, found number "
         "-1"},
        {[](auto& f) {
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "preprocess": {"color": "hsv"}}])");
         },
         "pipelines[0].classify[0].preprocess.color: unsupported value 'hsv'; expected bgr or rgb"},
        {[](auto& f) {
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml", "outputs": {"prob": {"scale": "x"}}}])");
         },
         "pipelines[0].classify[0].outputs.prob.scale: expected a number from -1000000000 to "
         "1000000000, found string 'x'"},
        {[](auto& f) {
             f.pipeline()["classify"] = json::parse(
                 R"([{"path": "model.xml", "labels": ["a"],
                      "outputs": {"age": {}, "prob": {}}}])");
         },
         "pipelines[0].classify[0].labels: a classifier with several outputs takes its labels "
         "in outputs.NAME.labels"},
        {[](auto& f) {
             f.pipeline()["classify"] =
                 json::parse(R"([{"path": "model.xml"}, {"path": "model.xml"}])");
         },
         "pipelines[0].classify[1]: name 'model' is also pipelines[0].classify[0]'s: give each "
         "classifier its own \"name\""},
        {[](auto& f) {
             f.model()["decoder"] = "classification";
             f.pipeline()["classify"] = json::parse(R"([{"path": "model.xml"}])");
         },
         "pipelines[0].classify: a classification model has no objects to classify"},
    };
    for (const auto& [change, expected_text] : cases) {
        ConfigFixture fixture;
        change(fixture);
        std::string expected = expected_text;
        if (const size_t at = expected.find("<dir>/"); at != std::string::npos)
            expected.replace(at, 6, fixture.dir.string() + "/");
        const auto problems = fixture.problems();
        CAPTURE(fixture.config.dump());
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == expected);
    }
}
