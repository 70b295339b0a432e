#include "devices/gpu/opencl.h"

#include "inference/core/error.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace es::devices::gpu {
namespace {

const char* error_name(cl_int status) {
    switch (status) {
        case CL_DEVICE_NOT_FOUND:
            return "CL_DEVICE_NOT_FOUND";
        case CL_DEVICE_NOT_AVAILABLE:
            return "CL_DEVICE_NOT_AVAILABLE";
        case CL_COMPILER_NOT_AVAILABLE:
            return "CL_COMPILER_NOT_AVAILABLE";
        case CL_MEM_OBJECT_ALLOCATION_FAILURE:
            return "CL_MEM_OBJECT_ALLOCATION_FAILURE";
        case CL_OUT_OF_RESOURCES:
            return "CL_OUT_OF_RESOURCES";
        case CL_OUT_OF_HOST_MEMORY:
            return "CL_OUT_OF_HOST_MEMORY";
        case CL_BUILD_PROGRAM_FAILURE:
            return "CL_BUILD_PROGRAM_FAILURE";
        case CL_INVALID_VALUE:
            return "CL_INVALID_VALUE";
        case CL_INVALID_DEVICE:
            return "CL_INVALID_DEVICE";
        case CL_INVALID_BINARY:
            return "CL_INVALID_BINARY";
        case CL_INVALID_BUFFER_SIZE:
            return "CL_INVALID_BUFFER_SIZE";
        case CL_INVALID_KERNEL_NAME:
            return "CL_INVALID_KERNEL_NAME";
        case CL_INVALID_KERNEL_ARGS:
            return "CL_INVALID_KERNEL_ARGS";
        case CL_INVALID_ARG_INDEX:
            return "CL_INVALID_ARG_INDEX";
        case CL_INVALID_ARG_SIZE:
            return "CL_INVALID_ARG_SIZE";
        case CL_INVALID_WORK_GROUP_SIZE:
            return "CL_INVALID_WORK_GROUP_SIZE";
        case CL_INVALID_GLOBAL_WORK_SIZE:
            return "CL_INVALID_GLOBAL_WORK_SIZE";
        case CL_INVALID_MEM_OBJECT:
            return "CL_INVALID_MEM_OBJECT";
        case CL_INVALID_COMMAND_QUEUE:
            return "CL_INVALID_COMMAND_QUEUE";
        default:
            return "an OpenCL error";
    }
}

std::string device_string(cl_device_id device, cl_device_info what) {
    size_t size = 0;
    if (clGetDeviceInfo(device, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
    std::string text(size, '\0');
    if (clGetDeviceInfo(device, what, size, text.data(), nullptr) != CL_SUCCESS) return "";
    text.resize(std::strlen(text.c_str()));
    return text;
}

template <typename T>
T device_value(cl_device_id device, cl_device_info what) {
    T value{};
    clGetDeviceInfo(device, what, sizeof(value), &value, nullptr);
    return value;
}

std::string platform_name(cl_platform_id platform) {
    size_t size = 0;
    if (clGetPlatformInfo(platform, CL_PLATFORM_NAME, 0, nullptr, &size) != CL_SUCCESS) return "";
    std::string text(size, '\0');
    clGetPlatformInfo(platform, CL_PLATFORM_NAME, size, text.data(), nullptr);
    text.resize(std::strlen(text.c_str()));
    return text;
}

DeviceInfo describe(cl_device_id id, const std::string& platform) {
    DeviceInfo info;
    info.id = id;
    info.name = device_string(id, CL_DEVICE_NAME);
    info.vendor = device_string(id, CL_DEVICE_VENDOR);
    info.driver = device_string(id, CL_DRIVER_VERSION);
    info.platform = platform;
    info.opencl_c = device_string(id, CL_DEVICE_OPENCL_C_VERSION);
    info.is_gpu = (device_value<cl_device_type>(id, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
    info.compute_units = static_cast<int>(device_value<cl_uint>(id, CL_DEVICE_MAX_COMPUTE_UNITS));
    info.global_memory = device_value<cl_ulong>(id, CL_DEVICE_GLOBAL_MEM_SIZE);
    info.fp16 = (" " + device_string(id, CL_DEVICE_EXTENSIONS) + " ").find(" cl_khr_fp16 ") !=
                std::string::npos;
    info.host_unified_memory = device_value<cl_bool>(id, CL_DEVICE_HOST_UNIFIED_MEMORY) != 0;
    return info;
}

}  // namespace

void check(cl_int status, const char* what) {
    if (status != CL_SUCCESS) throw_runtime("OpenCL {}: {} ({})", what, error_name(status), status);
}

std::vector<DeviceInfo> find_devices() {
    const char* cpu = std::getenv("EDGESIGHT_OPENCL_CPU");
    const cl_device_type types =
        CL_DEVICE_TYPE_GPU | (cpu && std::strcmp(cpu, "1") == 0 ? CL_DEVICE_TYPE_CPU : 0);
    cl_uint platform_count = 0;
    if (clGetPlatformIDs(0, nullptr, &platform_count) != CL_SUCCESS || platform_count == 0)
        return {};
    std::vector<cl_platform_id> platforms(platform_count);
    if (clGetPlatformIDs(platform_count, platforms.data(), nullptr) != CL_SUCCESS) return {};
    std::vector<DeviceInfo> found;
    for (cl_platform_id platform : platforms) {
        cl_uint count = 0;
        if (clGetDeviceIDs(platform, types, 0, nullptr, &count) != CL_SUCCESS || count == 0)
            continue;
        std::vector<cl_device_id> ids(count);
        if (clGetDeviceIDs(platform, types, count, ids.data(), nullptr) != CL_SUCCESS) continue;
        const std::string name = platform_name(platform);
        for (cl_device_id id : ids)
            if (device_value<cl_bool>(id, CL_DEVICE_AVAILABLE)) found.push_back(describe(id, name));
    }
    return found;
}

Buffer make_buffer(cl_context context, size_t bytes, cl_mem_flags flags) {
    cl_int status = CL_SUCCESS;
    Buffer buffer(clCreateBuffer(context, flags, std::max<size_t>(bytes, 1), nullptr, &status));
    check(status, "clCreateBuffer");
    return buffer;
}

}  // namespace es::devices::gpu
