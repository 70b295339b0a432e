// TF.js graph models written by hand: model.json with a GraphDef in JSON form and binary weight
// shards, quantized as the TF.js converter quantizes.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <cstring>

using namespace es;
using namespace es::testing;
using Json = nlohmann::ordered_json;

namespace {

Json const_node(const std::string& name, const std::string& dtype, std::vector<int64_t> shape) {
    Json dims = Json::array();
    for (int64_t dim : shape)
        dims.push_back({{"size", std::to_string(dim)}});
    return {{"name", name},
            {"op", "Const"},
            {"attr",
             {{"dtype", {{"type", dtype}}},
              {"value", {{"tensor", {{"dtype", dtype}, {"tensorShape", {{"dim", dims}}}}}}}}}};
}

Json identity(const std::string& name, const std::string& input) {
    return {{"name", name}, {"op", "Identity"}, {"input", {input}}};
}

template <typename T>
std::string bytes_of(std::vector<T> values) {
    std::string bytes(values.size() * sizeof(T), '\0');
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

// Weights of every storage form, read back through Identity outputs.
struct QuantizedModel {
    std::filesystem::path dir = temp_dir("tfjs");
    Json model;
    std::string shard1, shard2, shard3;

    QuantizedModel() {
        Json nodes = Json::array();
        for (const auto& [name, dtype, dims] :
             std::vector<std::tuple<std::string, std::string, std::vector<int64_t>>>{
                 {"u8", "DT_FLOAT", {4}},
                 {"f16", "DT_FLOAT", {2}},
                 {"u16_int", "DT_INT32", {2}},
                 {"plain", "DT_FLOAT", {2}},
                 {"flags", "DT_BOOL", {2}}}) {
            nodes.push_back(const_node(name, dtype, dims));
            nodes.push_back(identity("out_" + name, name));
        }
        model = {{"format", "graph-model"},
                 {"modelTopology",
                  {{"node", nodes}, {"library", Json::object()}, {"versions", Json::object()}}},
                 {"weightsManifest",
                  {{{"paths", {"group1-shard1of2.bin", "group1-shard2of2.bin"}},
                    {"weights",
                     {{{"name", "u8"},
                       {"shape", {4}},
                       {"dtype", "float32"},
                       {"quantization", {{"dtype", "uint8"}, {"min", -1.0}, {"scale", 0.5}}}},
                      {{"name", "f16"},
                       {"shape", {2}},
                       {"dtype", "float32"},
                       {"quantization", {{"dtype", "float16"}}}}}}},
                   {{"paths", {"group2-shard1of1.bin"}},
                    {"weights",
                     {{{"name", "u16_int"},
                       {"shape", {2}},
                       {"dtype", "int32"},
                       {"quantization", {{"dtype", "uint16"}, {"min", 0.25}, {"scale", 0.5}}}},
                      {{"name", "plain"}, {"shape", {2}}, {"dtype", "float32"}},
                      {{"name", "flags"}, {"shape", {2}}, {"dtype", "bool"}}}}}}}};
        // group 1: 4 uint8 values then 2 float16 values (1.0, -2.0), split across two shards
        const std::string group1 =
            std::string("\x00\x01\x02\xff", 4) + bytes_of<uint16_t>({0x3c00, 0xc000});
        shard1 = group1.substr(0, 3);
        shard2 = group1.substr(3);
        shard3 = bytes_of<uint16_t>({0, 3}) + bytes_of<float>({1.5f, -2.5f}) +
                 std::string("\x01\x00", 2);
    }

    std::filesystem::path write() const {
        write_file(dir / "model.json", model.dump());
        write_file(dir / "group1-shard1of2.bin", shard1);
        write_file(dir / "group1-shard2of2.bin", shard2);
        write_file(dir / "group2-shard1of1.bin", shard3);
        return dir / "model.json";
    }
};

const Tensor& result_value(const graph::Model& model, size_t i) {
    const graph::Node* source = model.results().at(i)->inputs[0].source.node;
    REQUIRE(source->type == "Const");
    return source->value;
}

std::string error_of(const std::filesystem::path& path) {
    try {
        frontends::read_tfjs_model(path);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error");
    return {};
}

}  // namespace

TEST_CASE("TF.js weights: uint8, uint16, float16 quantization, plain float32 and bool") {
    const QuantizedModel fixture;
    const graph::Model model = frontends::read_tfjs_model(fixture.write());
    REQUIRE(model.results().size() == 5);
    // q * scale + min
    check_close(result_value(model, 0), {4}, {-1, -0.5f, 0, 126.5f});
    check_close(result_value(model, 1), {2}, {1, -2});
    // int32 from uint16: round(q * 0.5 + 0.25) = round(0.25), round(1.75)
    CHECK(result_value(model, 2).type() == ElementType::i32);
    check_equal(result_value(model, 2), {2}, {0, 2});
    check_close(result_value(model, 3), {2}, {1.5f, -2.5f});
    CHECK(result_value(model, 4).type() == ElementType::boolean);
    check_equal(result_value(model, 4), {2}, {1, 0});
}

TEST_CASE("TF.js model: signature names inputs and outputs, the graph runs on REF") {
    const auto dir = temp_dir("tfjs");
    Json nodes = Json::array();
    nodes.push_back({{"name", "input"},
                     {"op", "Placeholder"},
                     {"attr",
                      {{"dtype", {{"type", "DT_FLOAT"}}},
                       {"shape", {{"shape", {{"dim", {{{"size", "-1"}}, {{"size", "2"}}}}}}}}}}});
    nodes.push_back(const_node("w", "DT_FLOAT", {2, 2}));
    nodes.push_back({{"name", "mm"},
                     {"op", "MatMul"},
                     {"input", {"input", "w"}},
                     {"attr", {{"transpose_a", {{"b", false}}}, {"transpose_b", {{"b", true}}}}}});
    nodes.push_back({{"name", "Identity"}, {"op", "Relu"}, {"input", {"mm"}}});
    const Json model = {
        {"format", "graph-model"},
        {"modelTopology", {{"node", nodes}}},
        {"signature",
         {{"inputs", {{"input:0", {{"name", "input:0"}}}}},
          {"outputs", {{"Identity:0", {{"name", "Identity:0"}}}}}}},
        {"weightsManifest",
         {{{"paths", {"weights.bin"}},
           {"weights", {{{"name", "w"}, {"shape", {2, 2}}, {"dtype", "float32"}}}}}}}};
    write_file(dir / "model.json", model.dump());
    write_file(dir / "weights.bin", bytes_of<float>({1, 2, -3, 4}));
    graph::Model converted = frontends::read_tfjs_model(dir / "model.json");
    CHECK(converted.parameters()[0]->name == "input");
    CHECK(converted.parameters()[0]->outputs[0].type.shape == PartialShape({-1, 2}));
    CHECK(graph::output_name(converted.results()[0]->inputs[0].source) == "Identity");
    const auto outputs = run_reference(std::move(converted), {f32({2, 2}, {1, 1, 2, 0})});
    // x @ w^T: [1, 1] -> [3, 1]; [2, 0] -> [2, -6] -> relu
    check_close(outputs[0], {2, 2}, {3, 1, 2, 0});
}

TEST_CASE("TF.js bad input: missing or short shards, missing weights, malformed files") {
    {
        QuantizedModel fixture;
        const auto path = fixture.write();
        std::filesystem::remove(fixture.dir / "group2-shard1of1.bin");
        CHECK(error_of(path).find("weight shard 'group2-shard1of1.bin' is missing") !=
              std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.shard3.resize(fixture.shard3.size() - 1);
        CHECK(error_of(fixture.write()).find("hold 13 bytes, but their weights need 14") !=
              std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["weightsManifest"][1]["weights"].erase(2);
        CHECK(error_of(fixture.write()).find("constant 'flags' has no weight") !=
              std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["weightsManifest"][0]["weights"][0]["quantization"]["dtype"] = "int4";
        CHECK(error_of(fixture.write()).find("quantization 'int4' is not supported") !=
              std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["modelTopology"]["node"][1]["input"] = {"nowhere"};
        CHECK(error_of(fixture.write()).find("input 'nowhere' names no node") != std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["modelTopology"]["node"][1]["op"] = "Lgamma";
        fixture.model["modelTopology"]["node"][3]["op"] = "Digamma";
        const std::string message = error_of(fixture.write());
        CHECK(message.find("2 unsupported op type(s)") != std::string::npos);
        CHECK(message.find("Lgamma: 1 (first: out_u8)") != std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["format"] = "layers-model";
        CHECK(error_of(fixture.write()).find("layers model") != std::string::npos);
    }
    {
        QuantizedModel fixture;
        fixture.model["modelTopology"]["node"][0]["attr"]["dtype"] = {{"type", 3.5}};
        CHECK(error_of(fixture.write()).find("not a valid GraphDef") != std::string::npos);
    }
    const auto dir = temp_dir("tfjs");
    write_file(dir / "model.json", "{\"modelTopology\": {\"node\": [");
    CHECK(error_of(dir / "model.json").find("not valid JSON") != std::string::npos);
    CHECK(error_of(dir / "absent.json").find("no such file") != std::string::npos);
}

TEST_CASE("TF.js bad input: shard paths outside the model's folder, devices and FIFOs") {
    auto error_with_shard = [](const std::string& path) {
        QuantizedModel fixture;
        fixture.model["weightsManifest"][1]["paths"] = {path};
        return error_of(fixture.write());
    };
    const auto outside = temp_dir("tfjs-outside") / "weights.bin";
    write_file(outside, std::string(14, '\0'));
    const std::string escape = "../" + outside.parent_path().filename().string() + "/weights.bin";
    CHECK(error_with_shard(escape).find("weight shard '" + escape + "' lies outside") !=
          std::string::npos);
    CHECK(error_with_shard(outside.string()).find("lies outside the model's folder") !=
          std::string::npos);
    CHECK(error_with_shard("/dev/zero").find("weight shard '/dev/zero' lies outside") !=
          std::string::npos);

    QuantizedModel linked;
    linked.model["weightsManifest"][1]["paths"] = {"link.bin"};
    std::filesystem::create_symlink(outside, linked.dir / "link.bin");
    CHECK(error_of(linked.write()).find("weight shard 'link.bin' lies outside") !=
          std::string::npos);

    QuantizedModel fifo;
    fifo.model["weightsManifest"][1]["paths"] = {"fifo.bin"};
    REQUIRE(mkfifo((fifo.dir / "fifo.bin").c_str(), 0600) == 0);
    CHECK(error_of(fifo.write()).find("weight shard 'fifo.bin' is not a regular file") !=
          std::string::npos);
    REQUIRE(mkfifo((fifo.dir / "fifo.json").c_str(), 0600) == 0);
    CHECK(error_of(fifo.dir / "fifo.json").find("fifo.json is not a regular file") !=
          std::string::npos);
}

TEST_CASE("TF.js bad input: a manifest promising more bytes than its shards hold") {
    QuantizedModel fixture;
    fixture.model["weightsManifest"][1]["weights"][1]["shape"] = {int64_t{1} << 27};
    const auto path = fixture.write();
    const size_t peak_before = peak_resident_bytes();
    CHECK(error_of(path).find("hold 14 bytes, but their weights need 536870918") !=
          std::string::npos);
    CHECK(peak_resident_bytes() - peak_before < k_bad_input_memory);
}
