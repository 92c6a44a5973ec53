// Lone points take a short cut: the band lists resolve each one's pixel
// while listing (detail/band_lists.hpp, m_point), and a band's walk reads
// only that pixel and the burn value. Batches with Z still go the long way
// (lone_point_coverage), which gives a second, independent answer.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "merge_scene.hpp"
#include "mrast/coverage.hpp"
#include "mrast/detail/band_lists.hpp"

namespace mrast {
namespace test {
namespace {

constexpr std::int32_t kW = 37, kH = 29;

/// Points on and around a small raster: many share a pixel (so order
/// matters), some sit on its right/bottom border lines (outside, as in GDAL),
/// some are NaN or far away. Burns are fractions, so sums depend on order.
std::vector<MergeFeature> scattered_points(std::uint32_t seed, int count) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> ux(-2.0, kW + 2.0), uy(-2.0, kH + 2.0), burn(-7.0, 9.0);
    std::uniform_int_distribution<int> special(0, 19);
    std::vector<MergeFeature> out;
    for (int i = 0; i < count; ++i) {
        double x = ux(rng), y = uy(rng);
        switch (special(rng)) {
            case 0: x = kW; break;                                          // border line: outside
            case 1: y = kH; break;
            case 2: x = std::floor(x); y = std::floor(y); break;            // a pixel corner
            case 3: x = std::numeric_limits<double>::quiet_NaN(); break;
            case 4: y = 1e300; break;
            default: break;
        }
        out.push_back(point(x, y, {burn(rng) + 0.125}));
    }
    return out;
}

/// What any merge of these points must give: each pixel's contributors in
/// input order, by GDALdllImagePoint's rule ((int)x, (int)y inside).
std::vector<double> expected_points(const std::vector<MergeFeature> &pts, MergeMode mode) {
    std::vector<double> value(static_cast<std::size_t>(kW) * kH, 0.0);
    std::vector<int> count(value.size(), 0);
    for (const MergeFeature &f : pts) {
        std::int32_t col = 0, row = 0;
        if (!point_pixel(f.rings[0][0].x, f.rings[0][0].y, RasterSize{kW, kH}, col, row)) continue;
        const std::size_t i = static_cast<std::size_t>(row) * kW + static_cast<std::size_t>(col);
        const double b = f.burn[0];
        switch (mode) {
            case MergeMode::Last: value[i] = b; break;
            case MergeMode::First: value[i] = count[i] == 0 ? b : value[i]; break;
            case MergeMode::Min: value[i] = count[i] == 0 ? b : std::fmin(value[i], b); break;
            case MergeMode::Max: value[i] = count[i] == 0 ? b : std::fmax(value[i], b); break;
            case MergeMode::Sum:
            case MergeMode::Mean: value[i] += b; break;
            case MergeMode::Count: value[i] += 1.0; break;
        }
        ++count[i];
    }
    if (mode == MergeMode::Mean) {
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (count[i] != 0) value[i] /= count[i];
        }
    }
    return value;
}

/// Burns the scene tile by tile (uneven windows with padded lines), or whole.
std::vector<double> burn_tiled(const MergeScene &scene, MergeMode mode, int threads, bool tiled) {
    const std::vector<std::int32_t> xs = tiled ? std::vector<std::int32_t>{0, 11, 30, kW} : std::vector<std::int32_t>{0, kW};
    const std::vector<std::int32_t> ys = tiled ? std::vector<std::int32_t>{0, 2, 19, kH} : std::vector<std::int32_t>{0, kH};
    std::vector<double> out(static_cast<std::size_t>(kW) * kH, -1.0);
    BurnOptions opt;
    opt.mode = mode;
    opt.threads = threads;
    opt.max_features = 5000;
    for (std::size_t ty = 0; ty + 1 < ys.size(); ++ty) {
        for (std::size_t tx = 0; tx + 1 < xs.size(); ++tx) {
            const std::int32_t w = xs[tx + 1] - xs[tx], h = ys[ty + 1] - ys[ty], stride = w + 2;
            std::vector<double> tile(static_cast<std::size_t>(stride) * h, 0.0);
            BandBuffer b{tile.data(), PixelType::Float64, w, h, 8, 8LL * stride};
            b.x_offset = xs[tx];
            b.y_offset = ys[ty];
            b.raster_width = kW;
            b.raster_height = kH;
            EXPECT_EQ(burn_scene(&b, 1, opt, {&scene}), Status::Ok);
            for (std::int32_t y = 0; y < h; ++y) {
                for (std::int32_t x = 0; x < w; ++x) {
                    out[static_cast<std::size_t>(ys[ty] + y) * kW + static_cast<std::size_t>(xs[tx] + x)] =
                        tile[static_cast<std::size_t>(y) * stride + static_cast<std::size_t>(x)];
                }
            }
        }
    }
    return out;
}

TEST(BandListsPoints, EachPointListedOnceInItsPixelsBand) {
    const std::vector<MergeFeature> pts = scattered_points(11, 3000);
    const MergeScene scene(pts, 1);
    for (int threads : {1, 3}) {
        const RowBandPlan plan = plan_row_bands(kH, threads);
        detail::BandLists lists;
        std::size_t f1 = 0;
        ASSERT_EQ(lists.build(scene.batch(), 0, false, plan, 0, kH - 1, threads, f1, 0, 0, RasterSize{kW, kH}),
                  Status::Ok);
        ASSERT_EQ(f1, pts.size());
        EXPECT_TRUE(lists.m_only_points);
        std::vector<int> times_listed(pts.size(), 0);
        for (std::int32_t k = 0; k < plan.count; ++k) {
            const auto kk = static_cast<std::size_t>(k);
            for (std::size_t e = lists.m_start[kk]; e < lists.m_start[kk + 1]; ++e) {
                const std::uint32_t f = lists.m_listed[e];
                ++times_listed[f];
                const detail::BandLists::PointPixel px = lists.m_point[f];
                EXPECT_GE(px.row, plan.first_row(k));
                EXPECT_LT(px.row, plan.first_row(k + 1));
                std::int32_t col = 0, row = 0;
                ASSERT_TRUE(point_pixel(pts[f].rings[0][0].x, pts[f].rings[0][0].y, RasterSize{kW, kH}, col, row));
                EXPECT_EQ(px.col, col);
                EXPECT_EQ(px.row, row);
            }
        }
        for (std::size_t f = 0; f < pts.size(); ++f) {
            std::int32_t col = 0, row = 0;
            const bool inside = point_pixel(pts[f].rings[0][0].x, pts[f].rings[0][0].y, RasterSize{kW, kH}, col, row);
            EXPECT_EQ(times_listed[f], inside ? 1 : 0) << "point " << f;
        }
    }
}

TEST(BandListsPoints, OtherFeaturesGoThroughTheirCoverage) {
    std::vector<MergeFeature> mixed = scattered_points(12, 50);
    mixed.push_back(rect(1, 1, 9, 7, {2.0}));
    mixed.push_back(MergeFeature{PartKind::Points, {{{1.5, 1.5, 0.0}, {3.5, 2.5, 0.0}}}, {1.0}});  // two vertices
    const MergeScene scene(mixed, 1);
    const RowBandPlan plan = plan_row_bands(kH, 2);
    detail::BandLists lists;
    std::size_t f1 = 0;
    ASSERT_EQ(lists.build(scene.batch(), 0, false, plan, 0, kH - 1, 2, f1, 0, 0, RasterSize{kW, kH}), Status::Ok);
    EXPECT_FALSE(lists.m_only_points);
    EXPECT_EQ(lists.m_point[50].row, detail::BandLists::kNotAPoint);
    EXPECT_EQ(lists.m_point[51].row, detail::BandLists::kNotAPoint);

    // A chunk without lone points keeps no pixels.
    const MergeScene no_points({rect(1, 1, 9, 7, {2.0}), rect(3, 2, 5, 20, {1.0})}, 1);
    ASSERT_EQ(lists.build(no_points.batch(), 0, false, plan, 0, kH - 1, 2, f1, 0, 0, RasterSize{kW, kH}),
              Status::Ok);
    EXPECT_TRUE(lists.m_point.empty());
    EXPECT_FALSE(lists.m_only_points);

    // Without point pixels asked for, nothing is resolved.
    ASSERT_EQ(lists.build(scene.batch(), 0, false, plan, 0, kH - 1, 2, f1), Status::Ok);
    EXPECT_TRUE(lists.m_point.empty());
    EXPECT_FALSE(lists.m_only_points);
}

TEST(BurnerPoints, PointsTheSampleMissesStillBurn) {
    // 200 rectangles and two points the 64-feature sample skips (it looks at
    // features 0, 3, 6, ...): they go through feature_coverage.
    std::vector<MergeFeature> features;
    for (int i = 0; i < 200; ++i) features.push_back(rect(i % 10, i % 7, i % 10 + 3, i % 7 + 2, {1.0 + i}));
    features[1] = point(30.5, 20.5, {1000.0});
    features[2] = point(2.5, 1.5, {0.25});
    const MergeScene scene(features, 1);
    detail::BandLists lists;
    std::size_t f1 = 0;
    const RowBandPlan plan = plan_row_bands(kH, 2);
    ASSERT_EQ(lists.build(scene.batch(), 0, false, plan, 0, kH - 1, 2, f1, 0, 0, RasterSize{kW, kH}), Status::Ok);
    ASSERT_FALSE(lists.m_sampled_points);
    ASSERT_TRUE(lists.m_point.empty());
    const MergeScene with_z(features, 1, true);  // looks for lone points
    for (MergeMode mode : {MergeMode::Last, MergeMode::Sum, MergeMode::Mean}) {
        const std::vector<double> got = burn_tiled(scene, mode, 2, false);
        EXPECT_EQ(got[20 * kW + 30], 1000.0);  // alone on its pixel
        EXPECT_EQ(std::memcmp(got.data(), burn_tiled(with_z, mode, 2, false).data(), got.size() * sizeof(double)), 0)
            << merge_mode_name(mode);
    }
}

TEST(BurnerPoints, ShortCutGivesEveryModesPixels) {
    const std::vector<MergeFeature> pts = scattered_points(13, 4000);
    const MergeScene fast(pts, 1);
    // With Z (all 0.0: the burn + 0.0 is the burn, none is -0.0) the
    // points go through lone_point_coverage instead.
    const MergeScene slow(pts, 1, true);
    for (MergeMode mode : {MergeMode::Last, MergeMode::First, MergeMode::Min, MergeMode::Max, MergeMode::Sum,
                           MergeMode::Count, MergeMode::Mean}) {
        const std::vector<double> want = expected_points(pts, mode);
        for (int threads : {1, 2, 7}) {
            for (bool tiled : {false, true}) {
                const std::vector<double> got = burn_tiled(fast, mode, threads, tiled);
                const std::vector<double> via_z = burn_tiled(slow, mode, threads, tiled);
                ASSERT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(double)), 0)
                    << merge_mode_name(mode) << " threads=" << threads << " tiled=" << tiled;
                ASSERT_EQ(std::memcmp(via_z.data(), want.data(), want.size() * sizeof(double)), 0)
                    << merge_mode_name(mode) << " with Z, threads=" << threads << " tiled=" << tiled;
            }
        }
    }
}

}  // namespace
}  // namespace test
}  // namespace mrast
