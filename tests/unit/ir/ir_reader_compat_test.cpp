// What OpenVINO's IR reader accepts beyond the letter of the opset specification, and where the
// loosening stops: float-width port precisions, f32 constants beside f16 data, enum spellings.
#include "inference/core/error.h"
#include "inference/graph/evaluate.h"
#include "inference/ir/ir.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

#include <cstring>
#include <fstream>

using namespace es;
using testing::replace_once;

namespace {

std::filesystem::path write_ir(const std::string& name, const std::string& xml,
                               const std::vector<std::byte>& weights) {
    const auto dir = testing::temp_dir("ir-compat");
    const auto path = dir / (name + ".xml");
    std::ofstream(path) << xml;
    std::ofstream bin(dir / (name + ".bin"), std::ios::binary);
    bin.write(reinterpret_cast<const char*>(weights.data()),
              static_cast<std::streamsize>(weights.size()));
    return path;
}

template <typename T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
    std::vector<std::byte> bytes(values.size() * sizeof(T));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}

std::string read_error(const std::filesystem::path& path) {
    try {
        ir::read_model(path);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("expected an error");
    return {};
}

const char* const k_dims = "<dim>1</dim><dim>3</dim><dim>1</dim><dim>2</dim>";

// IR v10, FP16: data [1,3,1,2] -> PReLU (slope Const f32 [3] = 1, 2, 3) -> ReLU -> Result. The
// ReLU's output port is declared FP32, as Model Optimizer writes some FP16 outputs.
std::string fp16_prelu_xml() {
    std::string xml = R"(<?xml version="1.0"?>
<net name="prelu" version="10">
	<layers>
		<layer id="0" name="data" type="Parameter" version="opset1">
			<data element_type="f16" shape="1,3,1,2"/>
			<output><port id="0" precision="FP16">DIMS</port></output>
		</layer>
		<layer id="1" name="slope" type="Const" version="opset1">
			<data element_type="f32" shape="3" offset="0" size="12"/>
			<output><port id="1" precision="FP32"><dim>3</dim></port></output>
		</layer>
		<layer id="2" name="prelu" type="PReLU" version="opset1">
			<input><port id="0">DIMS</port><port id="1"><dim>3</dim></port></input>
			<output><port id="2" precision="FP16">DIMS</port></output>
		</layer>
		<layer id="3" name="relu" type="ReLU" version="opset1">
			<input><port id="0">DIMS</port></input>
			<output><port id="1" precision="FP32">DIMS</port></output>
		</layer>
		<layer id="4" name="out" type="Result" version="opset1">
			<input><port id="0">DIMS</port></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="1" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
		<edge from-layer="3" from-port="1" to-layer="4" to-port="0"/>
	</edges>
</net>
)";
    for (size_t at = xml.find("DIMS"); at != std::string::npos; at = xml.find("DIMS"))
        xml.replace(at, 4, k_dims);
    return xml;
}

const std::vector<std::byte> k_slope = bytes_of(std::vector<float>{1.0f, 2.0f, 3.0f});

}  // namespace

TEST_CASE("IR v10 FP16: an f32 Const beside f16 data is stored as f16 and computes the same") {
    const graph::Model model = ir::read_model(write_ir("prelu", fp16_prelu_xml(), k_slope));
    const graph::Node& slope = *model.find("slope");
    CHECK(slope.outputs[0].type.type == ElementType::f16);
    CHECK(slope.value.type() == ElementType::f16);
    CHECK(slope.attributes.get_string("element_type") == "f16");
    CHECK(slope.value.to_doubles() == std::vector<double>{1.0, 2.0, 3.0});
    const graph::Node& prelu = *model.find("prelu");
    CHECK(prelu.outputs[0].type.type == ElementType::f16);
    // No layer is added: the graph keeps the file's five.
    CHECK(model.nodes().size() == 5);

    Tensor data(ElementType::f32, {1, 3, 1, 2});
    const float values[6] = {-1.0f, 2.0f, -1.0f, 2.0f, -1.0f, 2.0f};
    std::copy(values, values + 6, data.data<float>());
    const std::vector<Tensor> inputs{data, slope.value};
    const auto outputs = graph::evaluate_node(prelu, inputs);
    CHECK(outputs[0].to_doubles() == std::vector<double>{-1.0, 2.0, -2.0, 2.0, -3.0, 2.0});
}

