// The published JSON: track events beside the results, their object in the results' form.
#include "pipeline/publish/result_json.h"

#include <doctest/doctest.h>

using namespace es::pipeline;

namespace {

ObjectResult person() {
    ObjectResult object;
    object.x = 192;
    object.y = 108;
    object.w = 96;
    object.h = 240;
    object.id = 17;
    object.bounding_box = {0.1f, 0.1f, 0.15f, 0.32f};
    object.confidence = 0.93f;
    object.label = "person";
    object.label_id = 1;
    return object;
}

EventResult event_of(const std::string& type, const std::string& zone) {
    return {.timestamp_ns = 1764133000123456789,
            .pipeline = "lobby",
            .source = "cam1",
            .frame = 1234,
            .type = type,
            .zone = zone,
            .object = person()};
}

// The object as result_json() writes it.
const std::string k_object =
    R"({"x":192,"y":108,"w":96,"h":240,"id":17,"detection":{"bounding_box":)"
    R"({"x_min":0.1,"y_min":0.1,"x_max":0.15,"y_max":0.32},"confidence":0.93,"label":"person",)"
    R"("label_id":1}})";

}  // namespace

TEST_CASE("result JSON: a frame's objects in DL Streamer's form, with seq") {
    FrameResult result{.timestamp_ns = 1764133000123456789,
                       .pipeline = "lobby",
                       .source = "cam1",
                       .frame = 1234,
                       .width = 1920,
                       .height = 1080,
                       .objects = {person()}};
    CHECK(result_json(result, 98) ==
          R"({"timestamp":1764133000123456789,"pipeline":"lobby","source":"cam1","frame":1234,)"
          R"("seq":98,"resolution":{"width":1920,"height":1080},"objects":[)" +
              k_object + "]}");
}

TEST_CASE("result JSON: an enter event names its zone, the object as in results") {
    CHECK(event_json(event_of("enter", "door"), 7) ==
          R"({"timestamp":1764133000123456789,"pipeline":"lobby","source":"cam1","frame":1234,)"
          R"("seq":7,"event":"enter","zone":"door","object":)" +
              k_object + "}");
    CHECK(event_json(event_of("leave", "door"), 8).find(R"("event":"leave","zone":"door",)") !=
          std::string::npos);
}

TEST_CASE("result JSON: new and end events have no zone key") {
    // A zone left over in the struct is not published for an event that has none.
    for (const std::string type : {"new", "end"}) {
        CAPTURE(type);
        CHECK(event_json(event_of(type, "door"), 0) ==
              R"({"timestamp":1764133000123456789,"pipeline":"lobby","source":"cam1",)"
              R"("frame":1234,"seq":0,"event":")" +
                  type + R"(","object":)" + k_object + "}");
    }
}

TEST_CASE("result JSON: classifier attributes are the object's tensors, values without label") {
    FrameResult result;
    result.pipeline = "lobby";
    result.source = "cam1";
    ObjectResult object = person();
    ObjectAttribute& age = object.tensors.emplace_back();
    age.name = "age";
    age.model = "age-gender";
    age.value = 31.7f;
    ObjectAttribute& gender = object.tensors.emplace_back();
    gender.name = "gender";
    gender.model = "age-gender";
    gender.label = "male";
    gender.label_id = 1;
    gender.confidence = 0.81f;
    result.objects.push_back(object);
    const std::string json = result_json(result, 0);
    const std::string tensors =
        R"("label_id":1},"tensors":[{"name":"age","value":31.7,"model":"age-gender"},)"
        R"({"name":"gender","label":"male","label_id":1,"confidence":0.81,"model":"age-gender"}]})";
    CHECK(json.find(tensors) != std::string::npos);
    EventResult update = event_of("update", "");
    update.object = object;
    CHECK(event_json(update, 0).find(R"("event":"update","object":)") != std::string::npos);
    CHECK(event_json(update, 0).find(tensors) != std::string::npos);
}
