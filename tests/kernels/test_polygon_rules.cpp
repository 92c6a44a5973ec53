// The centre fill's pieces against their definitions: edge_rows (the rows an
// edge crosses, found from an estimate and stepped to GDAL's predicate)
// against the predicate row by row on edges whose ends sit on, next to and
// far from row centres; and the fill on rows of 1 to 60 crossings in
// shuffled edge order (the sorting networks for 2-4, insertion sort, and
// std::sort past 32) against the per-pixel reference rasterizer.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "coverage_scene.hpp"
#include "mrast/coverage.hpp"
#include "mrast/rules/polygon.hpp"
#include "reference_rasterizer.hpp"

namespace mrast {
namespace test {
namespace {

/// Edge ends that stress y - 0.5 and its rounding: row centres and the
/// doubles either side of them, grid lines, values a hair off -0.5 (where
/// y - 0.5 rounds onto an integer), tiny, huge and infinite values.
std::vector<double> awkward_ys()
{
    std::vector<double> ys;
    const double inf = std::numeric_limits<double>::infinity();
    for (int k = -3; k <= 12; ++k) {
        const double centre = k + 0.5;
        ys.push_back(centre);
        ys.push_back(std::nextafter(centre, inf));
        ys.push_back(std::nextafter(centre, -inf));
        ys.push_back(k);
        ys.push_back(k + 0.25);
        ys.push_back(std::nextafter(static_cast<double>(k), -inf));
    }
    ys.push_back(-0.5 + std::ldexp(1.0, -54));
    ys.push_back(-1.5 + std::ldexp(1.0, -53));
    ys.push_back(0.5 - std::ldexp(1.0, -60));
    ys.push_back(1e-300);
    ys.push_back(-1e-300);
    ys.push_back(0.0);
    ys.push_back(-0.0);
    ys.push_back(1e300);
    ys.push_back(-1e300);
    ys.push_back(9007199254740993.0);
    ys.push_back(inf);
    ys.push_back(-inf);
    return ys;
}

TEST(PolygonRules, EdgeRowsAreTheRowsThePredicateAccepts)
{
    const std::vector<double> ys = awkward_ys();
    const std::int64_t bands[][2] = {{0, 9}, {3, 5}, {0, 0}, {7, 20}, {-4, 14}, {11, 11}};
    std::size_t checked = 0, with_rows = 0;
    for (double ya : ys) {
        for (double yb : ys) {
            if (!(ya < yb))
                continue;
            const rules::OrientedEdge e = rules::orient_edge(1.0, ya, 7.0, yb);
            for (const auto &band : bands) {
                std::int64_t want_first = 0, want_last = -1;
                bool any = false;
                for (std::int64_t y = band[0]; y <= band[1]; ++y) {
                    if (!rules::edge_crosses_row(e, y))
                        continue;
                    if (!any)
                        want_first = y;
                    ASSERT_TRUE(!any || want_last == y - 1) << "predicate not contiguous";
                    want_last = y;
                    any = true;
                }
                std::int64_t first = 0, last = -1;
                const bool got = rules::edge_rows(e, band[0], band[1], first, last);
                ASSERT_EQ(got, any) << "ya " << ya << " yb " << yb << " rows " << band[0] << ".."
                                    << band[1];
                if (any) {
                    ASSERT_EQ(first, want_first) << "ya " << ya << " yb " << yb;
                    ASSERT_EQ(last, want_last) << "ya " << ya << " yb " << yb;
                    ++with_rows;
                }
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 20000u);
    EXPECT_GT(with_rows, 5000u);
}

/// A comb: `teeth` spikes hanging from a bar, each tooth's two edges
/// crossing every row of the spike, so those rows have 2 * teeth
/// crossings. Tooth heights vary so that rows near the tips have fewer.
Ring comb(std::mt19937_64 &rng, int teeth, double top, double bottom)
{
    std::uniform_real_distribution<double> tip(top + 2.0, bottom), jitter(-0.2, 0.2);
    Ring ring;
    double x = 1.3;
    ring.push_back(Pt{x, top});
    for (int t = 0; t < teeth; ++t) {
        const double depth = tip(rng);
        ring.push_back(Pt{x + 0.4 + jitter(rng), depth});
        ring.push_back(Pt{x + 1.4 + jitter(rng), depth + jitter(rng)});
        ring.push_back(Pt{x + 2.0, top + 1.0});
        x += 2.0;
    }
    ring.push_back(Pt{x, top - 1.5});
    ring.push_back(Pt{1.3, top - 1.5});
    return ring;
}

std::string mismatch(const Feature &feature, std::int32_t w, std::int32_t h)
{
    FlatScene scene({feature});
    CoverageWorkspace ws;
    std::vector<Span> spans;
    feature_coverage(scene.batch(false), 0, RasterSize{w, h}, 0, h, false, ws, spans);
    PixelGrid got(w, h);
    const std::string contract = paint_spans(spans, 0, h, got);
    if (!contract.empty())
        return contract;
    PixelGrid ref(w, h);
    reference::rasterize(feature, false, false, ref);
    for (std::int32_t y = 0; y < h; ++y)
        for (std::int32_t x = 0; x < w; ++x)
            if (got.hit[ref.index(x, y)] != ref.hit[ref.index(x, y)])
                return "pixel (" + std::to_string(x) + ", " + std::to_string(y) + ")";
    return {};
}

TEST(PolygonRules, RowsOfManyCrossingsMatchReference)
{
    std::mt19937_64 rng(7);
    for (int teeth = 1; teeth <= 30; ++teeth) {
        for (int trial = 0; trial < 4; ++trial) {
            Ring ring = comb(rng, teeth, 3.0, 28.0);
            // Start the ring anywhere and run it either way: the edges, and
            // so each row's crossings, arrive in another order.
            std::rotate(ring.begin(), ring.begin() + static_cast<long>(rng() % ring.size()),
                        ring.end());
            if (trial % 2 == 1)
                std::reverse(ring.begin(), ring.end());
            const std::int32_t w = 2 * teeth + 6;
            ASSERT_EQ(mismatch(Feature{polygon({ring})}, w, 32), "")
                << "teeth " << teeth << " trial " << trial;
        }
    }
}

TEST(PolygonRules, OddCrossingCountsFromNaNEdgesMatchReference)
{
    // A NaN vertex removes its two edges, so rows can hold 1, 3, 5 ...
    // crossings; GDAL drops the last one of an odd row.
    std::mt19937_64 rng(11);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    int odd_cases = 0;
    for (int teeth = 1; teeth <= 20; ++teeth) {
        for (int trial = 0; trial < 3; ++trial) {
            Ring ring = comb(rng, teeth, 2.0, 20.0);
            const std::size_t hole = 1 + rng() % (ring.size() - 2);
            ring[hole].y = nan;
            const std::int32_t w = 2 * teeth + 6;
            ASSERT_EQ(mismatch(Feature{polygon({ring})}, w, 24), "")
                << "teeth " << teeth << " trial " << trial << " NaN at " << hole;
            ++odd_cases;
        }
    }
    EXPECT_EQ(odd_cases, 60);
}

}  // namespace
}  // namespace test
}  // namespace mrast
