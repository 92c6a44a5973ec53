// Determinism and in-place strided merging on random scenes.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "merge_scene.hpp"
#include "mrast/row_bands.hpp"

namespace mrast {
namespace test {
namespace {

const MergeMode kModes[] = {MergeMode::Last, MergeMode::First, MergeMode::Min, MergeMode::Max,
                            MergeMode::Sum,  MergeMode::Count, MergeMode::Mean};

template <class T>
std::vector<T> burn_random(MergeMode mode, int threads, bool all_touched, bool with_z, bool update,
                           bool has_nodata, std::uint32_t seed) {
    const std::int32_t w = 97, h = 83;
    MallocRaster<T> r(w, h, T(0));
    for (std::int32_t y = 0; y < h; ++y)
        for (std::int32_t x = 0; x < w; ++x) r.at(x, y) = T((x * 7 + y * 3) % 5);
    // Two batches: the order between batches is kept too.
    const MergeScene a(random_features(seed, 60, w, h, 1, false), 1, with_z);
    const MergeScene b(random_features(seed + 1, 60, w, h, 1, false), 1, with_z);
    BurnOptions opt;
    opt.mode = mode;
    opt.threads = threads;
    opt.all_touched = all_touched;
    opt.update = update;
    opt.has_nodata = has_nodata;
    opt.nodata = 3;
    opt.max_features = 120;
    const BandBuffer band = r.buffer();
    EXPECT_EQ(burn_scene(&band, 1, opt, {&a, &b}), Status::Ok);
    return std::vector<T>(r.data(), r.data() + w * h);
}

template <class T>
void check_invariance() {
    std::uint32_t seed = 100;
    for (MergeMode mode : kModes) {
        for (int variant = 0; variant < 4; ++variant) {
            const bool all_touched = variant & 1, with_z = variant & 2;
            const bool update = (seed % 2) == 0, has_nodata = (seed % 3) == 0;
            const std::vector<T> ref = burn_random<T>(mode, 1, all_touched, with_z, update, has_nodata, seed);
            for (int threads : {2, 3, 7}) {
                const std::vector<T> got =
                    burn_random<T>(mode, threads, all_touched, with_z, update, has_nodata, seed);
                EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(T)), 0)
                    << merge_mode_name(mode) << " threads=" << threads << " variant=" << variant;
            }
            ++seed;
        }
    }
}

TEST(BurnerThreads, BitIdenticalFloat64) { check_invariance<double>(); }
TEST(BurnerThreads, BitIdenticalFloat32) { check_invariance<float>(); }
TEST(BurnerThreads, BitIdenticalUInt8) { check_invariance<std::uint8_t>(); }
TEST(BurnerThreads, BitIdenticalInt32) { check_invariance<std::int32_t>(); }

template <class T>
class BurnerStrided : public ::testing::Test {};
using StridedTypes = ::testing::Types<std::uint8_t, std::int16_t, std::uint32_t, std::int64_t, float, double>;
TYPED_TEST_SUITE(BurnerStrided, StridedTypes);

TYPED_TEST(BurnerStrided, InterleavedBufferBurnsOnlyItsBand) {
    // Pixel-interleaved 3-band buffer with padded lines; burn band 1 alone,
    // then compare with the same burn into a packed buffer.
    using T = TypeParam;
    const std::int32_t w = 31, h = 17;
    const std::int64_t line = 3 * w + 5;  // in T units, 5 pixels of padding
    const MergeScene s(random_features(7, 40, w, h, 1, true), 1);
    for (MergeMode mode : kModes) {
        std::vector<T> inter(static_cast<std::size_t>(line * h), T(9));
        MallocRaster<T> packed(w, h, T(9));
        BandBuffer band{inter.data() + 1,
                        packed.buffer().type,
                        w,
                        h,
                        static_cast<std::int64_t>(3 * sizeof(T)),
                        static_cast<std::int64_t>(line * sizeof(T))};
        BurnOptions opt;
        opt.mode = mode;
        opt.threads = 3;
        opt.max_features = 40;
        ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
        const BandBuffer pb = packed.buffer();
        ASSERT_EQ(burn_scene(&pb, 1, opt, {&s}), Status::Ok);
        for (std::int32_t y = 0; y < h; ++y) {
            for (std::int32_t x = 0; x < w; ++x) {
                const std::int64_t i = y * line + 3 * x;
                ASSERT_EQ(inter[i], T(9));
                ASSERT_EQ(inter[i + 2], T(9));
                ASSERT_EQ(inter[i + 1], packed.at(x, y)) << merge_mode_name(mode) << " " << x << "," << y;
            }
            for (std::int64_t p = 3 * w; p < line; ++p) ASSERT_EQ(inter[y * line + p], T(9));
        }
    }
}

TEST(BurnerStrided, ThreeInterleavedBandsGetTheirOwnValues) {
    const std::int32_t w = 5, h = 4;
    std::vector<float> buf(3 * w * h, 0.f);
    BandBuffer bands[3];
    for (int b = 0; b < 3; ++b) {
        bands[b] = BandBuffer{buf.data() + b, PixelType::Float32, w, h, 12, 12 * w};
    }
    const MergeScene s({rect(0, 0, 5, 4, {1, 2, 3}), rect(1, 1, 3, 3, {10, 20, 30})}, 3);
    BurnOptions opt;
    opt.mode = MergeMode::Mean;
    ASSERT_EQ(burn_scene(bands, 3, opt, {&s}), Status::Ok);
    EXPECT_EQ(buf[0], 1.f);
    EXPECT_EQ(buf[1], 2.f);
    EXPECT_EQ(buf[2], 3.f);
    const std::size_t p11 = 3 * (w + 1);
    EXPECT_EQ(buf[p11 + 0], 5.5f);
    EXPECT_EQ(buf[p11 + 1], 11.f);
    EXPECT_EQ(buf[p11 + 2], 16.5f);
}

}  // namespace
}  // namespace test
}  // namespace mrast