TEST_CASE("IR reader keeps rejecting mixes it cannot reconcile") {
    SUBCASE("an integer constant beside f16 data") {
        std::string xml = replace_once(fp16_prelu_xml(), R"(element_type="f32" shape="3")",
                                       R"(element_type="i32" shape="3")");
        xml = replace_once(xml, R"(<port id="1" precision="FP32"><dim>3</dim>)",
                           R"(<port id="1" precision="I32"><dim>3</dim>)");
        const std::string error = read_error(write_ir("int-slope", xml, k_slope));
        CHECK(error.find("layer 2 'prelu' (PReLU): input 1 has element type i32, expected f16 "
                         "like input 0") != std::string::npos);
    }
    SUBCASE("an f32 Parameter beside f16 data: not a constant") {
        std::string xml = replace_once(
            fp16_prelu_xml(), R"(<layer id="1" name="slope" type="Const" version="opset1">
			<data element_type="f32" shape="3" offset="0" size="12"/>)",
            R"(<layer id="1" name="slope" type="Parameter" version="opset1">
			<data element_type="f32" shape="3"/>)");
        const std::string error = read_error(write_ir("param-slope", xml, {}));
        CHECK(error.find("layer 2 'prelu' (PReLU): input 1 has element type f32, expected f16 "
                         "like input 0") != std::string::npos);
    }
}

TEST_CASE(
    "IR reader: a declared precision differing only in float width gives way to the "
    "inferred one") {
    const graph::Model model = ir::read_model(write_ir("width", fp16_prelu_xml(), k_slope));
    // relu's port says FP32; the op computes f16 data into f16.
    CHECK(model.find("relu")->outputs[0].type.type == ElementType::f16);
    CHECK(model.results()[0]->inputs[0].source.type().type == ElementType::f16);
}

TEST_CASE(
    "IR reader: a declared integer precision or rank that the op does not produce is an "
    "error naming the layer") {
    SUBCASE("integer") {
        const std::string xml = replace_once(
            fp16_prelu_xml(), std::string(R"(<port id="1" precision="FP32">)") + k_dims,
            std::string(R"(<port id="1" precision="I32">)") + k_dims);
        const std::string error = read_error(write_ir("int-port", xml, k_slope));
        CHECK(error.find("layer 3 'relu' (ReLU): output 0 has element type f16 but the file "
                         "declares i32") != std::string::npos);
    }
    SUBCASE("boolean") {
        const std::string xml = replace_once(
            fp16_prelu_xml(), std::string(R"(<port id="1" precision="FP32">)") + k_dims,
            std::string(R"(<port id="1" precision="BOOL">)") + k_dims);
        const std::string error = read_error(write_ir("bool-port", xml, k_slope));
        CHECK(error.find("layer 3 'relu' (ReLU): output 0 has element type f16 but the file "
                         "declares boolean") != std::string::npos);
    }
    SUBCASE("rank") {
        // relu's output and the Result's input both say [3,2].
        std::string xml = replace_once(fp16_prelu_xml(),
                                       std::string(R"(<port id="1" precision="FP32">)") + k_dims,
                                       R"(<port id="1" precision="FP32"><dim>3</dim><dim>2</dim>)");
        const std::string result_port = std::string(R"(<port id="0">)") + k_dims;
        xml.replace(xml.rfind(result_port), result_port.size(),
                    R"(<port id="0"><dim>3</dim><dim>2</dim>)");
        const std::string error = read_error(write_ir("rank-port", xml, k_slope));
        INFO(error);
        CHECK(error.find("layer 3 'relu' (ReLU): output 0 has shape [1,3,1,2] but the file "
                         "declares [3,2]") != std::string::npos);
    }
}

