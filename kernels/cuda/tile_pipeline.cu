// Row tiles through three rotating device band sets, uploaded and
// downloaded by two worker threads (see tile_pipeline.hpp).

#include "tile_pipeline.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "mrast/pixel_type.hpp"

namespace mrast {
namespace cuda_detail {

// ---- SerialWorker -----------------------------------------------------------

SerialWorker::SerialWorker(int device) : m_thread([this, device] { loop(device); }) {}

SerialWorker::~SerialWorker() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void SerialWorker::submit(std::function<void()> task) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_wake.notify_one();
}

void SerialWorker::loop(int device) {
    cudaSetDevice(device);  // the current device is per thread
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || !m_tasks.empty(); });
            if (m_tasks.empty()) return;  // stopping, nothing left
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        task();
    }
}

// ---- TilePipeline -----------------------------------------------------------

TilePipeline::TilePipeline(const DeviceJob &job, std::size_t pixel_bytes, CudaHostTransfer mode, bool page_locked)
    : m_job(job),
      m_row_bytes(static_cast<std::size_t>(job.bands[0].width) * pixel_bytes),
      m_mode(mode),
      m_page_locked(page_locked),
      m_up(mode != CudaHostTransfer::Pageable, job.cuda),
      m_down(mode != CudaHostTransfer::Pageable, job.cuda),
      m_locked(static_cast<std::size_t>(kSets) * static_cast<std::size_t>(job.band_count)),
      m_bands(static_cast<std::size_t>(kSets) * static_cast<std::size_t>(job.band_count)) {
    // uniform_bands: the first pixels are read now, before any tile comes
    // back and overwrites them.
    for (int b = 0; b < job.band_count && job.cuda.uniform_bands; ++b) {
        const std::size_t px = pixel_size(job.bands[b].type);  // divides 8
        unsigned char bytes[8];
        for (std::size_t o = 0; o < 8; o += px) std::memcpy(bytes + o, job.bands[b].data, px);
        unsigned long long pattern = 0;
        std::memcpy(&pattern, bytes, 8);
        m_fill.push_back(pattern);
    }
    cudaStreamCreateWithFlags(&m_up_stream, cudaStreamNonBlocking);
    cudaStreamCreateWithFlags(&m_down_stream, cudaStreamNonBlocking);
    for (int s = 0; s < kSets; ++s) {
        cudaEventCreateWithFlags(&m_uploaded[s], cudaEventDisableTiming);
        cudaEventCreateWithFlags(&m_resolved[s], cudaEventDisableTiming);
    }
}

TilePipeline::~TilePipeline() {
    (void)finish();
    delete m_up_worker;
    delete m_down_worker;
    cudaStreamSynchronize(m_up_stream);
    cudaStreamSynchronize(m_down_stream);
    // The band sets are freed stream-ordered on the compute stream: no copy
    // may still touch them (both streams are idle now).
    m_bands.clear();
    for (int s = 0; s < kSets; ++s) {
        cudaEventDestroy(m_uploaded[s]);
        cudaEventDestroy(m_resolved[s]);
    }
    cudaStreamDestroy(m_up_stream);
    cudaStreamDestroy(m_down_stream);
    (void)cudaGetLastError();
}

cudaError_t TilePipeline::begin(std::int32_t tile_rows, int tiles) {
    if (cudaError_t e = finish(); e != cudaSuccess) return e;
    if (m_up_stream == nullptr || m_down_stream == nullptr) return cudaErrorInitializationError;
    for (auto &b : m_bands) {
        if (cudaError_t e = b.allocate(m_row_bytes * static_cast<std::size_t>(tile_rows), 8); e != cudaSuccess)
            return e;
    }
    m_up_done = std::vector<std::promise<cudaError_t>>(static_cast<std::size_t>(tiles));
    m_down_done = std::vector<std::promise<cudaError_t>>(static_cast<std::size_t>(tiles));
    m_up_future.clear();
    m_down_future.clear();
    for (int t = 0; t < tiles; ++t) {
        m_up_future.push_back(m_up_done[static_cast<std::size_t>(t)].get_future().share());
        m_down_future.push_back(m_down_done[static_cast<std::size_t>(t)].get_future().share());
    }
    m_up_queued.assign(static_cast<std::size_t>(tiles), false);
    m_down_queued.assign(static_cast<std::size_t>(tiles), false);
    if (m_up_worker == nullptr) m_up_worker = new SerialWorker(m_job.cuda.device);
    if (m_down_worker == nullptr) m_down_worker = new SerialWorker(m_job.cuda.device);
    return cudaSuccess;
}

CudaHostTransfer TilePipeline::mode() const {
    if (m_page_locked || m_mode == CudaHostTransfer::Register) return CudaHostTransfer::Register;
    return m_up.staged() && m_down.staged() ? CudaHostTransfer::Staged : CudaHostTransfer::Pageable;
}

