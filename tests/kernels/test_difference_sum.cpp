// Sum and count through row differences (detail/difference_sum.hpp) must
// give the bits of the pixel-by-pixel sums GDAL computes: one batch large
// enough for the difference path against the same features fed one per
// batch (too small for it: the direct path), with rows the difference path
// must refuse (fractions, -0.0, NaN, values beyond the exact bound).

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "merge_scene.hpp"
#include "mrast/detail/difference_sum.hpp"

namespace mrast {
namespace test {
namespace {

constexpr std::int32_t kW = 64, kH = 48;

/// The features one per batch: each batch too small for the difference
/// path, so this is the direct, input-order reference.
struct OnePerBatch {
    std::vector<MergeScene> scenes;
    std::vector<const MergeScene *> batches;
    explicit OnePerBatch(const std::vector<MergeFeature> &features) {
        scenes.reserve(features.size());
        for (const MergeFeature &f : features) scenes.emplace_back(std::vector<MergeFeature>{f}, 1);
        for (const MergeScene &one : scenes) batches.push_back(&one);
    }
};

template <class T>
void fill_existing(MallocRaster<T> &r) {
    for (std::int32_t y = 0; y < kH; ++y)
        for (std::int32_t x = 0; x < kW; ++x) r.at(x, y) = T((x * 5 + y * 3) % 17) - T(8);
    r.at(3, 5) = T(0.5);                                   // a fraction: row 5 direct
    r.at(7, 9) = T(-0.0);                                  // -0.0 must survive: row 9 direct
    r.at(0, 11) = std::numeric_limits<T>::quiet_NaN();     // row 11 direct
    r.at(9, 13) = T(detail::exact_integer_bound<T>());     // beyond the bound with burns: row 13
    r.at(kW - 1, 17) = T(-1e30);                           // row 17 direct (also inexact)
}

/// A fresh raster: every row +0.0 (the no-write path).
template <class T>
void fresh(MallocRaster<T> &) {}

template <class T>
std::vector<T> burn(MergeMode mode, bool update, int threads, const std::vector<const MergeScene *> &batches,
                    void (*prepare)(MallocRaster<T> &) = fill_existing<T>) {
    MallocRaster<T> r(kW, kH, T(0));
    prepare(r);
    BurnOptions opt;
    opt.mode = mode;
    opt.update = update;
    opt.threads = threads;
    opt.max_features = 4000;
    const BandBuffer band = r.buffer();
    EXPECT_EQ(burn_scene(&band, 1, opt, batches), Status::Ok);
    return std::vector<T>(r.data(), r.data() + kW * kH);
}

template <class T>
void check_against_direct() {
    const std::vector<MergeFeature> features = random_features(99, 2000, kW, kH, 1, true);
    const MergeScene whole(features, 1);
    // The whole batch qualifies for the difference path...
    ASSERT_GE(detail::polygon_pixel_estimate(whole.batch(), 1e18), 2.0 * kW * kH);
    // ...one feature per batch never does.
    const OnePerBatch one_per_batch(features);
    const std::vector<const MergeScene *> &direct = one_per_batch.batches;

    for (MergeMode mode : {MergeMode::Sum, MergeMode::Count}) {
        for (bool update : {false, true}) {
            const std::vector<T> ref = burn<T>(mode, update, 1, direct);
            for (int threads : {1, 3}) {
                const std::vector<T> got = burn<T>(mode, update, threads, {&whole});
                EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(T)), 0)
                    << merge_mode_name(mode) << " update=" << update << " threads=" << threads;
            }
            EXPECT_TRUE(std::signbit(static_cast<double>(ref[9 * kW + 7])) ||
                        ref[9 * kW + 7] != T(0))
                << "the -0.0 pixel is either still -0.0 or was burnt";
        }
        const std::vector<T> fresh_ref = burn<T>(mode, false, 1, direct, fresh<T>);
        const std::vector<T> fresh_got = burn<T>(mode, false, 3, {&whole}, fresh<T>);
        EXPECT_EQ(std::memcmp(fresh_ref.data(), fresh_got.data(), fresh_ref.size() * sizeof(T)), 0)
            << merge_mode_name(mode) << " on a fresh (all +0.0) raster";
    }
}

TEST(DifferenceSum, Float64EqualsDirectSums) { check_against_direct<double>(); }
TEST(DifferenceSum, Float32EqualsDirectSums) { check_against_direct<float>(); }

TEST(DifferenceSum, RowsRefusedAndRestored) {
    // Straight through DifferenceRows: qualifying rows go to differences and
    // come back bit for bit; refused rows are never touched.
    MallocRaster<double> r(kW, kH, 0.0);
    fill_existing(r);
    const std::vector<double> before(r.data(), r.data() + kW * kH);
    const RasterView<double> view{reinterpret_cast<unsigned char *>(r.data()), kW, kH, 8, 8LL * kW};
    const std::vector<double> totals{10.0};
    std::vector<std::uint8_t> flags;
    detail::DifferenceRows<double> rows;
    ASSERT_EQ(rows.begin(&view, 1, totals, flags, 2), Status::Ok);
    for (std::int32_t y : {5, 9, 11, 13, 17}) EXPECT_FALSE(rows.row(y)) << "row " << y;
    EXPECT_TRUE(rows.row(0));
    EXPECT_TRUE(rows.row(kH - 1));
    ASSERT_EQ(rows.finish(2), Status::Ok);
    EXPECT_EQ(std::memcmp(before.data(), r.data(), before.size() * sizeof(double)), 0);
}

TEST(DifferenceSum, ZeroRowsQualifyOnlyWithinTheBound) {
    // Rows of +0.0 go to difference form without a write; a row of -0.0 is
    // not such a row (it would come back +0.0), and burn totals beyond the
    // exact bound keep every row out, zero or not.
    MallocRaster<double> r(kW, kH, 0.0);
    for (std::int32_t x = 0; x < kW; ++x) r.at(x, 3) = -0.0;
    r.at(kW - 1, 4) = 7.0;
    const std::vector<double> before(r.data(), r.data() + kW * kH);
    const RasterView<double> view{reinterpret_cast<unsigned char *>(r.data()), kW, kH, 8, 8LL * kW};
    std::vector<std::uint8_t> flags;
    {
        const std::vector<double> totals{10.0};
        detail::DifferenceRows<double> rows;
        ASSERT_EQ(rows.begin(&view, 1, totals, flags, 2), Status::Ok);
        EXPECT_TRUE(rows.row(0));
        EXPECT_TRUE(rows.row(kH - 1));
        EXPECT_FALSE(rows.row(3)) << "-0.0 row";
        EXPECT_TRUE(rows.row(4));
        EXPECT_EQ(r.at(kW - 1, 4), 7.0) << "row 4 in differences: 0 ... 0 7";
        ASSERT_EQ(rows.finish(2), Status::Ok);
    }
    {
        const std::vector<double> totals{2.0 * detail::exact_integer_bound<double>()};
        detail::DifferenceRows<double> rows;
        ASSERT_EQ(rows.begin(&view, 1, totals, flags, 2), Status::Ok);
        for (std::int32_t y = 0; y < kH; ++y) EXPECT_FALSE(rows.row(y)) << "row " << y;
        ASSERT_EQ(rows.finish(2), Status::Ok);
    }
    EXPECT_EQ(std::memcmp(before.data(), r.data(), before.size() * sizeof(double)), 0);
}

TEST(DifferenceSum, RowBurnTotalsFollowFeatureRows) {
    // feature_row_range keeps two rows of slack on each side: a rectangle
    // over y [2, 5) reaches rows 0..6 (floor(2) - 2 .. floor(5) + 2 = 7,
    // clipped to the window below); |burn| counts, count mode counts 1.
    const MergeScene s({rect(1, 2, 9, 5, {5.0}), rect(0, 10, 4, 12, {-7.0}), point(3.5, 20.5, {3.0})}, 1);
    std::vector<double> rows;
    detail::row_burn_totals(s.batch(), 1, false, 0, 30, rows);
    ASSERT_EQ(rows.size(), 30u);
    for (std::int32_t y = 0; y < 30; ++y) {
        double want = 0.0;
        if (y >= 0 && y <= 7) want += 5.0;
        if (y >= 8 && y <= 14) want += 7.0;
        if (y >= 18 && y <= 22) want += 3.0;
        EXPECT_EQ(rows[static_cast<std::size_t>(y)], want) << "row " << y;
    }
    // A window starting at raster row 10: row 0 of it is raster row 10.
    detail::row_burn_totals(s.batch(), 1, true, 10, 5, rows);
    ASSERT_EQ(rows.size(), 5u);
    for (double v : rows) EXPECT_EQ(v, 1.0);
}

TEST(DifferenceSum, Float32RowsQualifyByTheirOwnBurns) {
    // 160 thin rectangles burning 50000 each: the batch's total (8M) is
    // beyond Float32's exact bound (2^22), a row's (~1.5M) is not. The
    // rows qualify through their own totals, and the sums equal the direct
    // path's bit for bit.
    std::vector<MergeFeature> features;
    for (int i = 0; i < 160; ++i) {
        const double y = (i * 7) % (kH - 2), x0 = (i * 13) % 20;
        features.push_back(rect(x0, y, x0 + 40 + i % 5, y + 2, {50000.0}));
    }
    const MergeScene whole(features, 1);
    ASSERT_GE(detail::polygon_pixel_estimate(whole.batch(), 1e18), 2.0 * kW * kH);
    std::vector<double> totals;
    ASSERT_TRUE(detail::integer_burn_totals(whole.batch(), 1, false, totals));
    ASSERT_GT(totals[0], detail::exact_integer_bound<float>());

    MallocRaster<float> r(kW, kH, 0.0f);
    const RasterView<float> view{reinterpret_cast<unsigned char *>(r.data()), kW, kH, 4, 4LL * kW};
    std::vector<double> row_totals;
    detail::row_burn_totals(whole.batch(), 1, false, 0, kH, row_totals);
    std::vector<std::uint8_t> flags;
    {
        detail::DifferenceRows<float> rows;
        ASSERT_EQ(rows.begin(&view, 1, totals, flags, 2), Status::Ok);
        for (std::int32_t y = 0; y < kH; ++y) EXPECT_FALSE(rows.row(y)) << "batch total: row " << y;
        ASSERT_EQ(rows.finish(2), Status::Ok);
    }
    {
        detail::DifferenceRows<float> rows;
        ASSERT_EQ(rows.begin(&view, 1, totals, flags, 2, &row_totals), Status::Ok);
        for (std::int32_t y = 0; y < kH; ++y) EXPECT_TRUE(rows.row(y)) << "row totals: row " << y;
        ASSERT_EQ(rows.finish(2), Status::Ok);
    }

    const OnePerBatch one_per_batch(features);
    const std::vector<const MergeScene *> &direct = one_per_batch.batches;
    for (MergeMode mode : {MergeMode::Sum, MergeMode::Count}) {
        const std::vector<float> ref = burn<float>(mode, false, 1, direct, fresh<float>);
        const std::vector<float> got = burn<float>(mode, false, 3, {&whole}, fresh<float>);
        EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(float)), 0) << merge_mode_name(mode);
    }
}

