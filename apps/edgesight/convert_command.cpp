#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "inference/core/error.h"
#include "inference/graph/statistics.h"
#include "inference/ir/ir.h"
#include "inference/passes/pass_manager.h"

#include <fmt/format.h>

#include <filesystem>

namespace es::app {
namespace {

struct ConvertOptions {
    std::string model;
    std::string output;
    ImportOptions import;
    bool fp16 = false;
};

size_t op_total(const graph::ModelStatistics& statistics) {
    size_t total = 0;
    for (const auto& [op, count] : statistics.op_counts)
        if (!op.starts_with("Const-") && !op.starts_with("Parameter-") &&
            !op.starts_with("Result-"))
            total += count;
    return total;
}

int run_convert(const ConvertOptions& options) {
    const std::filesystem::path output(options.output);
    if (output.extension() != ".xml")
        throw_bad_input("-o {}: the output must end in .xml", options.output);
    graph::Model model = import_model(options.model, options.import);
    const auto before = graph::model_statistics(model);
    const auto records = passes::optimize(model, {.compress_to_fp16 = options.fp16});
    const auto after = graph::model_statistics(model);
    if (!output.parent_path().empty()) std::filesystem::create_directories(output.parent_path());
    ir::write_model(model, output);

    fmt::print("{} -> {}\n", options.model, options.output);
    fmt::print("ops: {} -> {}\n", op_total(before), op_total(after));
    for (const auto& record : records)
        if (record.rewrites) fmt::print("  {}: {}\n", record.pass, record.rewrites);
    fmt::print("weights: {:.2f} MB -> {:.2f} MB\n",
               static_cast<double>(before.parameter_bytes) / 1e6,
               static_cast<double>(after.parameter_bytes) / 1e6);
    return 0;
}

}  // namespace

CommandRunner add_convert_command(CLI::App& app) {
    auto options = std::make_shared<ConvertOptions>();
    CLI::App* command =
        app.add_subcommand("convert", "Convert an ONNX or TensorFlow model to optimized IR v11");
    command
        ->add_option("MODEL", options->model,
                     ".onnx, TensorFlow .pb, SavedModel directory, TF.js model.json (or an IR "
                     ".xml to re-optimize)")
        ->required();
    command->add_option("-o,--output", options->output, "OUT.xml (OUT.bin is written beside it)")
        ->required();
    command->add_option("--signature", options->import.signature,
                        "SavedModel signature to convert (default serving_default)");
    add_model_options(*command, options->import);
    command->add_flag("--fp16", options->fp16,
                      "Store weights as f16 (Const + Convert, as OpenVINO does)");
    return [options] { return run_convert(*options); };
}

}  // namespace es::app