unsigned char *TilePipeline::band(int tile, int b) const {
    return m_bands[static_cast<std::size_t>(tile % kSets) * static_cast<std::size_t>(m_job.band_count) +
                   static_cast<std::size_t>(b)]
        .ptr;
}

HostRows TilePipeline::rows_of(int b, std::int32_t r0, std::int32_t r1) const {
    const BandBuffer &bb = m_job.bands[b];
    return HostRows{static_cast<unsigned char *>(bb.data) +
                        static_cast<std::size_t>(r0) * static_cast<std::size_t>(bb.line_spacing),
                    m_row_bytes, static_cast<std::size_t>(bb.line_spacing), static_cast<std::size_t>(r1 - r0)};
}

TilePipeline::Locked TilePipeline::lock_rows(const HostRows &rows) const {
    Locked l;
    if (m_mode != CudaHostTransfer::Register || rows.rows == 0) return l;
    static const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto start = reinterpret_cast<std::uintptr_t>(rows.data);
    const std::uintptr_t end = start + (rows.rows - 1) * rows.pitch + rows.row_bytes;
    // Whole pages only: the pages at the ends may hold the neighbour
    // tile's rows, which another registration may cover.
    const std::uintptr_t a = (start + page - 1) / page * page, b = end / page * page;
    if (b <= a) return l;
    const std::size_t first = (a - start + rows.pitch - 1) / rows.pitch;
    if (b - start < rows.row_bytes) return l;
    const std::size_t last = std::min(rows.rows, (b - start - rows.row_bytes) / rows.pitch + 1);
    if (last <= first) return l;
    if (cudaHostRegister(reinterpret_cast<void *>(a), b - a, cudaHostRegisterDefault) != cudaSuccess) {
        (void)cudaGetLastError();  // e.g. overlapping bands of one buffer: staged instead
        return l;
    }
    l.base = reinterpret_cast<void *>(a);
    l.first = first;
    l.last = last;
    return l;
}

/// Rows [first, last) of `rows`.
static HostRows sub_rows(const HostRows &rows, std::size_t first, std::size_t last) {
    return HostRows{rows.data + first * rows.pitch, rows.row_bytes, rows.pitch, last - first};
}

/// Every pixel of a tile = `pattern` (the band's first pixel, repeated
/// over 8 bytes); the tile starts 256-byte aligned (cudaMalloc).
__global__ void fill_tile_kernel(unsigned long long *words, std::size_t count, unsigned long long pattern) {
    const std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
    if (i < count) words[i] = pattern;
}

cudaError_t TilePipeline::upload_band(int tile, int b, const HostRows &rows) {
    unsigned char *dev = band(tile, b);
    if (m_job.cuda.uniform_bands) {
        const unsigned long long pattern = m_fill[static_cast<std::size_t>(b)];
        const std::size_t words = (rows.bytes() + 7) / 8;  // the band buffer is allocated whole words
        if (words == 0) return cudaSuccess;
        fill_tile_kernel<<<static_cast<unsigned>((words + 255) / 256), 256, 0, m_up_stream>>>(
            reinterpret_cast<unsigned long long *>(dev), words, pattern);
        return cudaGetLastError();
    }
    if (m_page_locked) return m_up.upload(dev, rows, m_up_stream, true);
    Locked &l = m_locked[static_cast<std::size_t>(tile % kSets) * static_cast<std::size_t>(m_job.band_count) +
                         static_cast<std::size_t>(b)];
    l = lock_rows(rows);
    if (l.base == nullptr) return m_up.upload(dev, rows, m_up_stream);
    if (cudaError_t e = m_up.upload(dev + l.first * m_row_bytes, sub_rows(rows, l.first, l.last), m_up_stream, true);
        e != cudaSuccess)
        return e;
    if (cudaError_t e = m_up.upload(dev, sub_rows(rows, 0, l.first), m_up_stream); e != cudaSuccess) return e;
    return m_up.upload(dev + l.last * m_row_bytes, sub_rows(rows, l.last, rows.rows), m_up_stream);
}

cudaError_t TilePipeline::download_band(int tile, int b, const HostRows &rows) {
    const unsigned char *dev = band(tile, b);
    if (m_page_locked) return m_down.download(rows, dev, m_down_stream, true);
    Locked &l = m_locked[static_cast<std::size_t>(tile % kSets) * static_cast<std::size_t>(m_job.band_count) +
                         static_cast<std::size_t>(b)];
    if (l.base == nullptr) return m_down.download(rows, dev, m_down_stream);
    cudaError_t e = m_down.download(sub_rows(rows, l.first, l.last), dev + l.first * m_row_bytes, m_down_stream, true);
    if (e == cudaSuccess) e = m_down.download(sub_rows(rows, 0, l.first), dev, m_down_stream);
    if (e == cudaSuccess)
        e = m_down.download(sub_rows(rows, l.last, rows.rows), dev + l.last * m_row_bytes, m_down_stream);
    cudaStreamSynchronize(m_down_stream);  // no DMA may touch the pages once unlocked
    cudaHostUnregister(l.base);
    l = Locked{};
    return e;
}