namespace {

// IR v11: data [1,2,4] -> MVN-6 over axis 2 (axes Const i64 [1] = 2) -> MaxPool-1 -> Result,
// with enum attributes spelled `eps_mode`, `auto_pad` and `rounding_type`.
std::string mvn_xml(const std::string& eps_mode, const std::string& auto_pad,
                    const std::string& rounding_type) {
    return R"(<?xml version="1.0"?>
<net name="mvn" version="11">
	<layers>
		<layer id="0" name="data" type="Parameter" version="opset1">
			<data element_type="f32" shape="1,2,4"/>
			<output><port id="0" precision="FP32"><dim>1</dim><dim>2</dim><dim>4</dim></port></output>
		</layer>
		<layer id="1" name="axes" type="Const" version="opset1">
			<data element_type="i64" shape="1" offset="0" size="8"/>
			<output><port id="0" precision="I64"><dim>1</dim></port></output>
		</layer>
		<layer id="2" name="mvn" type="MVN" version="opset6">
			<data eps="1e-9" eps_mode=")" +
           eps_mode + R"(" normalize_variance="true"/>
			<input><port id="0"><dim>1</dim><dim>2</dim><dim>4</dim></port><port id="1"><dim>1</dim></port></input>
			<output><port id="2" precision="FP32"><dim>1</dim><dim>2</dim><dim>4</dim></port></output>
		</layer>
		<layer id="3" name="pool" type="MaxPool" version="opset1">
			<data auto_pad=")" +
           auto_pad + R"(" kernel="3" pads_begin="0" pads_end="0" rounding_type=")" +
           rounding_type + R"(" strides="2"/>
			<input><port id="0"><dim>1</dim><dim>2</dim><dim>4</dim></port></input>
			<output><port id="1" precision="FP32"><dim>1</dim><dim>2</dim><dim>2</dim></port></output>
		</layer>
		<layer id="4" name="out" type="Result" version="opset1">
			<input><port id="0"><dim>1</dim><dim>2</dim><dim>2</dim></port></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
		<edge from-layer="3" from-port="1" to-layer="4" to-port="0"/>
	</edges>
</net>
)";
}

const std::vector<std::byte> k_axes = bytes_of(std::vector<int64_t>{2});

}  // namespace

TEST_CASE("IR reader compares enum attributes case-insensitively and stores them in lower case") {
    const graph::Model model =
        ir::read_model(write_ir("enums", mvn_xml("INSIDE_SQRT", "Same_Upper", "CEIL"), k_axes));
    CHECK(model.find("mvn")->attributes.get_string("eps_mode") == "inside_sqrt");
    CHECK(model.find("pool")->attributes.get_string("auto_pad") == "same_upper");
    CHECK(model.find("pool")->attributes.get_string("rounding_type") == "ceil");
    // same_upper with stride 2 over 4: 2 outputs; the declared [1,2,2] agrees.
    CHECK(model.find("pool")->outputs[0].type.shape == PartialShape{1, 2, 2});
}

TEST_CASE("IR reader still rejects an enum value that is no spelling of a member") {
    const std::string error =
        read_error(write_ir("bad-enum", mvn_xml("inside_root", "same_upper", "floor"), k_axes));
    CHECK(error.find("layer 2 'mvn' (MVN): attribute 'eps_mode' is 'inside_root', expected "
                     "'inside_sqrt' or 'outside_sqrt'") != std::string::npos);
}

