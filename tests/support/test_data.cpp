#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace es::testing {

std::filesystem::path shared_dir() {
    const char* configured = std::getenv("EDGESIGHT_SHARED_DIR");
    const std::filesystem::path dir = configured ? configured : ES_SHARED_DIR_DEFAULT;
    INFO("the shared data folder (set EDGESIGHT_SHARED_DIR): ", dir);
    REQUIRE(std::filesystem::is_directory(dir));
    return dir;
}

std::filesystem::path fetched_models(const std::string& needed_by) {
    static std::optional<CommandResult> fetch;
    if (!fetch) {
        fetch =
            run_command(std::string("'") + ES_FETCH_MODELS + "' '" + ES_FETCHED_MODELS_DIR + "'");
    }
    INFO("scripts/fetch-test-models.sh, for ", needed_by, ":\n", fetch->output);
    REQUIRE(fetch->exit_code == 0);
    return ES_FETCHED_MODELS_DIR;
}

const std::vector<SharedOnnxModel>& shared_onnx_models() {
    static const std::vector<SharedOnnxModel> models = {
        {"mobilenet_v2", {"logits"}},
        {"mobilenet_v3_small", {"logits"}},
        {"ssdlite320_mobilenet_v3_large", {"bbox_regression", "cls_logits"}},
    };
    return models;
}

std::filesystem::path edgesight_binary() {
    return ES_BINARY;
}

namespace {

struct TempDirs {
    std::vector<std::filesystem::path> paths;
    ~TempDirs() {
        std::error_code ignored;
        for (const auto& path : paths)
            std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace

std::filesystem::path temp_dir(const std::string& prefix) {
    static TempDirs dirs;
    static std::mt19937_64 random{std::random_device{}()};
    const auto path = std::filesystem::temp_directory_path() /
                      (prefix + "-" + std::to_string(random() % 1000000000));
    std::filesystem::create_directories(path);
    dirs.paths.push_back(path);
    return path;
}

CommandResult run_command(const std::string& command_line) {
    CommandResult result;
    FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
    if (!pipe) return result;
    std::array<char, 4096> buffer;
    size_t count;
    while ((count = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        result.output.append(buffer.data(), count);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

size_t peak_resident_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<size_t>(usage.ru_maxrss) * 1024;  // Linux counts kilobytes
}

}  // namespace es::testing