void TilePipeline::upload(int tile, std::int32_t r0, std::int32_t r1) {
    m_up_queued[static_cast<std::size_t>(tile)] = true;
    m_up_worker->submit([this, tile, r0, r1] {
        cudaError_t e = cudaSuccess;
        // The set is free once the tile that used it last is back in host memory.
        if (tile >= kSets) e = m_down_future[static_cast<std::size_t>(tile - kSets)].get();
        for (int b = 0; b < m_job.band_count && e == cudaSuccess; ++b) e = upload_band(tile, b, rows_of(b, r0, r1));
        if (e == cudaSuccess) e = cudaEventRecord(m_uploaded[tile % kSets], m_up_stream);
        if (e != cudaSuccess) (void)cudaGetLastError();
        m_up_done[static_cast<std::size_t>(tile)].set_value(e);
    });
}

cudaError_t TilePipeline::wait_uploaded(int tile, cudaStream_t compute) {
    if (cudaError_t e = m_up_future[static_cast<std::size_t>(tile)].get(); e != cudaSuccess) return e;
    return cudaStreamWaitEvent(compute, m_uploaded[tile % kSets], 0);
}

cudaError_t TilePipeline::download(int tile, std::int32_t r0, std::int32_t r1, cudaStream_t compute) {
    if (cudaError_t e = cudaEventRecord(m_resolved[tile % kSets], compute); e != cudaSuccess) {
        skip_download(tile);
        return e;
    }
    m_down_queued[static_cast<std::size_t>(tile)] = true;
    m_down_worker->submit([this, tile, r0, r1] {
        cudaError_t e = cudaStreamWaitEvent(m_down_stream, m_resolved[tile % kSets], 0);
        for (int b = 0; b < m_job.band_count; ++b) {  // every band: registrations end
            const cudaError_t eb = download_band(tile, b, rows_of(b, r0, r1));
            if (e == cudaSuccess) e = eb;
        }
        if (e != cudaSuccess) (void)cudaGetLastError();
        m_down_done[static_cast<std::size_t>(tile)].set_value(e);
    });
    return cudaSuccess;
}

void TilePipeline::skip_download(int tile) {
    m_down_queued[static_cast<std::size_t>(tile)] = true;
    // Through the worker, so that the promise is kept in tile order.
    m_down_worker->submit([this, tile] {
        unlock(tile);
        m_down_done[static_cast<std::size_t>(tile)].set_value(cudaSuccess);
    });
}

void TilePipeline::unlock(int tile) {
    for (int b = 0; b < m_job.band_count; ++b) {
        Locked &l = m_locked[static_cast<std::size_t>(tile % kSets) * static_cast<std::size_t>(m_job.band_count) +
                             static_cast<std::size_t>(b)];
        if (l.base != nullptr) cudaHostUnregister(l.base);
        l = Locked{};
    }
}

cudaError_t TilePipeline::finish() {
    cudaError_t first = cudaSuccess;
    // Uploads that were queued end (each waits only for downloads queued
    // before it); tiles never handed to the download worker are released
    // here so that no upload waits for them.
    for (std::size_t t = 0; t < m_down_queued.size(); ++t) {
        if (!m_down_queued[t]) {
            m_down_queued[t] = true;
            m_down_done[t].set_value(cudaSuccess);
        }
    }
    for (std::size_t t = 0; t < m_up_future.size(); ++t) {
        if (m_up_queued[t]) {
            const cudaError_t e = m_up_future[t].get();
            if (first == cudaSuccess) first = e;
        }
    }
    for (auto &f : m_down_future) {
        const cudaError_t e = f.get();
        if (first == cudaSuccess) first = e;
    }
    // The last uploads' DMAs may still run: the sets may be freed next, and
    // rows of tiles uploaded but never downloaded (a failed run) are still
    // locked.
    if (m_up_stream != nullptr) {
        const cudaError_t e = cudaStreamSynchronize(m_up_stream);
        if (first == cudaSuccess) first = e;
    }
    for (int s = 0; s < kSets; ++s) unlock(s);
    m_up_future.clear();
    m_down_future.clear();
    m_up_queued.clear();
    m_down_queued.clear();
    return first;
}

}  // namespace cuda_detail
}  // namespace mrast
