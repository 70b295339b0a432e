#include "pipeline/classify/classifier.h"

#include "inference/core/error.h"
#include "pipeline/preprocess/preprocessor.h"

#include <fmt/format.h>

#include <algorithm>

namespace es::pipeline {
namespace {

// Elements per crop of an output compiled for one crop; 0 when not static.
int64_t elements_per_crop(const PartialShape& shape) {
    if (!shape.rank_known() || shape.rank() < 1) return 0;
    int64_t count = 1;
    for (size_t axis = 1; axis < shape.rank(); ++axis) {
        if (shape[axis] <= 0) return 0;
        count *= shape[axis];
    }
    return count;
}

// [N,C] or [N,C,1,…,1] with C > 1.
bool is_scores(const PartialShape& shape) {
    if (shape.rank() < 2 || shape[1] <= 1) return false;
    for (size_t axis = 2; axis < shape.rank(); ++axis)
        if (shape[axis] != 1) return false;
    return true;
}

// The outputs to publish: those the config lists, in its order, or every one.
std::vector<std::pair<size_t, const ClassifyOutputConfig*>> published_outputs(
    const ClassifyConfig& config, const std::vector<runtime::PortInfo>& outputs) {
    std::vector<std::pair<size_t, const ClassifyOutputConfig*>> published;
    if (config.outputs.empty()) {
        for (size_t i = 0; i < outputs.size(); ++i)
            published.emplace_back(i, nullptr);
        return published;
    }
    for (const ClassifyOutputConfig& output : config.outputs) {
        const auto port =
            std::find_if(outputs.begin(), outputs.end(),
                         [&](const runtime::PortInfo& info) { return info.name == output.tensor; });
        if (port == outputs.end())
            throw_bad_input("outputs.{}: the model has no such output; its outputs are {}",
                            output.tensor, describe_outputs(outputs));
        published.emplace_back(static_cast<size_t>(port - outputs.begin()), &output);
    }
    return published;
}

AttributeOutput attribute_of(const ClassifyConfig& config, const runtime::PortInfo& port,
                             size_t index, const ClassifyOutputConfig* output, bool only) {
    AttributeOutput attribute;
    attribute.output = index;
    attribute.name = output && !output->name.empty() ? output->name
                     : only                          ? config.name
                                                     : port.name;
    const std::vector<std::string>& labels = output ? output->labels : config.labels;
    if (output) attribute.scale = output->scale;
    const PartialShape& shape = port.type.shape;
    const int64_t elements = elements_per_crop(shape);
    if (elements == 1) {
        if (!labels.empty())
            throw_bad_input("output '{}' is one number per crop (a value); labels do not apply",
                            port.name);
        return attribute;
    }
    if (elements == 0 || !is_scores(shape))
        throw_bad_input(
            "output '{}' has shape {}; expected class scores [N,C] (or [N,C,1,1]) or one number "
            "per crop; name the outputs to publish in \"outputs\"",
            port.name, es::to_string(shape));
    if (!labels.empty() && static_cast<int64_t>(labels.size()) != shape[1])
        throw_bad_input("output '{}' scores {} classes; {} labels given", port.name, shape[1],
                        labels.size());
    DecoderOptions options;
    options.kind = DecoderKind::classification;
    options.threshold = 0.0f;
    options.labels = labels;
    attribute.scores = std::make_shared<ClassificationDecoder>(options, std::vector{port});
    return attribute;
}

}  // namespace

Classifier::Classifier(ClassifyConfig config, std::vector<runtime::CompiledModel> by_batch)
    : m_config(std::move(config)),
      m_model_name(m_config.path.stem().string()),
      m_by_batch(std::move(by_batch)) {
    if (m_by_batch.empty()) throw_bad_input("no compiled model");
    const runtime::CompiledModel& model = m_by_batch.front();
    if (model.inputs().size() != 1)
        throw_bad_input("{} inputs; expected one image input", model.inputs().size());
    const runtime::PortInfo& input = model.inputs()[0];
    // Throws when the input is not an image the preprocessing can fill.
    Preprocessor(m_config.preprocess, input.type.shape, input.type.type, input.name);
    const auto published = published_outputs(m_config, model.outputs());
    if (published.size() > 1 && m_config.outputs.empty() && !m_config.labels.empty())
        throw_bad_input(
            "labels: the model has {} outputs; give each its labels in "
            "outputs.NAME.labels",
            published.size());
    for (const auto& [index, output] : published)
        m_attributes.push_back(
            attribute_of(m_config, model.outputs()[index], index, output, published.size() == 1));
}

bool Classifier::applies_to(const std::string& label) const {
    const auto& labels = m_config.object_labels;
    return labels.empty() || std::find(labels.begin(), labels.end(), label) != labels.end();
}

void Classifier::decode(const runtime::InferRequest& request, size_t item,
                        std::span<ObjectAttribute> dst, std::vector<Detection>& scratch) const {
    for (size_t a = 0; a < m_attributes.size(); ++a) {
        const AttributeOutput& attribute = m_attributes[a];
        const Tensor& tensor = request.output(attribute.output);
        ObjectAttribute& result = dst[a];
        result.name = attribute.name;
        result.model = m_model_name;
        if (attribute.scores) {
            scratch.clear();
            attribute.scores->decode(std::span(&tensor, 1), item, LetterboxTransform{}, scratch);
            if (scratch.empty())
                throw_runtime("classifier {}: output '{}' has no score for crop {}", m_model_name,
                              attribute.name, item);
            result.value.reset();
            result.label = scratch.front().label;
            result.label_id = scratch.front().label_id;
            result.confidence = scratch.front().confidence;
            continue;
        }
        if (tensor.rank() < 1 || static_cast<size_t>(tensor.shape()[0]) <= item ||
            tensor.size() != static_cast<size_t>(tensor.shape()[0]))
            throw_runtime(
                "classifier {}: output '{}' of shape {} for crop {}; expected one number "
                "per crop",
                m_model_name, attribute.name, es::to_string(tensor.shape()), item);
        with_float_data(tensor, "classify", [&](const auto* data) {
            result.value = static_cast<float>(data[item]) * attribute.scale;
        });
        result.label.clear();
        result.label_id = 0;
        result.confidence = 0.0f;
    }
}

std::vector<Classifier> compile_classifiers(const runtime::Core& core,
                                            const std::vector<ClassifyConfig>& configs,
                                            const ModelLoader& load, int nthreads, int max_batch) {
    std::vector<Classifier> classifiers;
    for (size_t i = 0; i < configs.size(); ++i) {
        const ClassifyConfig& config = configs[i];
        const std::string context = fmt::format("classify[{}] ({})", i, config.path.string());
        try {
            const auto model = std::make_shared<const graph::Model>(load(config.path));
            runtime::RuntimeConfig runtime_config;
            runtime_config.hint = runtime::PerformanceHint::latency;
            runtime_config.nthreads = nthreads;
            std::vector<runtime::CompiledModel> by_batch;
            for (int batch = 1; batch <= std::max(1, max_batch); batch *= 2) {
                runtime_config.batch = batch;
                try {
                    by_batch.push_back(core.compile(model, config.device, runtime_config));
                } catch (const Error&) {
                    if (batch == 1) throw;
                    break;  // a model fixed to one crop runs crop by crop
                }
            }
            classifiers.emplace_back(config, std::move(by_batch));
        } catch (const Error& error) {
            rethrow_with_context(error, context);
        } catch (const std::exception& error) {
            throw_runtime("{}: {}", context, error.what());
        }
    }
    return classifiers;
}

}  // namespace es::pipeline
