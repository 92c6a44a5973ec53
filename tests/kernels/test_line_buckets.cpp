// Line features without Z take their own path to spans (line_buckets.cpp:
// spans straight into row buckets sized by the segments' rows). With Z the
// same features go the general way (a list of raw spans, then their
// union); with every Z 0.0 both must give the same spans, for any band.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "coverage_scene.hpp"
#include "mrast/coverage.hpp"

namespace mrast {
namespace test {
namespace {

constexpr std::int32_t kW = 41, kH = 37;

/// Polylines that fold back on themselves, cross, repeat vertices, leave
/// the raster, hold NaN or values beyond the int range, or are one vertex.
Feature random_line_feature(std::mt19937_64 &rng) {
    std::uniform_real_distribution<double> u(-8.0, kW + 8.0), step(-9.0, 9.0), unit(0.0, 1.0);
    std::uniform_int_distribution<int> parts(1, 3), vertices(1, 9);
    Feature f;
    for (int p = parts(rng); p > 0; --p) {
        Ring r{{u(rng), u(rng) * kH / kW}};
        for (int v = vertices(rng); v > 1; --v) {
            Pt next{r.back().x + step(rng), r.back().y + step(rng)};
            const double pick = unit(rng);
            if (pick < 0.08) next = r.back();                                           // zero-length segment
            else if (pick < 0.14) next = r[r.size() > 1 ? r.size() - 2 : 0];          // straight back
            else if (pick < 0.17) next.x = std::numeric_limits<double>::quiet_NaN();
            else if (pick < 0.20) next.y = 3e9;                                          // beyond the int range
            else if (pick < 0.25) next.y = std::floor(next.y);                           // on a grid line
            r.push_back(next);
        }
        f.push_back(line(r));
    }
    return f;
}

std::vector<Span> spans(const FlatScene &scene, bool with_z, std::int32_t row_begin, std::int32_t row_end) {
    CoverageWorkspace ws;
    std::vector<Span> out;
    feature_coverage(scene.batch(with_z), 0, RasterSize{kW, kH}, row_begin, row_end, false, ws, out);
    return out;
}

TEST(LineBuckets, SameSpansAsTheGeneralUnion) {
    std::mt19937_64 rng(20261126);
    std::uniform_int_distribution<std::int32_t> row(-3, kH + 3);
    int non_empty = 0;
    for (int i = 0; i < 3000; ++i) {
        const FlatScene scene({random_line_feature(rng)});
        std::int32_t a = row(rng), b = row(rng);
        if (i % 3 == 0) {
            a = 0;
            b = kH;
        }
        const std::vector<Span> fast = spans(scene, false, std::min(a, b), std::max(a, b));
        const std::vector<Span> general = spans(scene, true, std::min(a, b), std::max(a, b));
        ASSERT_EQ(fast.size(), general.size()) << "feature " << i;
        for (std::size_t k = 0; k < fast.size(); ++k) {
            ASSERT_EQ(fast[k].y, general[k].y) << "feature " << i << " span " << k;
            ASSERT_EQ(fast[k].x0, general[k].x0) << "feature " << i << " span " << k;
            ASSERT_EQ(fast[k].x1, general[k].x1) << "feature " << i << " span " << k;
            ASSERT_EQ(fast[k].z, 0.0);
        }
        non_empty += !fast.empty();
    }
    EXPECT_GT(non_empty, 1500);  // the scenes do burn
}

}  // namespace
}  // namespace test
}  // namespace mrast
