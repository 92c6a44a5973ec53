#pragma once
// The row tiles of one call, pipelined: while the compute stream merges
// tile k, a worker thread uploads tile k+1 and another downloads tile k-1,
// each through its own staging ring (host_staging.hpp). Three sets of
// device band buffers rotate (tile k uses set k % 3): uploading k+1 needs
// the set of k-2, whose download has had all of tile k-1's kernels to
// finish. With one set per tile the last download and the first upload
// were not hidden at all (0.035 s of 0.133 s on the 16384^2 bench).
//
// Register: each tile's rows are page-locked in place by the upload worker
// just before their copy (whole pages inside the tile's bytes; the few rows
// at its ends that share a page with the next tile are staged) and
// unlocked by the download worker once they are back. Registering the
// whole 1 GiB buffer up front cost 40-45 ms, and 19 ms to undo, with
// nothing running beside it; per tile, that work hides behind the kernels.
//
// Ordering: upload(k) records uploaded[set] on the up stream and then
// completes a host future; the dispatch waits for that future and makes
// the compute stream wait on the event before the first kernel that reads
// the band; it records resolved[set] on the compute stream before handing
// tile k to the download worker, whose stream waits on that event.
// Not installed.

#include <cuda_runtime.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "device_memory.cuh"
#include "dispatch_rasterize.hpp"
#include "host_staging.hpp"
#include "mrast/status.hpp"

namespace mrast {
namespace cuda_detail {

/// Runs tasks in submission order on one thread (bound to `device`).
class SerialWorker {
public:
    explicit SerialWorker(int device);
    ~SerialWorker();  // runs what was submitted, then stops
    SerialWorker(const SerialWorker &) = delete;
    SerialWorker &operator=(const SerialWorker &) = delete;
    void submit(std::function<void()> task);

private:
    void loop(int device);
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    bool m_stop = false;
    std::thread m_thread;
};

class TilePipeline {
public:
    static constexpr int kSets = 3;

    /// `mode`: how the caller's pageable rows travel; `page_locked`: they
    /// are pinned already (cudaMallocHost / registered by the caller), so
    /// every copy is direct.
    TilePipeline(const DeviceJob &job, std::size_t pixel_bytes, CudaHostTransfer mode, bool page_locked);
    ~TilePipeline();  // waits for every copy it started
    TilePipeline(const TilePipeline &) = delete;
    TilePipeline &operator=(const TilePipeline &) = delete;

    /// The up stream's stager: the batch's arrays travel through it first.
    HostStager &up_stager() { return m_up; }
    /// What the rows used (Staged falls back to Pageable without a ring).
    CudaHostTransfer mode() const;

    /// Device band buffers for tiles of up to `tile_rows` rows (all sets);
    /// `tiles`: how many tiles the run will have (futures are per tile).
    cudaError_t begin(std::int32_t tile_rows, int tiles);
    unsigned char *band(int tile, int b) const;

    /// Queues the upload of tile `tile` (rows [r0, r1)).
    void upload(int tile, std::int32_t r0, std::int32_t r1);
    /// Waits until tile `tile` is queued on the up stream and orders
    /// `compute` after it.
    cudaError_t wait_uploaded(int tile, cudaStream_t compute);
    /// Queues the download of tile `tile` after the work on `compute`.
    cudaError_t download(int tile, std::int32_t r0, std::int32_t r1, cudaStream_t compute);
    /// The tile is not downloaded (the CPU merged it in the caller's buffer).
    void skip_download(int tile);
    /// Waits for every queued copy; the first error.
    cudaError_t finish();

private:
    /// Rows [first, last) of a tile's band registered in place by the up
    /// worker (`base` null: none, all rows go through the stager).
    struct Locked {
        void *base = nullptr;
        std::size_t first = 0, last = 0;
    };
    HostRows rows_of(int b, std::int32_t r0, std::int32_t r1) const;
    Locked lock_rows(const HostRows &rows) const;
    cudaError_t upload_band(int tile, int b, const HostRows &rows);
    cudaError_t download_band(int tile, int b, const HostRows &rows);
    void unlock(int tile);  // ends the registrations of the tile's set

    const DeviceJob &m_job;
    std::size_t m_row_bytes;
    CudaHostTransfer m_mode;
    bool m_page_locked;
    HostStager m_up, m_down;
    std::vector<Locked> m_locked;  // per set and band
    std::vector<unsigned long long> m_fill;  // uniform_bands: each band's first pixel, over 8 bytes
    cudaStream_t m_up_stream = nullptr, m_down_stream = nullptr;
    cudaEvent_t m_uploaded[kSets] = {}, m_resolved[kSets] = {};
    std::vector<DeviceArray<unsigned char>> m_bands;  // kSets x band_count device buffers
    std::vector<std::promise<cudaError_t>> m_up_done, m_down_done;
    std::vector<std::shared_future<cudaError_t>> m_up_future, m_down_future;
    std::vector<bool> m_up_queued, m_down_queued;
    SerialWorker *m_up_worker = nullptr;
    SerialWorker *m_down_worker = nullptr;
};

}  // namespace cuda_detail
}  // namespace mrast
