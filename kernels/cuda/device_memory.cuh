#pragma once
// Device memory and CUDA errors for the dispatch: DeviceArray allocates
// stream-ordered (cudaMallocAsync on the compute stream, from a pool of
// this library's own) so that freeing a scratch buffer never waits for the
// copies that run beside the kernels (cudaFree synchronizes the device);
// MRAST_CUDA_TRY turns CUDA errors into Status (STYLE.md item 7).

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "mrast/status.hpp"

namespace mrast {
namespace cuda_detail {

inline Status status_of(cudaError_t e) {
    if (e == cudaSuccess) return Status::Ok;
    if (e == cudaErrorMemoryAllocation) return Status::OutOfMemory;
    if (e == cudaErrorNoDevice || e == cudaErrorInsufficientDriver || e == cudaErrorInitializationError ||
        e == cudaErrorInvalidDevice)
        return Status::CudaUnavailable;
    return Status::CudaError;
}

// The sticky last error is cleared so that a failed allocation does not
// poison the next call.
#define MRAST_CUDA_TRY(expr)                        \
    do {                                            \
        const cudaError_t mrast_err_ = (expr);      \
        if (mrast_err_ != cudaSuccess) {            \
            (void)cudaGetLastError();               \
            return status_of(mrast_err_);           \
        }                                           \
    } while (0)

/// The pool of `device`, created on first use. Within a call freed blocks
/// are reused without going back to the driver (release threshold: all);
/// end_call() trims it.
inline cudaMemPool_t device_pool(int device) {
    static std::mutex mutex;
    static cudaMemPool_t pools[64] = {};
    std::lock_guard<std::mutex> lock(mutex);
    if (device < 0 || device >= 64) return nullptr;
    if (pools[device] == nullptr) {
        cudaMemPoolProps props{};
        props.allocType = cudaMemAllocationTypePinned;
        props.location.type = cudaMemLocationTypeDevice;
        props.location.id = device;
        cudaMemPool_t pool = nullptr;
        if (cudaMemPoolCreate(&pool, &props) != cudaSuccess) {
            (void)cudaGetLastError();
            return nullptr;
        }
        std::uint64_t all = ~std::uint64_t{0};
        cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &all);
        pools[device] = pool;
    }
    return pools[device];
}

/// Where DeviceArrays of this thread allocate: the pool and the stream
/// their lifetimes are ordered on. Set once per call by the dispatch.
struct Allocator {
    cudaMemPool_t pool = nullptr;  // null: plain cudaMallocAsync (the device's default pool)
    cudaStream_t stream = nullptr;
};
inline Allocator &thread_allocator() {
    static thread_local Allocator a;
    return a;
}

/// Device memory owned by a scope, stream-ordered on the compute stream.
template <class T>
struct DeviceArray {
    T *ptr = nullptr;
    std::size_t size = 0;
    DeviceArray() = default;
    DeviceArray(const DeviceArray &) = delete;
    DeviceArray &operator=(const DeviceArray &) = delete;
    ~DeviceArray() { release(); }
    void release() {
        if (ptr != nullptr) cudaFreeAsync(ptr, thread_allocator().stream);
        ptr = nullptr;
        size = 0;
    }
    cudaError_t allocate(std::size_t n, std::size_t extra_bytes = 0) {
        release();
        const Allocator &a = thread_allocator();
        const std::size_t bytes = std::max<std::size_t>(1, n * sizeof(T) + extra_bytes);
        void *p = nullptr;
        const cudaError_t e = a.pool != nullptr ? cudaMallocFromPoolAsync(&p, bytes, a.pool, a.stream)
                                                : cudaMallocAsync(&p, bytes, a.stream);
        if (e == cudaSuccess) {
            ptr = static_cast<T *>(p);
            size = n;
        }
        return e;
    }
};

template <class V>
__global__ void read_value_kernel(const V *src, V *dst) {
    *dst = *src;
}

/// Reads single values (counts, flags) back through mapped pinned memory
/// written by a one-thread kernel: a cudaMemcpy would queue behind the
/// tile copies on the copy engines (a 32 MiB chunk is 0.6 ms).
class Readback {
public:
    Readback() = default;
    ~Readback() {
        if (m_host != nullptr) cudaFreeHost(m_host);
    }
    Readback(const Readback &) = delete;
    Readback &operator=(const Readback &) = delete;
    cudaError_t create() {
        void *p = nullptr;
        if (cudaError_t e = cudaHostAlloc(&p, 64, cudaHostAllocMapped | cudaHostAllocPortable); e != cudaSuccess)
            return e;
        m_host = static_cast<unsigned char *>(p);
        return cudaHostGetDevicePointer(reinterpret_cast<void **>(&m_device), p, 0);
    }
    /// *dev after the work on `stream`.
    template <class V>
    cudaError_t read(const V *dev, cudaStream_t stream, V &out) {
        static_assert(sizeof(V) <= 64, "one value");
        read_value_kernel<V><<<1, 1, 0, stream>>>(dev, reinterpret_cast<V *>(m_device));
        if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return e;
        if (cudaError_t e = cudaStreamSynchronize(stream); e != cudaSuccess) return e;
        std::memcpy(&out, m_host, sizeof(V));
        return cudaSuccess;
    }

private:
    unsigned char *m_host = nullptr;
    unsigned char *m_device = nullptr;
};

/// GPU time between two events on the compute stream, accumulated.
struct EventTimer {
    cudaEvent_t a = nullptr, b = nullptr;
    cudaStream_t stream = nullptr;
    EventTimer() {
        cudaEventCreate(&a);
        cudaEventCreate(&b);
    }
    ~EventTimer() {
        cudaEventDestroy(a);
        cudaEventDestroy(b);
    }
    EventTimer(const EventTimer &) = delete;
    EventTimer &operator=(const EventTimer &) = delete;
    void start() { cudaEventRecord(a, stream); }
    void stop(double &acc) {
        cudaEventRecord(b, stream);
        cudaEventSynchronize(b);
        float ms = 0.f;
        cudaEventElapsedTime(&ms, a, b);
        acc += ms;
    }
};

}  // namespace cuda_detail
}  // namespace mrast
