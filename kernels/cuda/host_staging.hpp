#pragma once
// Moving rows between the caller's pageable host memory and the GPU
// (CudaHostTransfer). Staged: the bytes go through a small ring of pinned
// chunks; host threads copy a chunk in (or out) with streaming stores
// (stream_copy.hpp) while the copy engine moves the previous one, so the
// link runs at pinned speed (55 GB/s on the H100 machine) without
// page-locking GDAL's buffer (45 ms per GiB, plus 19 ms to undo, per
// call). Register / Pageable: one cudaMemcpy2DAsync (the buffer is
// registered, or not, by the caller). Not installed.

#include <cuda_runtime.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "mrast/cuda_burn.hpp"

namespace mrast {
namespace cuda_detail {

/// `rows` rows of `row_bytes` bytes, `pitch` apart, in host memory. The
/// device side is always packed (row after row).
struct HostRows {
    unsigned char *data;
    std::size_t row_bytes;
    std::size_t pitch;
    std::size_t rows;
    std::size_t bytes() const { return row_bytes * rows; }
};

inline HostRows host_bytes(const void *p, std::size_t n) {
    return HostRows{static_cast<unsigned char *>(const_cast<void *>(p)), n, n, 1};
}

/// Threads that split one memcpy between them; one instance per call. The
/// threads live as long as the instance: a chunk is tens of MiB, and
/// starting threads for each would cost more than the copy saves.
class CopyThreads {
public:
    explicit CopyThreads(int threads);
    ~CopyThreads();
    CopyThreads(const CopyThreads &) = delete;
    CopyThreads &operator=(const CopyThreads &) = delete;
    /// Runs fn(part, parts) for part in [0, parts) on the threads (the
    /// calling thread takes part 0) and returns when all are done.
    void run(const std::function<void(int, int)> &fn);
    int size() const { return static_cast<int>(m_threads.size()) + 1; }

private:
    void loop(int part);
    std::vector<std::thread> m_threads;
    std::mutex m_mutex;
    std::condition_variable m_wake, m_done;
    const std::function<void(int, int)> *m_fn = nullptr;
    std::uint64_t m_generation = 0;
    int m_pending = 0;
    bool m_stop = false;
};

/// A pinned ring: chunks checked out of a process-wide cache (allocated on
/// first use, kept: pinning 4 x 32 MiB cost 50 ms on the H100 machine, more
/// than a small burn), or private ones when other users hold the cache.
class PinnedRing {
public:
    PinnedRing() = default;
    ~PinnedRing();
    PinnedRing(const PinnedRing &) = delete;
    PinnedRing &operator=(const PinnedRing &) = delete;
    cudaError_t acquire(std::size_t chunk_bytes, int chunks);
    std::size_t chunk_bytes() const { return m_chunk_bytes; }
    int chunks() const { return static_cast<int>(m_chunks.size()); }
    unsigned char *chunk(int i) const { return m_chunks[static_cast<std::size_t>(i)]; }
    /// Recorded after the DMA that last used chunk i; wait on it before
    /// reusing the chunk.
    cudaEvent_t event(int i) const { return m_events[static_cast<std::size_t>(i)]; }

private:
    void release();
    std::vector<unsigned char *> m_chunks;
    std::vector<cudaEvent_t> m_events;
    std::size_t m_chunk_bytes = 0;
    void *m_cached = nullptr;  // the process-wide ring checked out, if any
};

/// Host <-> device row copies of one call, in the chosen CudaHostTransfer.
class HostStager {
public:
    /// `staged`: pageable rows go through the pinned ring; else plain copies.
    HostStager(bool staged, const CudaOptions &options);
    ~HostStager();
    HostStager(const HostStager &) = delete;
    HostStager &operator=(const HostStager &) = delete;
    /// False when asked for, but no pinned ring could be had: the copies
    /// are then plain pageable ones.
    bool staged() const { return m_staged; }

    /// Enqueues host -> device on `stream`. Staged: returns once the host
    /// rows have been read (the last DMA may still be in flight on
    /// `stream`). `page_locked`: the rows are registered; one direct copy.
    /// Callable from any one thread at a time.
    cudaError_t upload(void *device, const HostRows &src, cudaStream_t stream, bool page_locked = false);
    /// Device -> host after the work already on `stream`; returns when the
    /// rows are in host memory.
    cudaError_t download(const HostRows &dst, const void *device, cudaStream_t stream, bool page_locked = false);

private:
    cudaError_t ensure_ring();
    bool m_staged;
    std::size_t m_chunk_bytes;
    int m_chunk_count;
    int m_threads;
    PinnedRing m_ring;
    bool m_ring_ready = false;
    CopyThreads *m_copy = nullptr;
};

}  // namespace cuda_detail
}  // namespace mrast
