// Host <-> device row copies: the pinned staging ring, the threads that
// fill and drain it, and the plain (registered / pageable) copies.

#include "host_staging.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "stream_copy.hpp"

namespace mrast {
namespace cuda_detail {
namespace {

// Staged e2e on the H100 machine (16384^2 Float32, 1.6M polygons, last,
// streaming stores, pieces): 4 x 32 MiB 0.064 s; 4 x 8 MiB (with memcpy
// into the pinned side, which stays cached at that size) 0.065-0.066 s;
// 8 x 4 MiB 0.091 s (a fork-join per 4 MiB). 16 copy threads a direction
// instead of 8: 0.064-0.065 s against 0.066 s, within the VM's noise.
constexpr std::size_t kDefaultChunkBytes = std::size_t{32} << 20;
constexpr int kDefaultChunks = 4;
constexpr int kDefaultCopyThreads = 8;

/// Bytes [a, b) of the packed stream of `rows` from / to `packed`, with
/// streaming stores (see stream_copy.hpp); the caller fences.
void gather(const HostRows &rows, std::size_t a, std::size_t b, unsigned char *packed) {
    if (rows.pitch == rows.row_bytes) {
        stream_copy(packed, rows.data + a, b - a);
        return;
    }
    while (a < b) {
        const std::size_t row = a / rows.row_bytes, col = a % rows.row_bytes;
        const std::size_t n = std::min(rows.row_bytes - col, b - a);
        stream_copy(packed, rows.data + row * rows.pitch + col, n);
        packed += n;
        a += n;
    }
}
void scatter(const HostRows &rows, std::size_t a, std::size_t b, const unsigned char *packed) {
    if (rows.pitch == rows.row_bytes) {
        stream_copy(rows.data + a, packed, b - a);
        return;
    }
    while (a < b) {
        const std::size_t row = a / rows.row_bytes, col = a % rows.row_bytes;
        const std::size_t n = std::min(rows.row_bytes - col, b - a);
        stream_copy(rows.data + row * rows.pitch + col, packed, n);
        packed += n;
        a += n;
    }
}

/// Runs copy(a, b) over [0, n) on the threads, in pieces taken in turn
/// (about four per thread, whole cache lines) rather than one fixed share
/// per thread: the two directions' threads share the cores, and a thread
/// that wakes late or is descheduled then leaves its share to the others
/// instead of holding up the chunk. Each thread fences its streaming
/// stores before it reports done, so the DMA (or the caller) issued after
/// the join sees them. Staged e2e on the H100 machine (16384^2 Float32,
/// 1.6M polygons, last, one VM): memcpy in fixed shares 0.088 s,
/// streaming stores in fixed shares 0.076 s, in pieces 0.066 s.
template <class Fn>
void copy_pieces(CopyThreads &threads, std::size_t n, const Fn &copy) {
    const auto pieces = 4 * static_cast<std::size_t>(threads.size());
    const std::size_t piece = std::max<std::size_t>(64, ((n + pieces - 1) / pieces + 63) & ~std::size_t{63});
    std::atomic<std::size_t> next{0};
    threads.run([&](int, int) {
        for (std::size_t a = next.fetch_add(piece, std::memory_order_relaxed); a < n;
             a = next.fetch_add(piece, std::memory_order_relaxed))
            copy(a, std::min(n, a + piece));
        stream_fence();
    });
}

/// Process-wide rings (one per direction of a call, so two for a call),
/// each checked out by one user at a time. Never freed: freeing pinned
/// memory from a static destructor can run after the CUDA runtime has shut
/// down; the process's exit returns it.
struct CachedRing {
    bool busy = false;
    std::size_t chunk_bytes = 0;
    std::vector<unsigned char *> chunks;
};
struct RingCache {
    static constexpr std::size_t kRings = 2;
    std::mutex mutex;
    CachedRing rings[kRings];
};
RingCache &ring_cache() {
    static RingCache *cache = new RingCache;
    return *cache;
}

cudaError_t alloc_chunks(std::vector<unsigned char *> &out, std::size_t chunk_bytes, int chunks) {
    for (int i = 0; i < chunks; ++i) {
        void *p = nullptr;
        // Portable: pinned for every device, so tiles could go to several GPUs.
        const cudaError_t e = cudaHostAlloc(&p, chunk_bytes, cudaHostAllocPortable);
        if (e != cudaSuccess) {
            (void)cudaGetLastError();
            for (unsigned char *q : out) cudaFreeHost(q);
            out.clear();
            return e;
        }
        out.push_back(static_cast<unsigned char *>(p));
    }
    return cudaSuccess;
}

}  // namespace

// ---- CopyThreads ------------------------------------------------------------

CopyThreads::CopyThreads(int threads) {
    for (int i = 1; i < threads; ++i) m_threads.emplace_back([this, i] { loop(i); });
}

CopyThreads::~CopyThreads() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (auto &t : m_threads) t.join();
}

void CopyThreads::run(const std::function<void(int, int)> &fn) {
    if (m_threads.empty()) {
        fn(0, 1);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_fn = &fn;
        m_pending = static_cast<int>(m_threads.size());
        ++m_generation;
    }
    m_wake.notify_all();
    fn(0, size());
    std::unique_lock<std::mutex> lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
    m_fn = nullptr;
}

void CopyThreads::loop(int part) {
    std::uint64_t seen = 0;
    for (;;) {
        const std::function<void(int, int)> *fn = nullptr;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) return;
            seen = m_generation;
            fn = m_fn;
        }
        (*fn)(part, size());
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (--m_pending == 0) m_done.notify_one();
        }
    }
}

