#pragma once
// memcpy with non-temporal (streaming) stores, for the staging ring's host
// copies (host_staging.cu). A plain store first reads the destination line
// into the cache (read for ownership) and later writes it back: three
// memory passes for one copied byte. Streaming stores write whole lines
// straight to memory: two passes, and the copy engine that reads a pinned
// chunk next finds it in memory, not in a core's cache. On the H100
// machine (a VM whose memory, not its cores, limits copies), 1 GiB
// through a 4 x 32 MiB pinned ring: pinned -> pageable 27 -> 46 GB/s with
// 8 threads, 47 -> 100 with 16; pageable -> pinned 34 -> 37 and 45 -> 47;
// both directions at once beside their DMAs (8 threads each) 38 -> 48
// GB/s in all. glibc's memcpy streams only above 151 MiB there. Not
// installed.

#include <cstddef>

namespace mrast {
namespace cuda_detail {

/// Copies n bytes like std::memcpy (no overlap); any alignment. The
/// streaming stores are weakly ordered: call stream_fence() after the last
/// copy of a batch, before another thread (or a DMA it starts) may read
/// `dst`. Without SSE2 (non-x86 builds) it is std::memcpy.
void stream_copy(void *dst, const void *src, std::size_t n) noexcept;

/// Makes this thread's streaming stores globally visible (sfence). Once
/// per batch: it waits for the write-combining buffers to drain, which
/// per row of a padded raster would cost more than the rows.
void stream_fence() noexcept;

}  // namespace cuda_detail
}  // namespace mrast
