// Burner's contract around the merge: names, errors, scratch plan,
// progress, custom functors.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "merge_scene.hpp"
#include "mrast/burn_custom.hpp"
#include "mrast/geometry_arrays.hpp"

namespace mrast {
namespace test {
namespace {

TEST(BurnerApi, MergeModeNames) {
    for (MergeMode m : {MergeMode::Last, MergeMode::First, MergeMode::Min, MergeMode::Max,
                        MergeMode::Sum, MergeMode::Count, MergeMode::Mean}) {
        MergeMode back{};
        ASSERT_TRUE(parse_merge_mode(merge_mode_name(m), back));
        EXPECT_EQ(back, m);
    }
    MergeMode m{};
    EXPECT_TRUE(parse_merge_mode("MeAn", m));
    EXPECT_EQ(m, MergeMode::Mean);
    EXPECT_FALSE(parse_merge_mode("median", m));
    EXPECT_FALSE(parse_merge_mode("", m));
    EXPECT_FALSE(parse_merge_mode(nullptr, m));
    EXPECT_FALSE(parse_merge_mode("means", m));
}

TEST(BurnerApi, StatusNames) {
    EXPECT_STREQ(status_name(Status::Ok), "ok");
    EXPECT_STREQ(status_name(Status::Cancelled), "cancelled");
    EXPECT_STREQ(status_name(Status::UnsupportedType), "unsupported pixel type");
}

TEST(BurnerApi, RejectsBadInput) {
    Burner b;
    BurnOptions opt;
    EXPECT_EQ(b.burn(GeometryBatch{}), Status::InvalidArgument);  // before begin
    EXPECT_EQ(b.begin(nullptr, 1, opt), Status::InvalidArgument);
    MallocRaster<float> r(4, 4, 0.f);
    MallocRaster<double> d(4, 4, 0.0);
    BandBuffer bands[2] = {r.buffer(), d.buffer()};
    EXPECT_EQ(b.begin(bands, 2, opt), Status::InvalidArgument);  // mixed types
    BandBuffer bad = r.buffer();
    bad.type = static_cast<PixelType>(99);
    EXPECT_EQ(b.begin(&bad, 1, opt), Status::UnsupportedType);
    ASSERT_EQ(b.begin(bands, 1, opt), Status::Ok);
    const MergeScene two_bands({point(0.5, 0.5, {1, 2})}, 2);
    EXPECT_EQ(b.burn(two_bands.batch()), Status::InvalidArgument);  // band count
    GeometryBatch g = MergeScene({point(0.5, 0.5, {1})}, 1).batch();
    g.burn = nullptr;
    EXPECT_EQ(b.burn(g), Status::InvalidArgument);
    EXPECT_EQ(b.finish(), Status::Ok);
}

ScratchPlan plan_for(MergeMode mode, BurnOptions opt, PixelType type = PixelType::Float64) {
    MallocRaster<double> r(8, 8, opt.has_nodata ? opt.nodata : 0.0);
    MallocRaster<std::uint16_t> u(8, 8, copy_word<std::uint16_t>(opt.has_nodata ? opt.nodata : 0.0));
    const BandBuffer band = type == PixelType::Float64 ? r.buffer() : u.buffer();
    opt.mode = mode;
    Burner b;
    EXPECT_EQ(b.begin(&band, 1, opt), Status::Ok);
    const ScratchPlan p = b.scratch_plan();
    EXPECT_EQ(b.finish(), Status::Ok);
    return p;
}

TEST(BurnerScratch, NoneForLastSumCount) {
    for (MergeMode m : {MergeMode::Last, MergeMode::Sum, MergeMode::Count}) {
        for (bool nd : {false, true}) {
            for (bool upd : {false, true}) {
                BurnOptions o;
                o.has_nodata = nd;
                o.update = upd;
                const ScratchPlan p = plan_for(m, o);
                EXPECT_EQ(p.touched_bits_per_pixel + p.counter_bytes + p.sum_bytes, 0);
            }
        }
    }
}

TEST(BurnerScratch, TouchedBitOnlyWhenNeeded) {
    for (MergeMode m : {MergeMode::First, MergeMode::Min, MergeMode::Max}) {
        BurnOptions o;
        EXPECT_EQ(plan_for(m, o).touched_bits_per_pixel, 1);  // new, no nodata
        o.update = true;
        EXPECT_EQ(plan_for(m, o).touched_bits_per_pixel, 0);  // existing always counts
        o.has_nodata = true;
        o.nodata = -9999;
        EXPECT_EQ(plan_for(m, o).touched_bits_per_pixel, 0);  // sentinel
        o.update = false;
        EXPECT_EQ(plan_for(m, o).touched_bits_per_pixel, 0);  // sentinel, raster all nodata
    }
}

TEST(BurnerScratch, MeanCounterWidths) {
    const struct {
        std::uint64_t n;
        bool update;
        int bytes;
    } cases[] = {{200, false, 1}, {255, false, 1}, {255, true, 2},    {256, false, 2},
                 {60000, false, 2}, {65535, true, 4}, {100000, false, 4}, {0, false, 4}};
    for (const auto &c : cases) {
        BurnOptions o;
        o.max_features = c.n;
        o.update = c.update;
        const ScratchPlan f = plan_for(MergeMode::Mean, o);
        EXPECT_EQ(f.counter_bytes, c.bytes) << c.n << " update=" << c.update;
        EXPECT_EQ(f.sum_bytes, 0);  // float bands sum in place
        EXPECT_EQ(f.touched_bits_per_pixel, 0);
        const ScratchPlan i = plan_for(MergeMode::Mean, o, PixelType::UInt16);
        EXPECT_EQ(i.counter_bytes, c.bytes);
        EXPECT_EQ(i.sum_bytes, 8);
    }
}

TEST(BurnerScratch, MeanRefusesMoreFeaturesThanTheCounterHolds) {
    MallocRaster<float> r(2, 2, 0.f);
    const BandBuffer band = r.buffer();
    BurnOptions o;
    o.mode = MergeMode::Mean;
    o.max_features = 2;  // u8: up to 255
    std::vector<MergeFeature> many(256, point(0.5, 0.5, {1}));
    const MergeScene s(many, 1);
    Burner b;
    ASSERT_EQ(b.begin(&band, 1, o), Status::Ok);
    EXPECT_EQ(b.burn(s.batch()), Status::InvalidArgument);
    EXPECT_EQ(b.finish(), Status::Ok);
}

TEST(BurnerApi, ProgressCanCancel) {
    MallocRaster<float> r(64, 64, 0.f);
    const BandBuffer band = r.buffer();
    const MergeScene s({rect(0, 0, 64, 64, {1})}, 1);
    BurnOptions o;
    o.threads = 3;
    int calls = 0;
    o.progress_arg = &calls;
    o.progress = [](double f, void *arg) {
        EXPECT_GT(f, 0.0);
        EXPECT_LE(f, 1.0);
        return ++*static_cast<int *>(arg) < 2;
    };
    Burner b;
    ASSERT_EQ(b.begin(&band, 1, o), Status::Ok);
    EXPECT_EQ(b.burn(s.batch()), Status::Cancelled);
    EXPECT_EQ(calls, 2);
    o.progress = [](double, void *) { return true; };
    ASSERT_EQ(b.begin(&band, 1, o), Status::Ok);
    EXPECT_EQ(b.burn(s.batch()), Status::Ok);
    EXPECT_EQ(b.finish(), Status::Ok);
}

TEST(BurnerCustom, FunctorSeesContributors) {
    // "keep the first odd burn value, else the largest": exercises
    // has_contributor and the input order.
    MallocRaster<std::int32_t> r(3, 1, -1);
    const BandBuffer band = r.buffer();
    auto fn = [](std::int32_t cur, double v, bool any) {
        const auto iv = static_cast<std::int32_t>(v);
        if (!any) return iv;
        if (cur % 2 != 0) return cur;
        return iv % 2 != 0 || iv > cur ? iv : cur;
    };
    CustomBurner<std::int32_t, decltype(fn)> b(fn);
    const MergeScene s({rect(0, 0, 3, 1, {4}), rect(1, 0, 3, 1, {3}), rect(2, 0, 3, 1, {8}),
                        point(0.5, 0.5, {2})},
                       1);
    BurnOptions o;
    o.threads = 2;
    ASSERT_EQ(b.begin(&band, 1, o), Status::Ok);
    ASSERT_EQ(b.burn(s.batch()), Status::Ok);
    ASSERT_EQ(b.finish(), Status::Ok);
    EXPECT_EQ(r.at(0, 0), 4);
    EXPECT_EQ(r.at(1, 0), 3);
    EXPECT_EQ(r.at(2, 0), 3);
}

TEST(BurnerCustom, RejectsWrongBandType) {
    MallocRaster<float> r(2, 2, 0.f);
    const BandBuffer band = r.buffer();
    auto fn = [](std::int32_t c, double, bool) { return c; };
    CustomBurner<std::int32_t, decltype(fn)> b(fn);
    EXPECT_EQ(b.begin(&band, 1, BurnOptions{}), Status::InvalidArgument);
}

}  // namespace
}  // namespace test
}  // namespace mrast