// ---- PinnedRing -------------------------------------------------------------

cudaError_t PinnedRing::acquire(std::size_t chunk_bytes, int chunks) {
    release();
    RingCache &cache = ring_cache();
    {
        std::lock_guard<std::mutex> lock(cache.mutex);
        for (CachedRing &r : cache.rings) {
            if (r.busy) continue;
            if (r.chunk_bytes < chunk_bytes || r.chunks.size() < static_cast<std::size_t>(chunks)) {
                for (unsigned char *p : r.chunks) cudaFreeHost(p);
                r.chunks.clear();
                r.chunk_bytes = 0;
                if (const cudaError_t e = alloc_chunks(r.chunks, chunk_bytes, chunks); e != cudaSuccess) return e;
                r.chunk_bytes = chunk_bytes;
            }
            r.busy = true;
            m_cached = &r;
            m_chunk_bytes = r.chunk_bytes;
            m_chunks.assign(r.chunks.begin(), r.chunks.begin() + chunks);
            break;
        }
    }
    if (m_cached == nullptr) {  // every cached ring is in use: a private one
        m_chunk_bytes = chunk_bytes;
        if (const cudaError_t e = alloc_chunks(m_chunks, chunk_bytes, chunks); e != cudaSuccess) return e;
    }
    for (int i = 0; i < chunks; ++i) {
        cudaEvent_t ev = nullptr;
        const cudaError_t e = cudaEventCreateWithFlags(&ev, cudaEventDisableTiming);
        if (e != cudaSuccess) {
            (void)cudaGetLastError();
            release();
            return e;
        }
        m_events.push_back(ev);
    }
    return cudaSuccess;
}

void PinnedRing::release() {
    // A chunk may be read by a DMA still in flight: wait before handing it on.
    for (cudaEvent_t ev : m_events) {
        cudaEventSynchronize(ev);
        cudaEventDestroy(ev);
    }
    m_events.clear();
    if (m_cached != nullptr) {
        std::lock_guard<std::mutex> lock(ring_cache().mutex);
        static_cast<CachedRing *>(m_cached)->busy = false;
    } else {
        for (unsigned char *p : m_chunks) cudaFreeHost(p);
    }
    m_chunks.clear();
    m_cached = nullptr;
    m_chunk_bytes = 0;
}

PinnedRing::~PinnedRing() { release(); }

// ---- HostStager -------------------------------------------------------------

HostStager::HostStager(bool staged, const CudaOptions &options)
    : m_staged(staged),
      m_chunk_bytes(options.staging_chunk_bytes > 0 ? options.staging_chunk_bytes : kDefaultChunkBytes),
      m_chunk_count(options.staging_chunks > 1 ? options.staging_chunks : kDefaultChunks),
      m_threads(options.copy_threads > 0 ? options.copy_threads : kDefaultCopyThreads) {
    const int hw = static_cast<int>(std::thread::hardware_concurrency());
    if (options.copy_threads <= 0 && hw > 0) m_threads = std::min(m_threads, hw);
}

