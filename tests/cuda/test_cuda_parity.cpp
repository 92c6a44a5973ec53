// CUDA vs CPU: the CPU kernels are the oracle (STYLE.md item 11). Seeded
// random scenes, every merge mode and band type, all-touched, update mode
// and nodata; bytes must be identical. Skips, visibly, without a GPU.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../../kernels/cuda/stream_copy.hpp"  // internal: the staging ring's copy
#include "merge_scene.hpp"
#include "mrast/burn.hpp"
#include "mrast/cuda_burn.hpp"

namespace mrast {
namespace {

using test::MergeScene;
using test::random_features;

#define MRAST_SKIP_WITHOUT_GPU()                                                        \
    if (!cuda_device_available()) {                                                     \
        GTEST_SKIP() << "no usable CUDA device/driver: CUDA parity tests skipped";      \
    }

template <class T>
std::vector<T> init_band(std::int32_t w, std::int32_t h, std::uint32_t seed, bool random_values,
                         double nodata, bool has_nodata) {
    std::vector<T> v(static_cast<std::size_t>(w) * h);
    std::uint32_t s = seed;
    for (auto &x : v) {
        s = s * 1664525u + 1013904223u;
        if (!random_values) {
            x = has_nodata ? copy_word<T>(nodata) : T{0};
        } else if (has_nodata && (s >> 28) < 5) {
            x = copy_word<T>(nodata);
        } else {
            x = copy_word<T>(static_cast<double>((s >> 8) % 200) - 20.0);
        }
    }
    return v;
}

struct Case {
    MergeMode mode;
    bool all_touched;
    bool update;
    bool has_nodata;
    bool integer_burns;
    int bands;
};

template <class T>
void run_case(const Case &c, std::uint32_t seed, const CudaOptions &co = CudaOptions{},
              CudaRunInfo *out_info = nullptr) {
    const std::int32_t w = 67, h = 53;
    const double nodata = std::is_unsigned_v<T> ? 7.0 : -9.0;
    const auto features = random_features(seed, 60, w, h, c.bands, c.integer_burns);
    const MergeScene scene(features, c.bands);
    std::vector<std::vector<T>> cpu, gpu;
    std::vector<BandBuffer> cb, gb;
    for (int b = 0; b < c.bands; ++b) {
        cpu.push_back(init_band<T>(w, h, seed + b, c.update, nodata, c.has_nodata));
        gpu.push_back(cpu.back());
    }
    auto buf = [&](std::vector<T> &v) {
        return BandBuffer{v.data(), test::pixel_type_of<T>(), w, h, static_cast<std::int64_t>(sizeof(T)),
                          static_cast<std::int64_t>(sizeof(T)) * w};
    };
    for (int b = 0; b < c.bands; ++b) {
        cb.push_back(buf(cpu[static_cast<std::size_t>(b)]));
        gb.push_back(buf(gpu[static_cast<std::size_t>(b)]));
    }
    BurnOptions o;
    o.mode = c.mode;
    o.all_touched = c.all_touched;
    o.update = c.update;
    o.has_nodata = c.has_nodata;
    o.nodata = nodata;
    o.threads = 2;
    ASSERT_EQ(test::burn_scene(cb.data(), c.bands, o, {&scene}), Status::Ok);
    CudaRunInfo info;
    ASSERT_EQ(cuda_burn(gb.data(), c.bands, o, scene.batch(), &info, co), Status::Ok);
    if (out_info != nullptr) *out_info = info;
    for (int b = 0; b < c.bands; ++b) {
        const auto &a = cpu[static_cast<std::size_t>(b)];
        const auto &g = gpu[static_cast<std::size_t>(b)];
        std::size_t diff = 0, first = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (std::memcmp(&a[i], &g[i], sizeof(T)) != 0) {
                if (diff++ == 0) first = i;
            }
        }
        EXPECT_EQ(diff, 0u) << "mode " << merge_mode_name(c.mode) << " at=" << c.all_touched
                            << " update=" << c.update << " nodata=" << c.has_nodata
                            << " int=" << c.integer_burns << " band " << b << " seed " << seed
                            << " first diff px " << first << " cpu " << +a[first] << " gpu " << +g[first]
                            << (info.cpu_fallback_reason ? info.cpu_fallback_reason : "");
    }
}

template <class T>
class CudaParity : public ::testing::Test {};
using PixelTypes = ::testing::Types<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t,
                                    std::int32_t, std::uint64_t, std::int64_t, float, double>;
TYPED_TEST_SUITE(CudaParity, PixelTypes);

TYPED_TEST(CudaParity, EveryModeMatchesCpu) {
    MRAST_SKIP_WITHOUT_GPU();
    const MergeMode modes[] = {MergeMode::Last, MergeMode::First, MergeMode::Min, MergeMode::Max,
                               MergeMode::Sum,  MergeMode::Count, MergeMode::Mean};
    std::uint32_t seed = 11;
    for (MergeMode m : modes) {
        for (int at = 0; at < 2; ++at) {
            for (int upd = 0; upd < 2; ++upd) {
                for (int nd = 0; nd < 2; ++nd) {
                    for (int ib = 0; ib < 2; ++ib) {
                        run_case<TypeParam>(Case{m, at == 1, upd == 1, nd == 1, ib == 1, ib == 1 ? 2 : 1},
                                            seed++);
                    }
                }
            }
        }
    }
}

TEST(CudaParityTiles, SmallTilesMatchCpu) {
    MRAST_SKIP_WITHOUT_GPU();
    CudaOptions co;
    co.max_tile_rows = 7;
    CudaRunInfo info;
    for (MergeMode m : {MergeMode::Last, MergeMode::Sum, MergeMode::Min, MergeMode::Count}) {
        run_case<float>(Case{m, true, true, true, true, 1}, 99, co, &info);
        EXPECT_GE(info.tiles, 8);
    }
}

// Every CudaHostTransfer, on padded lines (pitch > row bytes) whose padding
// must stay untouched; a tiny staging ring (4 KiB chunks, 3 of them, 3
// copy threads) makes chunks end mid-row, wrap around the ring and split
// between threads, and 7-row tiles reuse it.
template <class T>
void transfers_case(const CudaOptions &co, MergeMode mode, std::uint32_t seed) {
    const std::int32_t w = 301, h = 97, pitch_px = w + 13;
    const auto features = random_features(seed, 150, w, h, 1, true);
    const MergeScene scene(features, 1);
    std::vector<T> cpu(static_cast<std::size_t>(pitch_px) * h);
    std::uint32_t r = seed;
    for (auto &v : cpu) {
        r = r * 1664525u + 1013904223u;
        v = copy_word<T>(static_cast<double>((r >> 8) % 100));
    }
    std::vector<T> gpu = cpu;
    BandBuffer cb{cpu.data(), test::pixel_type_of<T>(), w, h, static_cast<std::int64_t>(sizeof(T)),
                  static_cast<std::int64_t>(sizeof(T)) * pitch_px};
    BandBuffer gb = cb;
    gb.data = gpu.data();
    BurnOptions o;
    o.mode = mode;
    o.update = true;
    ASSERT_EQ(test::burn_scene(&cb, 1, o, {&scene}), Status::Ok);
    CudaRunInfo info;
    ASSERT_EQ(cuda_burn(&gb, 1, o, scene.batch(), &info, co), Status::Ok);
    if (mode != MergeMode::Sum) EXPECT_TRUE(info.gpu_used);  // sums that could saturate go to the CPU
    EXPECT_EQ(info.host_transfer, co.host_transfer);
    EXPECT_EQ(std::memcmp(cpu.data(), gpu.data(), cpu.size() * sizeof(T)), 0)
        << cuda_host_transfer_name(co.host_transfer) << " " << merge_mode_name(mode);
}

TEST(CudaParityTransfers, EveryHostTransferMatchesCpu) {
    MRAST_SKIP_WITHOUT_GPU();
    for (CudaHostTransfer t : {CudaHostTransfer::Staged, CudaHostTransfer::Register, CudaHostTransfer::Pageable}) {
        for (int tiles = 0; tiles < 2; ++tiles) {
            CudaOptions co;
            co.host_transfer = t;
            co.staging_chunk_bytes = 4096;
            co.staging_chunks = 3;
            co.copy_threads = 3;
            co.max_tile_rows = tiles == 1 ? 7 : 0;
            for (MergeMode m : {MergeMode::Last, MergeMode::First, MergeMode::Max, MergeMode::Sum}) {
                transfers_case<float>(co, m, 700 + static_cast<std::uint32_t>(m));
                transfers_case<std::uint8_t>(co, m, 800 + static_cast<std::uint32_t>(m));
                transfers_case<double>(co, m, 900 + static_cast<std::uint32_t>(m));
            }
        }
    }
    // The default ring, and the cached ring checked out again.
    for (int i = 0; i < 2; ++i) transfers_case<float>(CudaOptions{}, MergeMode::Last, 1000 + i);
}

// The staging ring's streaming-store copy (no GPU needed): every source
// and destination offset within a cache line, sizes around the short-copy
// cut-off and the 64-byte blocks; the bytes around the destination stay.
TEST(CudaStagingCopy, StreamCopyMatchesMemcpy) {
    std::vector<unsigned char> src(70000 + 128), dst(src.size() + 256), ref(dst.size());
    for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<unsigned char>(i * 131 + 7);
    for (std::size_t so : {0, 1, 15, 16, 33, 63}) {
        for (std::size_t d0 : {0, 1, 8, 31, 48, 63}) {
            for (std::size_t n : {0, 1, 63, 64, 255, 256, 257, 319, 4096 + 5, 65536 + 17}) {
                std::fill(dst.begin(), dst.end(), static_cast<unsigned char>(0xA5));
                ref = dst;
                // dst.data() + 64 + d0: offsets relative to a cache line whatever the allocation.
                const std::size_t line = (64 - (reinterpret_cast<std::uintptr_t>(dst.data()) & 63)) & 63;
                cuda_detail::stream_copy(dst.data() + line + d0 + 64, src.data() + so, n);
                cuda_detail::stream_fence();
                std::memcpy(ref.data() + line + d0 + 64, src.data() + so, n);
                ASSERT_EQ(dst, ref) << "src offset " << so << " dst offset " << d0 << " bytes " << n;
            }
        }
    }
}

// The uniform-band hint: tiles filled on the GPU from the first pixel (a
// float NaN with a payload must survive bit for bit); and a caller buffer
// that is page-locked already (cuda_alloc_host), copied directly.
TEST(CudaParityTransfers, UniformHintAndPinnedBufferMatchCpu) {
    MRAST_SKIP_WITHOUT_GPU();
    const std::int32_t w = 203, h = 61;
    auto features = random_features(4321, 120, w, h, 1, true);
    // The first pixel is burnt: later tiles must not take the fill from it.
    features.push_back(test::rect(0.0, 0.0, 4.0, 3.0, {5.0}));
    const MergeScene scene(features, 1);
    const float fills[] = {0.0f, -3.5f, -0.0f, std::nanf("7")};
    for (float fill : fills) {
        for (MergeMode m : {MergeMode::Last, MergeMode::First, MergeMode::Min, MergeMode::Sum, MergeMode::Count}) {
            for (int tiles = 0; tiles < 2; ++tiles) {
                std::vector<float> cpu(static_cast<std::size_t>(w) * h, fill), gpu = cpu;
                BandBuffer cb{cpu.data(), PixelType::Float32, w, h, 4, 4 * w};
                BandBuffer gb{gpu.data(), PixelType::Float32, w, h, 4, 4 * w};
                BurnOptions o;
                o.mode = m;
                o.update = true;
                ASSERT_EQ(test::burn_scene(&cb, 1, o, {&scene}), Status::Ok);
                CudaOptions co;
                co.uniform_bands = true;
                co.max_tile_rows = tiles == 1 ? 9 : 0;
                CudaRunInfo info;
                ASSERT_EQ(cuda_burn(&gb, 1, o, scene.batch(), &info, co), Status::Ok);
                EXPECT_EQ(std::memcmp(cpu.data(), gpu.data(), cpu.size() * 4), 0)
                    << merge_mode_name(m) << " fill " << fill << " tiles " << tiles;
            }
        }
    }
    const std::size_t n = static_cast<std::size_t>(w) * h;
    auto *pinned = static_cast<std::int16_t *>(cuda_alloc_host(n * sizeof(std::int16_t)));
    ASSERT_NE(pinned, nullptr);
    std::vector<std::int16_t> cpu(n);
    for (std::size_t i = 0; i < n; ++i) cpu[i] = static_cast<std::int16_t>((i * 37) % 50);
    std::memcpy(pinned, cpu.data(), n * sizeof(std::int16_t));
    BandBuffer cb{cpu.data(), PixelType::Int16, w, h, 2, 2 * w};
    BandBuffer gb{pinned, PixelType::Int16, w, h, 2, 2 * w};
    BurnOptions o;
    o.mode = MergeMode::Max;
    o.update = true;
    ASSERT_EQ(test::burn_scene(&cb, 1, o, {&scene}), Status::Ok);
    CudaOptions co;
    co.max_tile_rows = 13;
    CudaRunInfo info;
    ASSERT_EQ(cuda_burn(&gb, 1, o, scene.batch(), &info, co), Status::Ok);
    EXPECT_TRUE(info.gpu_used);
    EXPECT_EQ(std::memcmp(cpu.data(), pinned, n * sizeof(std::int16_t)), 0);
    cuda_free_host(pinned);
}

TEST(CudaParityRace, IdenticalBytesOverTenRuns) {
    MRAST_SKIP_WITHOUT_GPU();
    const std::int32_t w = 512, h = 512;
    const auto features = random_features(4242, 3000, w, h, 1, true);
    const MergeScene scene(features, 1);
    for (MergeMode m : {MergeMode::Last, MergeMode::First, MergeMode::Max, MergeMode::Sum, MergeMode::Mean}) {
        std::vector<float> ref;
        for (int run = 0; run < 10; ++run) {
            std::vector<float> band(static_cast<std::size_t>(w) * h, 0.0f);
            BandBuffer bb{band.data(), PixelType::Float32, w, h, 4, 4 * w};
            BurnOptions o;
            o.mode = m;
            CudaRunInfo info;
            ASSERT_EQ(cuda_burn(&bb, 1, o, scene.batch(), &info), Status::Ok);
            EXPECT_TRUE(info.gpu_used) << merge_mode_name(m);
            if (run == 0) ref = band;
            else EXPECT_EQ(std::memcmp(ref.data(), band.data(), band.size() * 4), 0) << merge_mode_name(m);
        }
    }
}

TEST(CudaOrderBuffer, WidthFollowsContributors) {
    EXPECT_EQ(cuda_order_bytes_for(200), 1);
    EXPECT_EQ(cuda_order_bytes_for(254), 1);
    EXPECT_EQ(cuda_order_bytes_for(255), 2);
    EXPECT_EQ(cuda_order_bytes_for(60000), 2);
    EXPECT_EQ(cuda_order_bytes_for(65535), 4);
    EXPECT_EQ(cuda_order_bytes_for(100000), 4);
}

TEST(CudaOrderBuffer, RunsReportWidthAndMatchCpu) {
    MRAST_SKIP_WITHOUT_GPU();
    // N = 200, 60000 and 100000 point features on one raster, first and last.
    for (std::size_t n : {std::size_t{200}, std::size_t{60000}, std::size_t{100000}}) {
        const std::int32_t w = 300, h = 300;
        std::vector<test::MergeFeature> features;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>((i * 7919) % w) + 0.5;
            const double y = static_cast<double>((i * 104729 / w) % h) + 0.5;
            features.push_back(test::rect(x - 3.0, y - 2.0, x + 2.0, y + 3.0, {static_cast<double>(i % 1000)}));
        }
        const MergeScene scene(features, 1);
        for (MergeMode m : {MergeMode::First, MergeMode::Last}) {
            std::vector<std::int32_t> cpu(static_cast<std::size_t>(w) * h, -1), gpu = cpu;
            BandBuffer cb{cpu.data(), PixelType::Int32, w, h, 4, 4 * w};
            BandBuffer gb{gpu.data(), PixelType::Int32, w, h, 4, 4 * w};
            BurnOptions o;
            o.mode = m;
            ASSERT_EQ(test::burn_scene(&cb, 1, o, {&scene}), Status::Ok);
            CudaRunInfo info;
            ASSERT_EQ(cuda_burn(&gb, 1, o, scene.batch(), &info), Status::Ok);
            const int expected = n < 255 ? 1 : n < 65535 ? 2 : 4;
            EXPECT_EQ(info.order_bytes, expected);
            std::printf("[ order buffer ] N=%zu %s: %d byte(s)/px, %llu spans, kernels %.3f ms\n", n,
                        merge_mode_name(m), info.order_bytes,
                        static_cast<unsigned long long>(info.spans), info.kernel_ms);
            EXPECT_EQ(cpu, gpu) << "N=" << n << " " << merge_mode_name(m);
        }
    }
}

TEST(CudaFallback, ZRunsOnCpuAndMatches) {
    MRAST_SKIP_WITHOUT_GPU();
    const std::int32_t w = 40, h = 30;
    const auto features = random_features(5, 40, w, h, 1, true);
    const MergeScene scene(features, 1, true);
    std::vector<double> cpu(static_cast<std::size_t>(w) * h, 0.0), gpu = cpu;
    BandBuffer cb{cpu.data(), PixelType::Float64, w, h, 8, 8 * w};
    BandBuffer gb{gpu.data(), PixelType::Float64, w, h, 8, 8 * w};
    BurnOptions o;
    o.mode = MergeMode::Sum;
    ASSERT_EQ(test::burn_scene(&cb, 1, o, {&scene}), Status::Ok);
    CudaRunInfo info;
    ASSERT_EQ(cuda_burn(&gb, 1, o, scene.batch(), &info), Status::Ok);
    EXPECT_FALSE(info.gpu_used);
    EXPECT_NE(info.cpu_fallback_reason, nullptr);
    EXPECT_EQ(cpu, gpu);
}

}  // namespace
}  // namespace mrast
