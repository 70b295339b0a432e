// `edgesight infer --image`: NCHW and NHWC inputs, a chosen input, the second input of
// super-resolution models, and inputs an image cannot fill.
#include "inference/core/npy.h"
#include "tests/support/test_data.h"
#include "tests/support/tiny_ir.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

std::string binary() {
    return edgesight_binary().string();
}

std::string image() {
    const auto shared = shared_dir();
    return (shared / "media" / "voc2011" / "2011_000006.jpg").string();
}

// An IR v11 Parameter [?,H,W,3] (NHWC) -> Add(Const [1,1,1,3] = 1,2,3) -> ReLU -> Result: for
// an image, output[0,y,x,c] is the pixel plus c + 1.
std::string nhwc_ir_xml(int64_t height, int64_t width) {
    const std::string dims =
        fmt::format("<dim>-1</dim><dim>{}</dim><dim>{}</dim><dim>3</dim>", height, width);
    return fmt::format(R"(<?xml version="1.0"?>
<net name="nhwc" version="11">
	<layers>
		<layer id="0" name="image" type="Parameter" version="opset1">
			<data shape="?,{0},{1},3" element_type="f32"/>
			<output><port id="0" precision="FP32" names="image">{2}</port></output>
		</layer>
		<layer id="1" name="bias" type="Const" version="opset1">
			<data element_type="f32" shape="1,1,1,3" offset="0" size="12"/>
			<output><port id="0" precision="FP32"><dim>1</dim><dim>1</dim><dim>1</dim><dim>3</dim></port></output>
		</layer>
		<layer id="2" name="add" type="Add" version="opset1">
			<data auto_broadcast="numpy"/>
			<input>
				<port id="0" precision="FP32">{2}</port>
				<port id="1" precision="FP32"><dim>1</dim><dim>1</dim><dim>1</dim><dim>3</dim></port>
			</input>
			<output><port id="2" precision="FP32" names="add">{2}</port></output>
		</layer>
		<layer id="3" name="relu" type="ReLU" version="opset1">
			<input><port id="0" precision="FP32">{2}</port></input>
			<output><port id="1" precision="FP32" names="output">{2}</port></output>
		</layer>
		<layer id="4" name="output/sink_port_0" type="Result" version="opset1">
			<input><port id="0" precision="FP32">{2}</port></input>
		</layer>
	</layers>
	<edges>
		<edge from-layer="0" from-port="0" to-layer="2" to-port="0"/>
		<edge from-layer="1" from-port="0" to-layer="2" to-port="1"/>
		<edge from-layer="2" from-port="2" to-layer="3" to-port="0"/>
		<edge from-layer="3" from-port="1" to-layer="4" to-port="0"/>
	</edges>
</net>
)",
                       height, width, dims);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("infer --image fills an NHWC input interleaved as it fills an NCHW one planar") {
    const auto dir = temp_dir("infer-image");
    const auto nchw = write_tiny_ir(dir, "nchw", tiny_ir_xml());
    const auto nhwc = write_tiny_ir(dir, "nhwc", nhwc_ir_xml(4, 4));
    auto result = run_command(binary() + " infer " + nchw.string() + " --image " + image() +
                              " --output-dir " + (dir / "nchw").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.output, "<- input 'input' [1,3,4,4] NCHW: the image, BGR 0..255"));
    result = run_command(binary() + " infer " + nhwc.string() + " --image " + image() +
                         " --output-dir " + (dir / "nhwc").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.output, "<- input 'image' [?,4,4,3] NHWC: the image, BGR 0..255"));

    const Tensor planar = read_npy(dir / "nchw" / "output.npy");
    const Tensor interleaved = read_npy(dir / "nhwc" / "output.npy");
    REQUIRE(planar.shape() == Shape{1, 3, 4, 4});
    REQUIRE(interleaved.shape() == Shape{1, 4, 4, 3});
    double sum = 0;
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 4; ++y)
            for (int64_t x = 0; x < 4; ++x) {
                const float value = planar.data<float>()[(c * 4 + y) * 4 + x];
                CHECK(interleaved.data<float>()[(y * 4 + x) * 3 + c] == value);
                sum += value;
            }
    CHECK(sum > 48 * 3.0);  // the pixels are there, not only the biases
}

