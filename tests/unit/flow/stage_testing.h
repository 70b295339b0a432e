#pragma once

#include "inference/runtime/compiled_model.h"
#include "pipeline/source/source_spec.h"

#include <string>

namespace es::testing {

// person-detection-0200 (an SSD detector of ../shared) compiled for the CPU.
runtime::CompiledModel person_detector();

// A source named `id` reading `uri`.
pipeline::SourceSpec source_spec(const std::string& id, const std::string& uri);

// The street clip of ../shared (people walking; 199 frames decode).
std::string street_clip();

}  // namespace es::testing
