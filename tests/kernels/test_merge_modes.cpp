// Every merge mode on a literal 4x4 grid, for every band type (SPEC section
// 4). The scene, in input order:
//   f0 rectangle [0,3)x[0,3) burn 10
//   f1 rectangle [1,4)x[1,4) burn 20
//   f2 point (1.5, 1.5)      burn 5
// so pixel (1,1) has f0,f1,f2; (2,2) f0,f1; (0,0) f0; (3,3) f1; (3,0) none.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "merge_scene.hpp"
#include "mrast/pixel_convert.hpp"

namespace mrast {
namespace test {
namespace {

template <class T>
class MergeTest : public ::testing::Test {
  protected:
    struct Probe {
        T p00, p11, p22, p33, p30;
    };

    /// Burns the scene into a 4x4 raster filled with `fill` (then `existing`
    /// at (1,1) and (2,2) if given) and reads the probe pixels back.
    Probe run(MergeMode mode, T fill, BurnOptions opt = {}, const T *p11_existing = nullptr) {
        MallocRaster<T> r(4, 4, fill);
        if (p11_existing) r.at(1, 1) = *p11_existing;
        const MergeScene scene({rect(0, 0, 3, 3, {10}), rect(1, 1, 4, 4, {20}), point(1.5, 1.5, {5})},
                               1);
        opt.mode = mode;
        opt.threads = 2;
        const BandBuffer band = r.buffer();
        EXPECT_EQ(burn_scene(&band, 1, opt, {&scene}), Status::Ok);
        return Probe{r.at(0, 0), r.at(1, 1), r.at(2, 2), r.at(3, 3), r.at(3, 0)};
    }
    static void expect(const Probe &got, double p00, double p11, double p22, double p33, double p30) {
        EXPECT_EQ(got.p00, copy_word<T>(p00));
        EXPECT_EQ(got.p11, copy_word<T>(p11));
        EXPECT_EQ(got.p22, copy_word<T>(p22));
        EXPECT_EQ(got.p33, copy_word<T>(p33));
        EXPECT_EQ(got.p30, copy_word<T>(p30));
    }
};

using PixelTypes = ::testing::Types<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t,
                                    std::uint32_t, std::int32_t, std::uint64_t, std::int64_t,
                                    float, double>;
TYPED_TEST_SUITE(MergeTest, PixelTypes);

TYPED_TEST(MergeTest, NewOutputNoNodata) {
    using T = TypeParam;
    this->expect(this->run(MergeMode::Last, T(0)), 10, 5, 20, 20, 0);
    this->expect(this->run(MergeMode::First, T(0)), 10, 10, 10, 20, 0);
    this->expect(this->run(MergeMode::Min, T(0)), 10, 5, 10, 20, 0);
    this->expect(this->run(MergeMode::Max, T(0)), 10, 20, 20, 20, 0);
    this->expect(this->run(MergeMode::Sum, T(0)), 10, 35, 30, 20, 0);
    this->expect(this->run(MergeMode::Count, T(0)), 1, 3, 2, 1, 0);
    this->expect(this->run(MergeMode::Mean, T(0)), 10, 35.0 / 3.0, 15, 20, 0);
}

TYPED_TEST(MergeTest, NewOutputInitIsSumAndCountStart) {
    // As gdal_rasterize -add: the init value is where the sum starts; min,
    // first and mean ignore it (it is not a contributor).
    using T = TypeParam;
    this->expect(this->run(MergeMode::Sum, T(1)), 11, 36, 31, 21, 1);
    this->expect(this->run(MergeMode::Count, T(1)), 2, 4, 3, 2, 1);
    this->expect(this->run(MergeMode::Min, T(1)), 10, 5, 10, 20, 1);
    this->expect(this->run(MergeMode::First, T(1)), 10, 10, 10, 20, 1);
    this->expect(this->run(MergeMode::Mean, T(1)), 10, 35.0 / 3.0, 15, 20, 1);
}

// nodata 100, not 2: a running count or sum that lands on nodata reads as
// "no contributor" and restarts (kernels/README.md, known gap).
TYPED_TEST(MergeTest, NewOutputWithNodata) {
    using T = TypeParam;
    BurnOptions opt;
    opt.has_nodata = true;
    opt.nodata = 100;
    this->expect(this->run(MergeMode::Last, T(100), opt), 10, 5, 20, 20, 100);
    this->expect(this->run(MergeMode::First, T(100), opt), 10, 10, 10, 20, 100);
    this->expect(this->run(MergeMode::Min, T(100), opt), 10, 5, 10, 20, 100);
    this->expect(this->run(MergeMode::Max, T(100), opt), 10, 20, 20, 20, 100);
    this->expect(this->run(MergeMode::Sum, T(100), opt), 10, 35, 30, 20, 100);
    this->expect(this->run(MergeMode::Count, T(100), opt), 1, 3, 2, 1, 100);
    this->expect(this->run(MergeMode::Mean, T(100), opt), 10, 35.0 / 3.0, 15, 20, 100);
}

TYPED_TEST(MergeTest, NewOutputInitDiffersFromNodata) {
    // --init 1 --nodata 100: the init pixels are not nodata, yet not
    // contributors: first/min must still take the first feature.
    using T = TypeParam;
    BurnOptions opt;
    opt.has_nodata = true;
    opt.nodata = 100;
    this->expect(this->run(MergeMode::First, T(1), opt), 10, 10, 10, 20, 1);
    this->expect(this->run(MergeMode::Max, T(1), opt), 10, 20, 20, 20, 1);
}

TYPED_TEST(MergeTest, UpdateWithoutNodata) {
    // Every existing value (1) is the first contributor.
    using T = TypeParam;
    BurnOptions opt;
    opt.update = true;
    this->expect(this->run(MergeMode::Last, T(1), opt), 10, 5, 20, 20, 1);
    this->expect(this->run(MergeMode::First, T(1), opt), 1, 1, 1, 1, 1);
    this->expect(this->run(MergeMode::Min, T(1), opt), 1, 1, 1, 1, 1);
    this->expect(this->run(MergeMode::Max, T(1), opt), 10, 20, 20, 20, 1);
    this->expect(this->run(MergeMode::Sum, T(1), opt), 11, 36, 31, 21, 1);
    this->expect(this->run(MergeMode::Count, T(1), opt), 2, 4, 3, 2, 1);
    this->expect(this->run(MergeMode::Mean, T(1), opt), 5.5, 9, 31.0 / 3.0, 10.5, 1);
}

TYPED_TEST(MergeTest, UpdateWithNodata) {
    // Existing 1 everywhere except (1,1) = nodata 100: there the existing
    // value is no contributor.
    using T = TypeParam;
    BurnOptions opt;
    opt.update = true;
    opt.has_nodata = true;
    opt.nodata = 100;
    const T nd = T(100);
    this->expect(this->run(MergeMode::First, T(1), opt, &nd), 1, 10, 1, 1, 1);
    this->expect(this->run(MergeMode::Min, T(1), opt, &nd), 1, 5, 1, 1, 1);
    this->expect(this->run(MergeMode::Max, T(1), opt, &nd), 10, 20, 20, 20, 1);
    this->expect(this->run(MergeMode::Sum, T(1), opt, &nd), 11, 35, 31, 21, 1);
    this->expect(this->run(MergeMode::Count, T(1), opt, &nd), 2, 3, 3, 2, 1);
    this->expect(this->run(MergeMode::Mean, T(1), opt, &nd), 5.5, 35.0 / 3.0, 31.0 / 3.0, 10.5, 1);
}

TYPED_TEST(MergeTest, BurnEqualToNodataSwitchesToBitmap) {
    // f0 burns the nodata value 2: a sentinel would think (1,1) untouched and
    // let f1 win; the engine must notice and keep f0 as the first.
    using T = TypeParam;
    MallocRaster<T> r(4, 4, T(2));
    const MergeScene a({rect(0, 0, 2, 2, {2})}, 1);
    const MergeScene b({rect(1, 1, 3, 3, {20}), point(0.5, 0.5, {7})}, 1);
    BurnOptions opt;
    opt.mode = MergeMode::First;
    opt.has_nodata = true;
    opt.nodata = 2;
    const BandBuffer band = r.buffer();
    ScratchPlan plan;
    ASSERT_EQ(burn_scene(&band, 1, opt, {&a, &b}, &plan), Status::Ok);
    EXPECT_EQ(plan.touched_bits_per_pixel, 1);
    EXPECT_EQ(r.at(1, 1), T(2));
    EXPECT_EQ(r.at(0, 0), T(2));
    EXPECT_EQ(r.at(2, 2), T(20));
}

TYPED_TEST(MergeTest, MultiBandBurnValues) {
    using T = TypeParam;
    MallocRaster<T> b0(4, 4, T(0)), b1(4, 4, T(0));
    const BandBuffer bands[2] = {b0.buffer(), b1.buffer()};
    const MergeScene s({rect(0, 0, 3, 3, {10, 3}), rect(1, 1, 4, 4, {20, 4})}, 2);
    for (MergeMode mode : {MergeMode::Max, MergeMode::Sum, MergeMode::Mean, MergeMode::First}) {
        b0.at(1, 1) = b1.at(1, 1) = T(0);
        BurnOptions opt;
        opt.mode = mode;
        ASSERT_EQ(burn_scene(bands, 2, opt, {&s}), Status::Ok);
    }
    // The last run was first: band 0 = 10, band 1 = 3 at (1,1).
    EXPECT_EQ(b0.at(1, 1), T(10));
    EXPECT_EQ(b1.at(1, 1), T(3));
    EXPECT_EQ(b1.at(3, 3), T(4));
}

TEST(MergeSaturation, ByteSumSaturatesPerStep) {
    // SPEC: Byte 200 + 100 = 255; and per step: 200 + 100 - 100 = 155.
    MallocRaster<std::uint8_t> r(2, 1, 0);
    const MergeScene s({point(0.5, 0.5, {200}), point(0.5, 0.5, {100}), point(0.5, 0.5, {-100}),
                        point(1.5, 0.5, {200}), point(1.5, 0.5, {100})},
                       1);
    BurnOptions opt;
    opt.mode = MergeMode::Sum;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_EQ(r.at(0, 0), 155);
    EXPECT_EQ(r.at(1, 0), 255);
}

TEST(MergeSaturation, Int8SumSaturatesLow) {
    MallocRaster<std::int8_t> r(1, 1, 0);
    const MergeScene s({point(0.5, 0.5, {-100}), point(0.5, 0.5, {-100})}, 1);
    BurnOptions opt;
    opt.mode = MergeMode::Sum;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_EQ(r.at(0, 0), -128);
}

TEST(MergeSaturation, IntegerMeanRoundsOnce) {
    // Mean on integer bands sums in float64: (1 + 2) / 2 = 1.5 -> 2, not a
    // per-step rounded value.
    MallocRaster<std::int16_t> r(1, 1, 0);
    const MergeScene s({point(0.5, 0.5, {1.2}), point(0.5, 0.5, {1.8}), point(0.5, 0.5, {-0.5})}, 1);
    BurnOptions opt;
    opt.mode = MergeMode::Mean;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_EQ(r.at(0, 0), 1);  // 2.5 / 3 = 0.833 -> 1
}

template <class T>
class MergeNaNTest : public ::testing::Test {};
using FloatTypes = ::testing::Types<float, double>;
TYPED_TEST_SUITE(MergeNaNTest, FloatTypes);

TYPED_TEST(MergeNaNTest, MinMaxPropagateNaN) {
    using T = TypeParam;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (MergeMode mode : {MergeMode::Min, MergeMode::Max}) {
        MallocRaster<T> r(3, 1, T(0));
        // pixel 0: 5 then NaN; pixel 1: NaN then 5; pixel 2: 5 then 7.
        const MergeScene s({point(0.5, 0.5, {5}), point(0.5, 0.5, {nan}), point(1.5, 0.5, {nan}),
                            point(1.5, 0.5, {5}), point(2.5, 0.5, {5}), point(2.5, 0.5, {7})},
                           1);
        BurnOptions opt;
        opt.mode = mode;
        const BandBuffer band = r.buffer();
        ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
        EXPECT_TRUE(std::isnan(r.at(0, 0)));
        EXPECT_TRUE(std::isnan(r.at(1, 0)));
        EXPECT_EQ(r.at(2, 0), mode == MergeMode::Min ? T(5) : T(7));
    }
}

TYPED_TEST(MergeNaNTest, NaNNodataMatchesNaN) {
    using T = TypeParam;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    BurnOptions opt;
    opt.has_nodata = true;
    opt.nodata = nan;
    opt.update = true;
    // Update mode: NaN pixels are nodata (no contributor), 3 is a contributor.
    MallocRaster<T> r(2, 1, static_cast<T>(nan));
    r.at(1, 0) = T(3);
    const MergeScene s({rect(0, 0, 2, 1, {9}), rect(0, 0, 2, 1, {1})}, 1);
    for (MergeMode mode : {MergeMode::First, MergeMode::Min, MergeMode::Sum, MergeMode::Count,
                           MergeMode::Mean}) {
        r.at(0, 0) = static_cast<T>(nan);
        r.at(1, 0) = T(3);
        opt.mode = mode;
        const BandBuffer band = r.buffer();
        ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
        const double want0[] = {9, 1, 10, 2, 5}, want1[] = {3, 1, 13, 5, 13.0 / 3.0};
        const int i = mode == MergeMode::First ? 0 : mode == MergeMode::Min ? 1 : mode == MergeMode::Sum ? 2 : mode == MergeMode::Count ? 3 : 4;
        EXPECT_EQ(r.at(0, 0), copy_word<T>(want0[i])) << merge_mode_name(mode);
        EXPECT_EQ(r.at(1, 0), copy_word<T>(want1[i])) << merge_mode_name(mode);
    }
}

TYPED_TEST(MergeNaNTest, NaNBurnWithNaNNodataKeepsFirst) {
    // First burns NaN = nodata: the sentinel cannot tell, the bitmap can.
    using T = TypeParam;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    MallocRaster<T> r(1, 1, static_cast<T>(nan));
    const MergeScene s({point(0.5, 0.5, {nan}), point(0.5, 0.5, {4})}, 1);
    BurnOptions opt;
    opt.mode = MergeMode::First;
    opt.has_nodata = true;
    opt.nodata = nan;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_TRUE(std::isnan(r.at(0, 0)));
    opt.mode = MergeMode::Min;  // NaN then 4: NaN propagates
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_TRUE(std::isnan(r.at(0, 0)));
}

TEST(MergeZ, ZIsAddedToTheBurnValue) {
    MallocRaster<double> r(2, 1, 0.0);
    const MergeScene s({point(0.5, 0.5, {10}, 2.5), point(1.5, 0.5, {-0.0}, 0.0)}, 1, true);
    BurnOptions opt;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_EQ(r.at(0, 0), 12.5);
    EXPECT_FALSE(std::signbit(r.at(1, 0)));  // -0 + 0 = +0, as GDAL computes it
}

TEST(MergeZ, NegativeZeroBurnKeptWithoutZ) {
    MallocRaster<double> r(1, 1, 1.0);
    const MergeScene s({point(0.5, 0.5, {-0.0})}, 1);
    BurnOptions opt;
    const BandBuffer band = r.buffer();
    ASSERT_EQ(burn_scene(&band, 1, opt, {&s}), Status::Ok);
    EXPECT_TRUE(std::signbit(r.at(0, 0)));
}

}  // namespace
}  // namespace test
}  // namespace mrast