TEST_CASE("infer --image on a TF.js model converted to IR (NHWC, dynamic batch)") {
    const auto fetched = fetched_models("the NHWC --image test");
    const auto dir = temp_dir("infer-image-tfjs");
    const auto model = dir / "age.xml";
    auto result = run_command(binary() + " convert " +
                              (fetched / "human-models" / "models" / "age.json").string() +
                              " -o " + model.string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    result = run_command(binary() + " infer " + model.string() + " --device CPU --image " +
                         image() + " --output-dir " + (dir / "from-image").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.output, "<- input 'input_1' [?,64,64,3] NHWC: the image, BGR 0..255"));

    // The same tensor written out by an NHWC model that adds 1, 2, 3 to the channels, then
    // given as a .npy: the age model's output must be the same.
    const auto identity = write_tiny_ir(dir, "identity", nhwc_ir_xml(64, 64));
    result = run_command(binary() + " infer " + identity.string() + " --image " + image() +
                         " --output-dir " + (dir / "identity").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    Tensor tensor = read_npy(dir / "identity" / "output.npy");
    REQUIRE(tensor.shape() == Shape{1, 64, 64, 3});
    for (size_t i = 0; i < tensor.size(); ++i)
        tensor.data<float>()[i] -= static_cast<float>(i % 3 + 1);
    write_npy(dir / "image.npy", tensor);
    result = run_command(binary() + " infer " + model.string() +
                         " --device CPU --input input_1=" + (dir / "image.npy").string() +
                         " --output-dir " + (dir / "from-npy").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    const Tensor from_image = read_npy(dir / "from-image" / "Identity.npy");
    const Tensor from_npy = read_npy(dir / "from-npy" / "Identity.npy");
    REQUIRE(from_image.shape() == Shape{1, 1});
    CHECK(from_image.data<float>()[0] == from_npy.data<float>()[0]);
}

TEST_CASE("infer --image feeds a super-resolution model's second input the bicubic upscale") {
    const auto shared = shared_dir();
    const auto dir = temp_dir("infer-image-sr");
    const auto model = shared / "models" / "ir" / "single-image-super-resolution-1032" / "FP32" /
                       "single-image-super-resolution-1032.xml";
    REQUIRE(std::filesystem::exists(model));
    auto result = run_command(binary() + " infer " + model.string() + " --device CPU --image " +
                              image() + " --add-output 1 --output-dir " + dir.string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.output, "<- input '0' [1,3,270,480] NCHW: the image, BGR 0..255"));
    CHECK(contains(result.output,
                   "<- input '1' [1,3,1080,1920] NCHW: the image upscaled x4 (bicubic)"));
    // The network adds detail to the upscaled image and writes it in 0..1.
    const Tensor output = read_npy(dir / "129.npy");
    const Tensor upscaled = read_npy(dir / "1.npy");
    REQUIRE(output.shape() == Shape{1, 3, 1080, 1920});
    REQUIRE(upscaled.shape() == output.shape());
    double difference = 0;
    double brightness = 0;
    for (size_t i = 0; i < output.size(); ++i) {
        difference += std::abs(output.data<float>()[i] * 255 - upscaled.data<float>()[i]);
        brightness += upscaled.data<float>()[i];
    }
    CHECK(brightness / static_cast<double>(output.size()) > 20);
    CHECK(difference / static_cast<double>(output.size()) < 8);

    // Given to the large input, the image leaves the small one without a value.
    result =
        run_command(binary() + " infer " + model.string() + " --device CPU --image 1=" + image() +
                    " --output-dir " + (dir / "chosen").string());
    CHECK(result.exit_code == 2);
    CHECK(contains(result.output,
                   "input '0' [1,3,270,480] has no value: give it with --input 0=FILE.npy"));
}

TEST_CASE("infer --image on a grey super-resolution model, and on inputs that take no image") {
    const auto shared = shared_dir();
    const auto dir = temp_dir("infer-image-grey");
    const auto model = shared / "models" / "ir" / "text-image-super-resolution-0001" / "FP32" /
                       "text-image-super-resolution-0001.xml";
    REQUIRE(std::filesystem::exists(model));
    auto result = run_command(binary() + " infer " + model.string() + " --device CPU --image " +
                              image() + " --output-dir " + dir.string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(contains(result.output, "<- input '0' [1,1,360,640] NCHW: the image, grey 0..255"));
    CHECK(read_npy(dir / "14.npy").shape() == Shape{1, 1, 1080, 1920});

    const auto tiny = write_tiny_ir(dir, "tiny", tiny_ir_xml());
    result = run_command(binary() + " infer " + tiny.string() + " --shape input=1,3,4 --image " +
                         image() + " --output-dir " + (dir / "none").string());
    CHECK(result.exit_code == 2);
    CHECK(contains(result.output, "no model input takes an image"));
    CHECK(contains(result.output, "'input' [1,3,4]"));
}