TEST(DifferenceSum, RefusedRowsKeepInputOrder) {
    // Row 30 holds 0.9, a fraction: it is refused and merged pixel by
    // pixel, where the order of additions matters ((0.9 + a) + b differs
    // from (0.9 + b) + a for these two). The first feature lies to the
    // right of the second, so a walk by column would add them the other
    // way round; the rest of the batch makes it large enough for the
    // difference path.
    const double a = 323357686060557.0, b = -179355054766376.0;
    ASSERT_NE((0.9 + a) + b, (0.9 + b) + a);
    std::vector<MergeFeature> features{rect(40, 28, 60, 33, {a}), rect(2, 28, 50, 33, {b})};
    for (int i = 0; i < 10; ++i) features.push_back(rect(0, 0, kW, 20, {1.0}));
    const MergeScene whole(features, 1);
    ASSERT_GE(detail::polygon_pixel_estimate(whole.batch(), 1e18), 2.0 * kW * kH);
    const OnePerBatch one_per_batch(features);
    const std::vector<const MergeScene *> &direct = one_per_batch.batches;
    auto row_30_fraction = [](MallocRaster<double> &r) {
        for (std::int32_t x = 0; x < kW; ++x) r.at(x, 30) = 0.9;
    };
    auto run = [&](const std::vector<const MergeScene *> &batches, int threads) {
        return burn<double>(MergeMode::Sum, true, threads, batches, row_30_fraction);
    };
    const std::vector<double> ref = run(direct, 1);
    EXPECT_EQ(ref[30 * kW + 45], (0.9 + a) + b);
    for (int threads : {1, 3}) {
        const std::vector<double> got = run({&whole}, threads);
        EXPECT_EQ(std::memcmp(ref.data(), got.data(), ref.size() * sizeof(double)), 0) << "threads=" << threads;
    }
}

TEST(DifferenceSum, FractionalBurnsAreNotIntegerTotals) {
    MergeFeature f = random_features(5, 1, kW, kH, 1, true)[0];
    f.burn = {2.5};
    const MergeScene s({f}, 1);
    std::vector<double> totals;
    EXPECT_FALSE(detail::integer_burn_totals(s.batch(), 1, false, totals));
    EXPECT_TRUE(detail::integer_burn_totals(s.batch(), 1, true, totals));  // count ignores burns
    EXPECT_EQ(totals[0], 1.0);
}

}  // namespace
}  // namespace test
}  // namespace mrast
