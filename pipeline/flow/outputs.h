#pragma once

#include "pipeline/config/config.h"
#include "pipeline/publish/publisher.h"

#include <memory>
#include <vector>

namespace es::pipeline {

// The publishers of a pipeline's outputs, in config order. Throws es::Error (BadInput) for an
// output that cannot be opened.
std::vector<std::unique_ptr<Publisher>> make_publishers(const PipelineConfig& config);

}  // namespace es::pipeline
