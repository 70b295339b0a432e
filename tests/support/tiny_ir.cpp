#include "tests/support/tiny_ir.h"

#include <fstream>
#include <stdexcept>

namespace es::testing {

std::string tiny_ir_xml() {
    return R"(<?xml version="1.0"?>
<net name="tiny" version="11">
	<layers>
		<layer id="0" name="input" type="Parameter" version="opset1">
			<data shape="1,3,4,4" element_type="f32"/>
			<output>
				<port id="0" precision="FP32" names="input">
					<dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim>
				</port>
			</output>
		</layer>
		<layer id="1" name="bias" type="Const" version="opset1">
			<data element_type="f32" shape="1, 3, 1, 1" offset="0" size="12"/>
			<output>
				<port id="0" precision="FP32">
					<dim>1</dim><dim>3</dim><dim>1</dim><dim>1</dim>
				</port>
			</output>
		</layer>
		<layer id="2" name="add" type="Add" version="opset1">
			<data auto_broadcast="numpy"/>
			<input>
				<port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>
				<port id="1" precision="FP32"><dim>1</dim><dim>3</dim><dim>1</dim><dim>1</dim></port>
			</input>
			<output>
				<port id="2" precision="FP32" names="add"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>
			</output>
		</layer>
		<layer id="3" name="relu" type="ReLU" version="opset1">
			<input>
				<port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>
			</input>
			<output>
				<port id="1" precision="FP32" names="output"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>
			</output>
		</layer>
		<layer id="4" name="output/sink_port_0" type="Result" version="opset1">
			<input>
				<port id="0" precision="FP32"><dim>1</dim><dim>3</dim><dim>4</dim><dim>4</dim></port>
			</input>
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

std::filesystem::path write_tiny_ir(const std::filesystem::path& dir, const std::string& name,
                                    const std::string& xml, size_t bin_bytes) {
    const auto xml_path = dir / (name + ".xml");
    std::ofstream(xml_path) << xml;
    const float weights[3] = {1.0f, 2.0f, 3.0f};
    std::ofstream bin(dir / (name + ".bin"), std::ios::binary);
    bin.write(reinterpret_cast<const char*>(weights),
              static_cast<std::streamsize>(std::min<size_t>(bin_bytes, 12)));
    return xml_path;
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
    const size_t position = text.find(from);
    if (position == std::string::npos)
        throw std::logic_error("replace_once: '" + from + "' not found");
    return text.replace(position, from.size(), to);
}

}  // namespace es::testing
