// A batch larger than one chunk of the band lists (detail/band_lists.hpp):
// several chunks, a chunk ended early by the entry bound, lists built on
// several threads, and last's back-to-front occlusion restarting per chunk.
// One big batch must give the bits of the same features fed as many small
// batches (each well inside one chunk), for any thread count.

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "merge_scene.hpp"
#include "mrast/detail/band_lists.hpp"
#include "mrast/detail/cover_mask.hpp"

namespace mrast {
namespace test {
namespace {

constexpr std::int32_t kSide = 200;
// More features than one chunk holds; on 200 rows the
// features (up to 60 rows tall) make more entries than one chunk holds when
// cut into the 64 bands of 16 threads.
constexpr int kFeatures = static_cast<int>(detail::kChunkFeatures) + 4464;
constexpr int kSmallBatch = 1000;

std::vector<double> burn(MergeMode mode, int threads, const std::vector<const MergeScene *> &batches) {
    MallocRaster<double> r(kSide, kSide, 0.0);
    BurnOptions opt;
    opt.mode = mode;
    opt.threads = threads;
    opt.max_features = kFeatures;
    const BandBuffer band = r.buffer();
    EXPECT_EQ(burn_scene(&band, 1, opt, batches), Status::Ok);
    return std::vector<double>(r.data(), r.data() + kSide * kSide);
}

TEST(BurnerChunks, ManyChunksEqualSmallBatches) {
    const std::vector<MergeFeature> features = random_features(4242, kFeatures, kSide, kSide, 1, false);
    const MergeScene whole(features, 1);
    std::vector<MergeScene> pieces;
    for (int i = 0; i < kFeatures; i += kSmallBatch) {
        const auto b = features.begin() + i;
        const auto e = features.begin() + std::min(i + kSmallBatch, kFeatures);
        pieces.emplace_back(std::vector<MergeFeature>(b, e), 1);
    }
    std::vector<const MergeScene *> small;
    for (const MergeScene &p : pieces) small.push_back(&p);

    // The scene does reach the entry bound: the first chunk ends early.
    detail::BandLists lists;
    const RowBandPlan plan = plan_row_bands(kSide, 16);
    std::size_t f1 = 0;
    ASSERT_EQ(lists.build(whole.batch(), 0, false, plan, 0, kSide - 1, 16, f1), Status::Ok);
    EXPECT_LT(f1, detail::kChunkFeatures);
    EXPECT_GE(lists.m_start[static_cast<std::size_t>(plan.count)], detail::kChunkEntries);
    for (std::size_t k = 0; k < static_cast<std::size_t>(plan.count); ++k) {
        for (std::size_t i = lists.m_start[k] + 1; i < lists.m_start[k + 1]; ++i) {
            ASSERT_LT(lists.m_listed[i - 1], lists.m_listed[i]) << "band " << k << " out of input order";
        }
    }

    for (MergeMode mode : {MergeMode::Last, MergeMode::First, MergeMode::Sum, MergeMode::Mean}) {
        const std::vector<double> ref = burn(mode, 1, small);
        std::size_t burnt = 0;
        for (double v : ref) burnt += v != 0.0;
        EXPECT_GT(burnt, static_cast<std::size_t>(kSide * kSide / 2)) << merge_mode_name(mode);
        for (int threads : {1, 2, 7, 16}) {
            const std::vector<double> got = burn(mode, threads, {&whole});
            EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(double)), 0)
                << merge_mode_name(mode) << " threads=" << threads;
        }
    }
}

TEST(BurnerChunks, LastOnBandsTooWideForTheCoverMask) {
    // One thread cuts 960 rows into 8 bands of 120 rows, too wide a band for
    // the cover mask's cap (front-to-back painting); 16 threads cut 64
    // bands of 15 rows (back to front, occluded). Same bits.
    const std::int32_t w = 20000, h = 960;
    ASSERT_FALSE(detail::CoverMask::fits(h / 8, w));
    ASSERT_TRUE(detail::CoverMask::fits(h / 64, w));
    const MergeScene scene(random_features(77, 3000, w, h, 1, true), 1);
    std::vector<std::vector<std::uint8_t>> results;
    for (int threads : {1, 16}) {
        MallocRaster<std::uint8_t> r(w, h, 0);
        BurnOptions opt;
        opt.mode = MergeMode::Last;
        opt.threads = threads;
        opt.max_features = 3000;
        const BandBuffer band = r.buffer();
        ASSERT_EQ(burn_scene(&band, 1, opt, {&scene}), Status::Ok);
        results.emplace_back(r.data(), r.data() + static_cast<std::size_t>(w) * h);
    }
    std::size_t burnt = 0;
    for (std::uint8_t v : results[0]) burnt += v != 0;
    EXPECT_GT(burnt, static_cast<std::size_t>(w) * h / 4);
    EXPECT_EQ(results[0], results[1]);
}

}  // namespace
}  // namespace test
}  // namespace mrast
