#pragma once

#include "inference/graph/model.h"
#include "inference/runtime/compiled_model.h"
#include "inference/runtime/core.h"
#include "pipeline/config/config.h"
#include "pipeline/postprocess/classification_decoder.h"
#include "pipeline/publish/frame_result.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace es::pipeline {

// One output of a classifier published as an attribute of each object it classifies.
struct AttributeOutput {
    size_t output = 0;  // in the model's outputs
    std::string name;
    // Class scores: decoded to the top class; null for an output of one number per object.
    std::shared_ptr<const ClassificationDecoder> scores;
    float scale = 1.0f;  // a value's multiplier
};

// A classify config with its model compiled for batches of 1, 2, 4 ... crops: what the classify
// stages of a pipeline's sources share. Copies share the compiled models.
class Classifier {
  public:
    static constexpr int k_max_batch = 8;

    // `by_batch[i]` takes batches of 2^i crops; by_batch[0] one. Throws es::Error (BadInput) when
    // the model does not take one image or an output is neither class scores nor one number.
    Classifier(ClassifyConfig config, std::vector<runtime::CompiledModel> by_batch);

    const ClassifyConfig& config() const { return m_config; }
    // The model file's stem: "model" of its attributes.
    const std::string& model_name() const { return m_model_name; }
    std::span<const runtime::CompiledModel> by_batch() const { return m_by_batch; }
    std::span<const AttributeOutput> attributes() const { return m_attributes; }

    // Whether objects labelled `label` are this classifier's.
    bool applies_to(const std::string& label) const;

    // The attributes of crop `item` of a request's `outputs` into `dst` (attributes().size() of
    // them); `scratch` is reused. Throws es::Error (Runtime) for outputs of another form.
    void decode(const runtime::InferRequest& request, size_t item, std::span<ObjectAttribute> dst,
                std::vector<Detection>& scratch) const;

  private:
    ClassifyConfig m_config;
    std::string m_model_name;
    std::vector<runtime::CompiledModel> m_by_batch;
    std::vector<AttributeOutput> m_attributes;
};

using ModelLoader = std::function<graph::Model(const std::filesystem::path&)>;

// Loads each classifier's model with `load` and compiles it on its device for batches of 1, 2,
// 4 ... up to `max_batch` crops (fewer where the model takes no other batch), each with one
// latency stream of `nthreads` threads (0: every core). Throws es::Error naming the classifier
// ("classify[1] (emotion.xml): ...") when a model cannot be read, compiled or used.
std::vector<Classifier> compile_classifiers(const runtime::Core& core,
                                            const std::vector<ClassifyConfig>& configs,
                                            const ModelLoader& load, int nthreads = 0,
                                            int max_batch = Classifier::k_max_batch);

}  // namespace es::pipeline
