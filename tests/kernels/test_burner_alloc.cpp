// SPEC section 5 measured: replaces the global operator new/delete to count
// the bytes the engine allocates while burning into a 2000x2000 raster
// (whose own buffer is malloc'd, so not counted). The replacement is
// process-wide in this test binary; it only counts while g_counting is set,
// and it counts every thread (the workers allocate their span buffers).

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "merge_scene.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::uint64_t> g_bytes{0};

void *counted_alloc(std::size_t n, std::size_t align) {
    if (g_counting.load(std::memory_order_relaxed)) g_bytes.fetch_add(n, std::memory_order_relaxed);
    void *p = nullptr;
    if (align <= alignof(std::max_align_t)) {
        p = std::malloc(n == 0 ? 1 : n);
    } else if (posix_memalign(&p, align, n == 0 ? 1 : n) != 0) {
        p = nullptr;
    }
    return p;
}
}  // namespace

void *operator new(std::size_t n) {
    if (void *p = counted_alloc(n, 0)) return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t n) { return operator new(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return counted_alloc(n, 0); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return counted_alloc(n, 0); }
void *operator new(std::size_t n, std::align_val_t a) {
    if (void *p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace mrast {
namespace test {
namespace {

constexpr std::int32_t kSize = 2000;
constexpr std::uint64_t kPixels = std::uint64_t{kSize} * kSize;
constexpr std::uint64_t kSlack = 1u << 20;  // 1 MB for workspaces and threads

template <class T>
std::uint64_t bytes_for(MergeMode mode, bool has_nodata, std::uint64_t max_features = 200) {
    MallocRaster<T> r(kSize, kSize, T(0));
    const MergeScene scene(random_features(11, 200, kSize, kSize, 1, true), 1);
    BurnOptions opt;
    opt.mode = mode;
    opt.has_nodata = has_nodata;
    opt.nodata = -12345;  // no burn value equals it
    opt.max_features = max_features;
    opt.threads = 4;
    if (has_nodata) {
        for (std::int32_t y = 0; y < kSize; ++y)
            for (std::int32_t x = 0; x < kSize; ++x) r.at(x, y) = copy_word<T>(opt.nodata);
    }
    const BandBuffer band = r.buffer();
    g_bytes = 0;
    g_counting = true;
    Status s = Status::Ok;
    {
        Burner b;
        s = b.begin(&band, 1, opt);
        if (s == Status::Ok) s = b.burn(scene.batch());
        if (s == Status::Ok) s = b.finish();
    }
    g_counting = false;
    EXPECT_EQ(s, Status::Ok);
    const std::uint64_t bytes = g_bytes.load();
    std::printf("[ alloc    ] %-5s %-7s nodata=%d: %llu bytes (%.3f bytes/px)\n", merge_mode_name(mode),
                sizeof(T) == 8 ? "Float64" : "UInt16", has_nodata ? 1 : 0,
                static_cast<unsigned long long>(bytes), static_cast<double>(bytes) / kPixels);
    return bytes;
}

TEST(BurnerAlloc, LastSumCountAllocateNoPerPixelScratch) {
    for (MergeMode m : {MergeMode::Last, MergeMode::Sum, MergeMode::Count}) {
        EXPECT_LT(bytes_for<double>(m, false), kSlack) << merge_mode_name(m);
        EXPECT_LT(bytes_for<double>(m, true), kSlack) << merge_mode_name(m);
    }
}

TEST(BurnerAlloc, FirstMinMaxAtMostOneBitPerPixel) {
    for (MergeMode m : {MergeMode::First, MergeMode::Min, MergeMode::Max}) {
        const std::uint64_t b = bytes_for<double>(m, false);
        EXPECT_GE(b, kPixels / 8) << merge_mode_name(m);
        EXPECT_LE(b, kPixels / 8 + kSlack) << merge_mode_name(m);
        // With a nodata that no burn value equals: the sentinel, no bitmap.
        EXPECT_LT(bytes_for<double>(m, true), kSlack) << merge_mode_name(m);
    }
}

TEST(BurnerAlloc, MeanCounterAsPlanned) {
    // Float band: u8 counter only (200 features), the sum stays in the band.
    std::uint64_t b = bytes_for<double>(MergeMode::Mean, false, 200);
    EXPECT_GE(b, kPixels);
    EXPECT_LE(b, kPixels + kSlack);
    b = bytes_for<double>(MergeMode::Mean, false, 60000);  // u16
    EXPECT_GE(b, 2 * kPixels);
    EXPECT_LE(b, 2 * kPixels + kSlack);
    // Integer band: u8 counter + float64 sum.
    b = bytes_for<std::uint16_t>(MergeMode::Mean, false, 200);
    EXPECT_GE(b, 9 * kPixels);
    EXPECT_LE(b, 9 * kPixels + kSlack);
}

}  // namespace
}  // namespace test
}  // namespace mrast
