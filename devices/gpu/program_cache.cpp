#include "devices/gpu/program_cache.h"

#include "inference/core/error.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

namespace es::devices::gpu {
namespace {

uint64_t fnv1a(uint64_t hash, const std::string& text) {
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash ^ 0xff;  // a separator between fields
}

std::filesystem::path cache_file(const DeviceInfo& device, const std::string& source,
                                 const std::string& options) {
    uint64_t hash = 14695981039346656037ull;
    for (const std::string* field :
         {&device.platform, &device.name, &device.driver, &options, &source})
        hash = fnv1a(hash, *field);
    return program_cache_dir() / "opencl" / fmt::format("{:016x}.bin", hash);
}

std::string build_log(cl_program program, cl_device_id device) {
    size_t size = 0;
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size);
    std::string log(size, '\0');
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
    return log;
}

// The program from a cached binary, or null when there is none or it does not load.
Program load_cached(cl_context context, const DeviceInfo& device, const std::string& options,
                    const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return nullptr;
    const std::vector<unsigned char> binary((std::istreambuf_iterator<char>(file)),
                                            std::istreambuf_iterator<char>());
    if (binary.empty()) return nullptr;
    const unsigned char* bytes = binary.data();
    const size_t size = binary.size();
    cl_int binary_status = CL_SUCCESS;
    cl_int status = CL_SUCCESS;
    Program program(
        clCreateProgramWithBinary(context, 1, &device.id, &size, &bytes, &binary_status, &status));
    if (status != CL_SUCCESS || binary_status != CL_SUCCESS) return nullptr;
    if (clBuildProgram(program.get(), 1, &device.id, options.c_str(), nullptr, nullptr) !=
        CL_SUCCESS)
        return nullptr;
    return program;
}

// Writes the program's binary to `path` through a temporary file, so that a reader never sees
// half of one.
void store(cl_program program, const std::filesystem::path& path) {
    size_t size = 0;
    if (clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof(size), &size, nullptr) !=
            CL_SUCCESS ||
        size == 0)
        return;
    std::vector<unsigned char> binary(size);
    unsigned char* bytes = binary.data();
    if (clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof(bytes), &bytes, nullptr) !=
        CL_SUCCESS)
        return;
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    const std::filesystem::path temporary = path.string() + fmt::format(".{}.tmp", getpid());
    {
        std::ofstream file(temporary, std::ios::binary);
        file.write(reinterpret_cast<const char*>(binary.data()),
                   static_cast<std::streamsize>(binary.size()));
        if (!file) {
            spdlog::warn("GPU: cannot write the program cache {}", temporary.string());
            std::filesystem::remove(temporary, error);
            return;
        }
    }
    std::filesystem::rename(temporary, path, error);
    if (error) std::filesystem::remove(temporary, error);
}

}  // namespace

std::filesystem::path program_cache_dir() {
    if (const char* unit = std::getenv("CACHE_DIRECTORY"); unit && *unit)
        return std::filesystem::path(unit);
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "edgesight";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".cache" / "edgesight";
    return std::filesystem::temp_directory_path() / "edgesight-cache";
}

BuiltProgram build_program(cl_context context, const DeviceInfo& device, const std::string& source,
                           const std::string& options) {
    const std::filesystem::path path = cache_file(device, source, options);
    if (Program cached = load_cached(context, device, options, path))
        return {std::move(cached), true};
    const char* text = source.c_str();
    const size_t length = source.size();
    cl_int status = CL_SUCCESS;
    Program program(clCreateProgramWithSource(context, 1, &text, &length, &status));
    check(status, "clCreateProgramWithSource");
    if (clBuildProgram(program.get(), 1, &device.id, options.c_str(), nullptr, nullptr) !=
        CL_SUCCESS)
        throw_runtime("OpenCL program for {} does not build:\n{}", device.name,
                      build_log(program.get(), device.id));
    store(program.get(), path);
    return {std::move(program), false};
}

}  // namespace es::devices::gpu