TEST_CASE("IR reader reads CTCGreedyDecoderSeqLen layers with their two integer outputs") {
    // data [1,3,2] -> CTCGreedyDecoderSeqLen (sequence_length Parameter i32 [1]) -> 2 Results.
    const std::string xml = R"(<?xml version="1.0"?>
<net name="ctc" version="11">
	<layers>
		<layer id="0" name="logits" type="Parameter" version="opset1">
			<data element_type="f32" shape="1,3,2"/>
			<output><port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>2</dim></port></output>
		</layer>
		<layer id="1" name="lengths" type="Parameter" version="opset1">
			<data element_type="i32" shape="1"/>
			<output><port id="0" precision="I32"><dim>1</dim></port></output>
		</layer>
		<layer id="2" name="decode" type="CTCGreedyDecoderSeqLen" version="opset6">
			<data merge_repeated="true" classes_index_type="i32" sequence_length_type="i32"/>
			<input><port id="0"><dim>1</dim><dim>3</dim><dim>2</dim></port><port id="1"><dim>1</dim></port></input>
			<output>
				<port id="2" precision="I32"><dim>1</dim><dim>3</dim></port>
				<port id="3" precision="I32"><dim>1</dim></port>
			</output>
		</layer>
		<layer id="3" name="classes" type="Result" version="opset1">
			<input><port id="0"><dim>1</dim><dim>3</dim></port></input>
		</layer>
		<layer id="4" name="length" type="Result" version="opset1">
			<input><port id="0"><dim>1</dim></port></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
		<edge from-layer="2" from-port="3" to-layer="4" to-port="0"/>
	</edges>
</net>
)";
    const graph::Model model = ir::read_model(write_ir("ctc", xml, {}));
    const graph::Node& decode = *model.find("decode");
    CHECK(decode.outputs[0].type == graph::PortType{ElementType::i32, PartialShape{1, 3}});
    CHECK(decode.outputs[1].type == graph::PortType{ElementType::i32, PartialShape{1}});
    // A declared float port where the op gives integers stays an error.
    const std::string error = read_error(write_ir(
        "ctc-float",
        replace_once(xml, R"(<port id="2" precision="I32">)", R"(<port id="2" precision="FP32">)"),
        {}));
    CHECK(error.find("layer 2 'decode' (CTCGreedyDecoderSeqLen): output 0 has element type i32 "
                     "but the file declares f32") != std::string::npos);
}

TEST_CASE("A port written without dims stays of unknown rank where inference cannot tell") {
    // An input of unknown rank broadcast to [1,2,2]: its ports carry no dims, as a scalar's
    // would, and reading them as a scalar would fix the Broadcast's output to [1,2,2].
    const std::string xml = R"(<?xml version="1.0"?>
<net name="unknown_rank" version="11">
	<layers>
		<layer id="0" name="state" type="Parameter" version="opset1">
			<data element_type="f32" shape="..."/>
			<output><port id="0" precision="FP32"/></output>
		</layer>
		<layer id="1" name="target" type="Const" version="opset1">
			<data element_type="i64" shape="3" offset="0" size="24"/>
			<output><port id="1" precision="I64"><dim>3</dim></port></output>
		</layer>
		<layer id="2" name="broadcast" type="Broadcast" version="opset3">
			<data mode="bidirectional"/>
			<input><port id="0"/><port id="1"><dim>3</dim></port></input>
			<output><port id="2" precision="FP32"/></output>
		</layer>
		<layer id="3" name="out" type="Result" version="opset1">
			<input><port id="0"/></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="1" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
	</edges>
</net>)";
    const graph::Model model =
        ir::read_model(write_ir("unknown_rank", xml, bytes_of(std::vector<int64_t>{1, 2, 2})));
    CHECK_FALSE(model.parameters().at(0)->outputs[0].type.shape.rank_known());
    CHECK_FALSE(model.results().at(0)->input_type(0).shape.rank_known());

    // where the rank is known, a port without dims still declares a scalar
    const std::string scalar = replace_once(xml, R"(shape="...")", R"(shape="2")");
    CHECK(read_error(write_ir("scalar", scalar, bytes_of(std::vector<int64_t>{1, 2, 2})))
              .find("output 0 has shape [2] but the file declares []") != std::string::npos);
}