namespace mrast {
namespace test {
namespace {

/// `n` one-point features written straight into their slots, as the
/// builder's bulk path does, so that a test can break one entry.
struct PointArrays {
    explicit PointArrays(std::size_t n) : arrays(1)
    {
        slots = arrays.grow(GeometryCounts{n, n, n, n}, false);
        for (std::size_t i = 0; i < n; ++i) {
            slots.feature_part_ends[i] = slots.part_ring_ends[i] = slots.ring_vertex_ends[i] = i + 1;
            slots.part_kind[i] = PartKind::Points;
            slots.x[i] = slots.y[i] = 0.5;
            slots.burn[i] = 1.0;
        }
    }
    GeometryArrays arrays;
    GeometrySlots slots{};
};

TEST(BurnerApi, RefusesOffsetsThatFallAndUnknownPartKindsAnywhere)
{
    // The checks run without an early exit (they vectorise): a fault near
    // the start, in the middle and at the last entry must each be seen.
    // Entry i of an ends array is offset i + 1.
    MallocRaster<float> r(4, 4, 0.f);
    const BandBuffer band = r.buffer();
    const std::size_t n = 1000;
    auto status_of = [&](const PointArrays &a) {
        Burner b;
        EXPECT_EQ(b.begin(&band, 1, BurnOptions{}), Status::Ok);
        const Status st = b.burn(a.arrays.view());
        EXPECT_EQ(b.finish(), Status::Ok);
        return st;
    };
    EXPECT_EQ(status_of(PointArrays(n)), Status::Ok);
    for (std::size_t at : {std::size_t{1}, n / 2 + 3, n - 1}) {
        for (int array = 0; array < 4; ++array) {
            PointArrays a(n);
            switch (array) {
            case 0:
                a.slots.feature_part_ends[at] = a.slots.feature_part_ends[at - 1] - 1;
                break;
            case 1:
                a.slots.part_ring_ends[at] = a.slots.part_ring_ends[at - 1] - 1;
                break;
            case 2:
                a.slots.ring_vertex_ends[at] = a.slots.ring_vertex_ends[at - 1] - 1;
                break;
            default:
                a.slots.part_kind[at] = static_cast<PartKind>(3);
                break;
            }
            EXPECT_EQ(status_of(a), Status::InvalidArgument) << "array " << array << " entry " << at;
        }
    }
}

}  // namespace
}  // namespace test
}  // namespace mrast
