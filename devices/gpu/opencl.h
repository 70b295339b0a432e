#pragma once

// The OpenCL C API through the ICD loader, with handles released by RAII and failures thrown
// as es::Error naming the call and the error code.

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace es::devices::gpu {

// Throws es::Error (Runtime) "OpenCL <what>: CL_OUT_OF_RESOURCES (-5)" unless `status` is
// CL_SUCCESS.
void check(cl_int status, const char* what);

template <typename Handle, cl_int (*Release)(Handle)>
struct Releaser {
    void operator()(Handle handle) const { Release(handle); }
};
template <typename Handle, cl_int (*Release)(Handle)>
using ClHandle = std::unique_ptr<std::remove_pointer_t<Handle>, Releaser<Handle, Release>>;

using Context = ClHandle<cl_context, clReleaseContext>;
using Queue = ClHandle<cl_command_queue, clReleaseCommandQueue>;
using Program = ClHandle<cl_program, clReleaseProgram>;
using Kernel = ClHandle<cl_kernel, clReleaseKernel>;
using Buffer = ClHandle<cl_mem, clReleaseMemObject>;

// An OpenCL device as `edgesight devices` shows it.
struct DeviceInfo {
    cl_device_id id = nullptr;
    std::string name;
    std::string vendor;
    std::string driver;    // the driver's version
    std::string platform;  // the platform's name, e.g. "Intel(R) OpenCL Graphics"
    std::string opencl_c;  // e.g. "OpenCL C 1.2"
    bool is_gpu = true;
    int compute_units = 1;
    uint64_t global_memory = 0;  // bytes
    bool fp16 = false;           // cl_khr_fp16: half arithmetic
    bool host_unified_memory = false;
};

// Every OpenCL device of GPU type present, in platform order; with `EDGESIGHT_OPENCL_CPU=1` in
// the environment, those of CPU type too (PoCL). Empty where there is no ICD or no device.
std::vector<DeviceInfo> find_devices();

// A buffer of `bytes` bytes (at least 1) on `context`.
Buffer make_buffer(cl_context context, size_t bytes, cl_mem_flags flags = CL_MEM_READ_WRITE);

}  // namespace es::devices::gpu
