// Classification through `edgesight run`: faces in Megamind.avi (Debian's opencv-doc) detected,
// tracked and classified by age-gender-recognition-retail-0013; a classifier that cannot serve
// stops only its own pipeline.
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

#include <set>

using namespace es::testing;

namespace {

std::filesystem::path megamind() {
    const std::filesystem::path clip = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
    REQUIRE_MESSAGE(std::filesystem::exists(clip), clip << " is missing: install opencv-doc");
    return clip;
}

std::filesystem::path age_gender() {
    const auto model = shared_dir() / "models" / "ir" / "age-gender-recognition-retail-0013" /
                       "FP16-INT8" / "age-gender-recognition-retail-0013.xml";
    REQUIRE_MESSAGE(std::filesystem::exists(model), model << " is missing");
    return model;
}

// Parameter [1,12] → ReLU: a model whose input is not an image.
std::string flat_ir_xml() {
    return R"(<?xml version="1.0"?>
<net name="flat" version="11">
	<layers>
		<layer id="0" name="features" type="Parameter" version="opset1">
			<data shape="1,12" element_type="f32"/>
			<output><port id="0" precision="FP32" names="features"><dim>1</dim><dim>12</dim></port></output>
		</layer>
		<layer id="1" name="relu" type="ReLU" version="opset1">
			<input><port id="0" precision="FP32"><dim>1</dim><dim>12</dim></port></input>
			<output><port id="1" precision="FP32" names="y"><dim>1</dim><dim>12</dim></port></output>
		</layer>
		<layer id="2" name="y/sink_port_0" type="Result" version="opset1">
			<input><port id="0" precision="FP32"><dim>1</dim><dim>12</dim></port></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="1" to-port="0"/>
		<edge from-layer="1" from-port="1" to-layer="2" to-port="0"/>
	</edges>
</net>
)";
}

}  // namespace

TEST_CASE("run: tracked faces carry their age and gender, and label changes are events") {
    const auto dir = temp_dir("run-classify");
    auto pipeline = face_pipeline("faces", face_detector(), {megamind()},
                                  {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    pipeline["track"] = {{"method", "bytetrack"}};
    pipeline["events"] = nlohmann::json::object();
    pipeline["classify"] = {{{"path", age_gender().string()},
                             {"device", "CPU"},
                             {"object_labels", {"face"}},
                             {"reclassify_interval", 10},
                             {"min_size", 24},
                             {"outputs",
                              {{"age_conv3", {{"name", "age"}, {"scale", 100}}},
                               {"prob", {{"name", "gender"}, {"labels", {"female", "male"}}}}}}}};
    const auto run =
        run_edgesight(dir, {pipeline}, "--json-summary " + (dir / "summary.json").string());
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary["pipelines"][0]["sources"][0];

    size_t faces = 0, classified_faces = 0, updates = 0;
    std::set<int64_t> tracks;
    for (const auto& message : json_lines(read_text(dir / "out.jsonl"))) {
        if (message.contains("event")) {
            if (message["event"] != "update") continue;
            ++updates;
            CHECK(message["object"]["tensors"].size() == 2);
            continue;
        }
        for (const auto& object : message["objects"]) {
            ++faces;
            tracks.insert(object["id"].get<int64_t>());
            if (!object.contains("tensors")) continue;
            ++classified_faces;
            const auto& tensors = object["tensors"];
            REQUIRE(tensors.size() == 2);
            CHECK(tensors[0]["name"] == "age");
            CHECK(tensors[0]["model"] == "age-gender-recognition-retail-0013");
            CHECK(tensors[0]["value"].get<double>() > 1.0);
            CHECK(tensors[0]["value"].get<double>() < 100.0);
            CHECK(!tensors[0].contains("label"));
            CHECK(tensors[1]["name"] == "gender");
            const std::string gender = tensors[1]["label"];
            CHECK((gender == "female" || gender == "male"));
            CHECK(tensors[1]["label_id"] == (gender == "male" ? 1 : 0));
            CHECK(tensors[1]["confidence"].get<double>() >= 0.5);
        }
    }
    INFO("faces: ", faces, ", classified: ", classified_faces, ", tracks: ", tracks.size());
    REQUIRE(faces > 100);
    // Faces smaller than min_size wait for a larger box; most have their attributes.
    CHECK(classified_faces >= faces * 8 / 10);
    CHECK(updates >= tracks.size() / 2);
    // A track is classified at most every tenth frame it is in.
    const uint64_t runs = source["classified"];
    CHECK(runs > 0);
    CHECK(runs <= faces / 10 + tracks.size());
}

TEST_CASE("run: a classifier whose model takes no image stops only its own pipeline") {
    const auto dir = temp_dir("run-classify-bad");
    make_clip(dir / "clip.mp4", 12, 320, 240, "x264enc ! mp4mux");
    write_tiny_ir(dir, "flat", flat_ir_xml(), 0);
    auto broken = face_pipeline("broken", face_detector(), {dir / "clip.mp4"},
                                {{{"file", {{"path", (dir / "broken.jsonl").string()}}}}});
    broken["classify"] = {{{"path", (dir / "flat.xml").string()}, {"device", "CPU"}}};
    const auto good = face_pipeline("good", face_detector(), {dir / "clip.mp4"},
                                    {{{"file", {{"path", (dir / "good.jsonl").string()}}}}});
    const auto run = run_edgesight(dir, {broken, good});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("pipeline broken: classify[0] (" + (dir / "flat.xml").string() +
                       "): model input 'features' has shape [1,12]") != std::string::npos);
    CHECK(json_lines(read_text(dir / "good.jsonl")).size() == 12);
}
