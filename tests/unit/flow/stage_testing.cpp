#include "tests/unit/flow/stage_testing.h"

#include "devices/registry.h"
#include "inference/ir/ir.h"
#include "inference/runtime/core.h"
#include "pipeline/config/source_uri.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

namespace es::testing {

runtime::CompiledModel person_detector() {
    static const runtime::Core core(devices::make_registry());
    const auto path = shared_dir() / "models" / "ir" / "person-detection-0200" / "FP16" /
                      "person-detection-0200.xml";
    return core.compile(std::make_shared<graph::Model>(ir::read_model(path)), "CPU");
}

pipeline::SourceSpec source_spec(const std::string& id, const std::string& uri) {
    const pipeline::ParsedSourceUri parsed =
        pipeline::parse_source_uri(uri, std::filesystem::current_path());
    REQUIRE_MESSAGE(parsed.problem.empty(), parsed.problem);
    pipeline::SourceSpec spec;
    spec.id = id;
    spec.uri = parsed.uri;
    return spec;
}

std::string street_clip() {
    return (shared_dir() / "media" / "vtest_200f_h264.mp4").string();
}

}  // namespace es::testing