namespace mrast {
namespace {

// The band holding a row: band_of()'s formula checked against the bands'
// first rows, and BandLocator's tables against band_of(), on every row near
// a band edge, for the scheduler's plans and odd ones.
TEST(RowBandPlan, BandOfIsTheBandHoldingTheRow) {
    const std::int32_t heights[] = {1, 7, 4096, 16387, 1000003, 2147483647};
    for (std::int32_t height : heights) {
        // The scheduler's plans, and any count up to one band per row.
        std::vector<RowBandPlan> plans;
        for (int threads : {1, 2, 3, 16, 64}) plans.push_back(plan_row_bands(height, threads));
        for (std::int32_t count : {3, 1000, 65537, 2147483646, 2147483647}) {
            if (count <= height) plans.push_back(RowBandPlan{height, count});
        }
        for (const RowBandPlan &plan : plans) {
            // BandLocator's tables hold count + 1 entries: not for 2^31 bands.
            const bool locate = plan.count <= 65537;
            BandLocator locator;
            if (locate) locator.prepare(plan);
            auto check = [&](std::int64_t row) {
                if (row < 0 || row >= height) return;
                const auto r = static_cast<std::int32_t>(row);
                const std::int32_t b = plan.band_of(r);
                const auto want = static_cast<std::int32_t>(((row + 1) * plan.count - 1) / height);
                ASSERT_EQ(b, want) << "height " << height << " count " << plan.count << " row " << row;
                if (locate) ASSERT_EQ(locator.band_of(r), want) << "locator, height " << height << " count " << plan.count;
                ASSERT_LE(plan.first_row(b), r);
                ASSERT_LT(r, b + 1 < plan.count ? plan.first_row(b + 1) : height);
            };
            // Every band's edges when there are few; else the first and last
            // thousand and a stride through the rest.
            const std::int64_t step = plan.count <= 3000 ? 1 : std::max<std::int64_t>(1, plan.count / 997);
            for (std::int64_t b = 0; b <= plan.count; b += (b < 1000 || b + 1000 > plan.count) ? 1 : step) {
                const std::int64_t edge = b < plan.count ? plan.first_row(static_cast<std::int32_t>(b)) : height;
                for (std::int64_t d = -2; d <= 2; ++d) check(edge + d);
            }
        }
    }
}

}  // namespace
}  // namespace mrast