HostStager::~HostStager() { delete m_copy; }

cudaError_t HostStager::ensure_ring() {
    if (m_ring_ready) return cudaSuccess;
    const cudaError_t e = m_ring.acquire(m_chunk_bytes, m_chunk_count);
    if (e != cudaSuccess) {
        m_staged = false;  // no pinned memory to spare: still correct, slower
        return cudaSuccess;
    }
    m_copy = new CopyThreads(m_threads);
    m_ring_ready = true;
    return cudaSuccess;
}

cudaError_t HostStager::upload(void *device, const HostRows &src, cudaStream_t stream, bool page_locked) {
    if (src.bytes() == 0) return cudaSuccess;
    if (m_staged && !page_locked) {
        if (auto e = ensure_ring(); e != cudaSuccess) return e;
    }
    if (!m_staged || page_locked) {
        return cudaMemcpy2DAsync(device, src.row_bytes, src.data, src.pitch, src.row_bytes, src.rows,
                                 cudaMemcpyHostToDevice, stream);
    }
    auto *dev = static_cast<unsigned char *>(device);
    const std::size_t total = src.bytes(), chunk = m_ring.chunk_bytes();
    int slot = 0;
    for (std::size_t off = 0; off < total; off += chunk) {
        const std::size_t n = std::min(chunk, total - off);
        if (auto e = cudaEventSynchronize(m_ring.event(slot)); e != cudaSuccess) return e;
        unsigned char *pinned = m_ring.chunk(slot);
        copy_pieces(*m_copy, n, [&](std::size_t a, std::size_t b) { gather(src, off + a, off + b, pinned + a); });
        if (auto e = cudaMemcpyAsync(dev + off, pinned, n, cudaMemcpyHostToDevice, stream); e != cudaSuccess)
            return e;
        if (auto e = cudaEventRecord(m_ring.event(slot), stream); e != cudaSuccess) return e;
        slot = (slot + 1) % m_ring.chunks();
    }
    return cudaSuccess;
}

cudaError_t HostStager::download(const HostRows &dst, const void *device, cudaStream_t stream,
                                 bool page_locked) {
    if (dst.bytes() == 0) return cudaSuccess;
    if (m_staged && !page_locked) {
        if (auto e = ensure_ring(); e != cudaSuccess) return e;
    }
    if (!m_staged || page_locked) {
        if (auto e = cudaMemcpy2DAsync(dst.data, dst.pitch, device, dst.row_bytes, dst.row_bytes, dst.rows,
                                       cudaMemcpyDeviceToHost, stream);
            e != cudaSuccess)
            return e;
        return cudaStreamSynchronize(stream);
    }
    const auto *dev = static_cast<const unsigned char *>(device);
    const std::size_t total = dst.bytes(), chunk = m_ring.chunk_bytes();
    const std::size_t count = (total + chunk - 1) / chunk;
    const auto ring = static_cast<std::size_t>(m_ring.chunks());
    // Keep the ring's DMAs in flight; drain chunk c while c+1.. arrive.
    auto issue = [&](std::size_t c) -> cudaError_t {
        const int slot = static_cast<int>(c % ring);
        const std::size_t off = c * chunk, n = std::min(chunk, total - off);
        if (auto e = cudaMemcpyAsync(m_ring.chunk(slot), dev + off, n, cudaMemcpyDeviceToHost, stream);
            e != cudaSuccess)
            return e;
        return cudaEventRecord(m_ring.event(slot), stream);
    };
    for (std::size_t c = 0; c < std::min(count, ring); ++c) {
        if (auto e = issue(c); e != cudaSuccess) return e;
    }
    for (std::size_t c = 0; c < count; ++c) {
        const int slot = static_cast<int>(c % ring);
        const std::size_t off = c * chunk, n = std::min(chunk, total - off);
        if (auto e = cudaEventSynchronize(m_ring.event(slot)); e != cudaSuccess) return e;
        const unsigned char *pinned = m_ring.chunk(slot);
        copy_pieces(*m_copy, n, [&](std::size_t a, std::size_t b) { scatter(dst, off + a, off + b, pinned + a); });
        if (c + ring < count) {
            if (auto e = issue(c + ring); e != cudaSuccess) return e;
        }
    }
    return cudaSuccess;
}

}  // namespace cuda_detail
}  // namespace mrast
