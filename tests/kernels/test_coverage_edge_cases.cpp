// Hand-computed pixel rules on tiny grids: each expected mask was derived on
// paper from GDAL 3.13's llrasterize.cpp rules (see kernels/README.md,
// "Pixel rules"). '#' = covered.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "coverage_scene.hpp"
#include "mrast/coverage.hpp"

namespace mrast {
namespace test {
namespace {

using Mask = std::vector<std::string>;

std::vector<Span> spans_of(const std::vector<Feature> &features, std::int32_t w, std::int32_t h,
                           bool all_touched, bool with_z, std::size_t feature = 0)
{
    FlatScene scene(features);
    CoverageWorkspace ws;
    std::vector<Span> out;
    feature_coverage(scene.batch(with_z), feature, RasterSize{w, h}, 0, h, all_touched, ws, out);
    return out;
}

TEST(CoverageEdgeCases, VertexOnPixelCenter)
{
    // Diamond with its four vertices on pixel centres. Row 1: crossings
    // 1.5 -> 2 and 3.5 -> 4, so columns [2, 3]: the left boundary centre is
    // out, the right one in. Rows 0 and 4 only touch a vertex: nothing.
    const Feature diamond{polygon({{{2.5, 0.5}, {4.5, 2.5}, {2.5, 4.5}, {0.5, 2.5}, {2.5, 0.5}}})};
    const Mask expected{
        "......",
        "..##..",
        ".####.",
        "..##..",
        "......",
        "......",
    };
    EXPECT_EQ(coverage_mask({diamond}, 6, 6, false), expected);
}

TEST(CoverageEdgeCases, EdgeOnPixelBoundary)
{
    // Edges on grid lines: centre rule gives exactly the 3x3 inside.
    const Feature square{polygon({{{1, 1}, {4, 1}, {4, 4}, {1, 4}, {1, 1}}})};
    const Mask expected{
        "......",
        ".###..",
        ".###..",
        ".###..",
        "......",
        "......",
    };
    EXPECT_EQ(coverage_mask({square}, 6, 6, false), expected);
}

TEST(CoverageEdgeCases, PolygonWithHole)
{
    const Feature f{polygon({{{0, 0}, {6, 0}, {6, 6}, {0, 6}, {0, 0}},
                             {{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}})};
    const Mask expected{
        "######",
        "######",
        "##..##",
        "##..##",
        "######",
        "######",
    };
    EXPECT_EQ(coverage_mask({f}, 6, 6, false), expected);
}

TEST(CoverageEdgeCases, BowTie)
{
    // Self-intersecting ring, even-odd. Row 0 crossings 0, 1, 4, 4: the
    // left lobe's centre on its boundary (x = 0.5) is in, the right lobe's
    // (x = 3.5) is out: "(left crossing, right crossing]".
    const Feature f{polygon({{{0, 0}, {4, 4}, {4, 0}, {0, 4}, {0, 0}}})};
    const Mask expected{
        "#...",
        "##.#",
        "##.#",
        "#...",
    };
    EXPECT_EQ(coverage_mask({f}, 4, 4, false), expected);
}

TEST(CoverageEdgeCases, HorizontalBottomEdge)
{
    // Square with edges on pixel centres, bottom edge (y = 4.5) running
    // right to left: GDAL burns it ("DO NOT skip bottom horizontal
    // segments"), columns floor(1.5 + .5) .. floor(4.5 + .5) - 1.
    const Feature f{polygon({{{1.5, 1.5}, {4.5, 1.5}, {4.5, 4.5}, {1.5, 4.5}, {1.5, 1.5}}})};
    const Mask expected{
        "......",
        "..###.",
        "..###.",
        "..###.",
        "..###.",
        "......",
    };
    EXPECT_EQ(coverage_mask({f}, 6, 6, false), expected);
}

TEST(CoverageEdgeCases, HorizontalTopEdge)
{
    // Same square, opposite orientation: now the top edge runs right to
    // left. Row 1 is in anyway (crossings use [dy1, dy2)); the bottom edge
    // runs left to right, so row 4 stays out. GDAL's result depends on
    // vertex order here, which is why callers pass GDAL's ring order.
    const Feature f{polygon({{{1.5, 1.5}, {1.5, 4.5}, {4.5, 4.5}, {4.5, 1.5}, {1.5, 1.5}}})};
    const Mask expected{
        "......",
        "..###.",
        "..###.",
        "..###.",
        "......",
        "......",
    };
    EXPECT_EQ(coverage_mask({f}, 6, 6, false), expected);
}

TEST(CoverageEdgeCases, PointOnRightBorderIsOutside)
{
    const Feature f{points({{4.0, 1.5}, {3.999, 2.5}, {0.0, 0.0}})};
    const Mask expected{
        "#...",
        "....",
        "...#",
        "....",
    };
    EXPECT_EQ(coverage_mask({f}, 4, 4, false), expected);
    EXPECT_EQ(coverage_mask({f}, 4, 4, true), expected);
}

TEST(CoverageEdgeCases, PointOnBottomBorderIsOutside)
{
    const Feature f{points({{1.5, 4.0}, {2.5, 3.999}, {-0.0, 1.0}, {-1e-12, 2.0}})};
    const Mask expected{
        "....",
        "#...",
        "....",
        "..#.",
    };
    EXPECT_EQ(coverage_mask({f}, 4, 4, false), expected);
}

TEST(CoverageEdgeCases, LineEndpointsAndInteriorVertexOnce)
{
    // Bresenham (0,0)->(3,0) drops its end point (not the last segment);
    // (3,0)->(3,3) burns both ends. The interior vertex pixel gets the z of
    // the second segment's start, as GDAL burns it only there.
    const Feature f{line({{0.5, 0.5, 0.0}, {3.5, 0.5, 10.0}, {3.5, 3.5, 40.0}})};
    const Mask expected{
        "####.",
        "...#.",
        "...#.",
        "...#.",
        ".....",
    };
    EXPECT_EQ(coverage_mask({f}, 5, 5, false), expected);

    const std::vector<Span> spans = spans_of({f}, 5, 5, false, true);
    PixelGrid grid(5, 5);
    ASSERT_EQ(paint_spans(spans, 0, 5, grid), "");
    EXPECT_DOUBLE_EQ(grid.z[grid.index(0, 0)], 0.0);
    EXPECT_DOUBLE_EQ(grid.z[grid.index(1, 0)], 10.0 / 3);
    EXPECT_DOUBLE_EQ(grid.z[grid.index(2, 0)], 10.0 / 3 + 10.0 / 3);
    EXPECT_DOUBLE_EQ(grid.z[grid.index(3, 0)], 10.0);
    EXPECT_DOUBLE_EQ(grid.z[grid.index(3, 1)], 20.0);
    EXPECT_DOUBLE_EQ(grid.z[grid.index(3, 3)], 40.0);

    // The end point of a segment is left to the next one: when GDAL skips
    // that next segment (here outside the int range) the vertex pixel stays
    // unburnt.
    const Feature cut{line({{0.5, 0.5}, {3.5, 0.5}, {1e300, 0.5}})};
    const Mask cut_expected{
        "###..",
        ".....",
        ".....",
        ".....",
        ".....",
    };
    EXPECT_EQ(coverage_mask({cut}, 5, 5, false), cut_expected);
}

TEST(CoverageEdgeCases, AllTouchedSquareOnGridLines)
{
    // Ring edges within 1e-4 of a grid line touch no pixel interior: GDAL
    // skips them (#7523, #6414), so all-touched equals the centre fill.
    const Mask inner{
        "......",
        ".###..",
        ".###..",
        ".###..",
        "......",
        "......",
    };
    const Feature exact{polygon({{{1, 1}, {4, 1}, {4, 4}, {1, 4}, {1, 1}}})};
    EXPECT_EQ(coverage_mask({exact}, 6, 6, true), inner);
    const double e = 5e-5;
    const Feature near{
        polygon({{{1 - e, 1 - e}, {4 + e, 1 - e}, {4 + e, 4 + e}, {1 - e, 4 + e}, {1 - e, 1 - e}}})};
    EXPECT_EQ(coverage_mask({near}, 6, 6, true), inner);

    // 1e-3 outside the grid lines: the edges now run through the outer ring
    // of pixels, which all-touched adds.
    const double f = 1e-3;
    const Feature outside{
        polygon({{{1 - f, 1 - f}, {4 + f, 1 - f}, {4 + f, 4 + f}, {1 - f, 4 + f}, {1 - f, 1 - f}}})};
    const Mask grown{
        "#####.",
        "#####.",
        "#####.",
        "#####.",
        "#####.",
        "......",
    };
    EXPECT_EQ(coverage_mask({outside}, 6, 6, true), grown);
    // ...while the centre rule still gives the 3x3.
    EXPECT_EQ(coverage_mask({outside}, 6, 6, false), inner);
}

TEST(CoverageEdgeCases, AllTouchedLineOnGridLineIsKept)
{
    // For lines bIntersectOnly is false: a line on a grid line burns the
    // pixels below / right of it (floor), up to but excluding the end
    // (the -1e-4 in GDAL's iXEnd).
    const Feature f{line({{1, 2}, {4, 2}})};
    const Mask expected{
        ".....",
        ".....",
        ".###.",
        ".....",
        ".....",
    };
    EXPECT_EQ(coverage_mask({f}, 5, 5, true), expected);
}

TEST(CoverageEdgeCases, MultiPolygonOverlapIsUnion)
{
    // Two polygon parts overlapping on pixel (2, 2): GDAL ADD would fill
    // them as one even-odd set and leave the overlap empty; the union keeps
    // it, once.
    const Feature f{polygon({{{0, 0}, {3, 0}, {3, 3}, {0, 3}, {0, 0}}}),
                    polygon({{{2, 2}, {5, 2}, {5, 5}, {2, 5}, {2, 2}}})};
    const Mask expected{
        "###...",
        "###...",
        "#####.",
        "..###.",
        "..###.",
        "......",
    };
    EXPECT_EQ(coverage_mask({f}, 6, 6, false), expected);
    const std::vector<Span> spans = spans_of({f}, 6, 6, false, false);
    PixelGrid grid(6, 6);
    EXPECT_EQ(paint_spans(spans, 0, 6, grid), "");  // disjoint: each pixel once
}

TEST(CoverageEdgeCases, LaterPartWinsZ)
{
    // Overlapping parts with different Z: the part burnt last wins, as
    // GDAL REPLACE overwrites.
    const Feature f{polygon({{{0, 0, 1.0}, {3, 0}, {3, 3}, {0, 3}, {0, 0}}}),
                    polygon({{{2, 2, 7.0}, {5, 2}, {5, 5}, {2, 5}, {2, 2}}})};
    const std::vector<Span> spans = spans_of({f}, 6, 6, false, true);
    PixelGrid grid(6, 6);
    ASSERT_EQ(paint_spans(spans, 0, 6, grid), "");
    EXPECT_EQ(grid.z[grid.index(1, 1)], 1.0);
    EXPECT_EQ(grid.z[grid.index(2, 2)], 7.0);
    EXPECT_EQ(grid.z[grid.index(2, 1)], 1.0);
}

TEST(CoverageEdgeCases, DegenerateAndEmptyInput)
{
    const std::vector<Feature> features{
        {},                                                        // no part
        {Part{PartKind::Polygon, {}}},                             // no ring
        {polygon({{}})},                                           // empty ring
        {polygon({{{1.5, 1.5}}})},                                 // one vertex
        {polygon({{{2, 2}, {2, 2}, {2, 2}, {2, 2}}})},              // one point
        {line({{1.5, 1.5}})},                                      // one vertex
        {line({})},
        {points({})},
        {Part{PartKind::Line, {}}},
    };
    FlatScene scene(features);
    CoverageWorkspace ws;
    std::vector<Span> out{Span{0, 0, 0, 0.0}};
    for (bool all_touched : {false, true}) {
        for (std::size_t f = 0; f < features.size(); ++f) {
            feature_coverage(scene.batch(false), f, RasterSize{5, 5}, 0, 5, all_touched, ws, out);
            EXPECT_TRUE(out.empty()) << "feature " << f << " all_touched " << all_touched;
        }
    }
    // Zero-area rings have no pixel centre inside. (All-touched still burns
    // the pixels their edges cross, as GDAL does.)
    const std::vector<Feature> flat{
        {polygon({{{0.5, 0.5}, {2.5, 2.5}, {3.5, 3.5}, {0.5, 0.5}}})},  // collinear
        {polygon({{{1.5, 0.5}, {1.5, 3.5}, {1.5, 0.5}}})},              // vertical
        {polygon({{{0.2, 1.2}, {3.7, 1.2}, {0.2, 1.2}}})},              // horizontal, off centre
    };
    FlatScene flat_scene(flat);
    for (std::size_t f = 0; f < flat.size(); ++f) {
        feature_coverage(flat_scene.batch(false), f, RasterSize{5, 5}, 0, 5, false, ws, out);
        EXPECT_TRUE(out.empty()) << "zero-area feature " << f;
    }

    // Out-of-range feature index and empty raster / band.
    feature_coverage(scene.batch(false), features.size(), RasterSize{5, 5}, 0, 5, false, ws, out);
    EXPECT_TRUE(out.empty());
    const Feature square{polygon({{{0, 0}, {5, 0}, {5, 5}, {0, 5}, {0, 0}}})};
    FlatScene one({square});
    feature_coverage(one.batch(false), 0, RasterSize{0, 5}, 0, 5, false, ws, out);
    EXPECT_TRUE(out.empty());
    feature_coverage(one.batch(false), 0, RasterSize{5, 5}, 3, 3, false, ws, out);
    EXPECT_TRUE(out.empty());
    feature_coverage(one.batch(false), 0, RasterSize{5, 5}, 7, 9, false, ws, out);
    EXPECT_TRUE(out.empty());
}

TEST(CoverageEdgeCases, NonFiniteAndHugeCoordinatesStayInBounds)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const double big = 1e300;
    const std::vector<Feature> features{
        {polygon({{{nan, 1}, {3, 1}, {3, 3}, {1, 3}, {nan, 1}}})},
        {polygon({{{1, nan}, {3, 1}, {3, 3}, {1, 3}, {1, nan}}})},
        {polygon({{{-inf, 1}, {inf, 1}, {inf, 3}, {-inf, 3}, {-inf, 1}}})},
        {polygon({{{0, -inf}, {3, inf}, {5, -inf}, {0, -inf}}})},
        {polygon({{{-big, -big}, {big, -big}, {big, big}, {-big, big}, {-big, -big}}})},
        {polygon({{{-big, 2.5}, {big, 2.5}, {0, 4}, {big, 2.5}, {-big, 2.5}}})},
        {line({{-big, 1}, {big, 3}, {nan, nan}, {2, 2}, {inf, 2}, {3, -inf}})},
        {line({{-3e9, 1.5}, {3e9, 2.5}})},
        {line({{-2.1e9, 0.5}, {2.1e9, 4.5}})},    // inside the int range, very long
        {line({{2.5, -1e8}, {2.52, 1e8}})},  // steep: GDAL would step ~1e8 times
        {line({{2.5, -2e9}, {2.52, 2e9}})},  // steeper still, y near the int limits
        {points({{nan, 1}, {1, nan}, {inf, 1}, {1, -inf}, {big, big}, {2.5, 2.5}})},
    };
    FlatScene scene(features);
    CoverageWorkspace ws;
    std::vector<Span> out;
    for (bool with_z : {false, true}) {
        for (bool all_touched : {false, true}) {
            for (std::size_t f = 0; f < features.size(); ++f) {
                // With Z, Bresenham walks every step of these 1e8..4e9-pixel
                // segments (exact z needs GDAL's repeated additions; GDAL
                // walks them too): without Z the walk skips to the raster.
                if (f >= 8 && f <= 10 && with_z && !all_touched)
                    continue;
                feature_coverage(scene.batch(with_z), f, RasterSize{5, 5}, 0, 5, all_touched, ws,
                                 out);
                PixelGrid grid(5, 5);
                EXPECT_EQ(paint_spans(out, 0, 5, grid), "") << "feature " << f;
                std::int32_t first = 0, last = 0;
                feature_row_range(scene.batch(with_z), f, all_touched, first, last);
                for (const Span &s : out) {
                    EXPECT_GE(s.y, first) << "feature " << f;
                    EXPECT_LE(s.y, last) << "feature " << f;
                }
            }
        }
    }
    // A strip 1e300 wide covers rows 1 and 2 entirely (crossings clamped to
    // the int range). With infinite x, inf - inf makes GDAL's intersection
    // NaN, which x86 casts to INT_MIN: both crossings coincide, nothing.
    const Mask strip{
        ".....",
        "#####",
        "#####",
        ".....",
        ".....",
    };
    const Feature wide{polygon({{{-big, 1}, {big, 1}, {big, 3}, {-big, 3}, {-big, 1}}})};
    EXPECT_EQ(coverage_mask({wide}, 5, 5, false), strip);
    EXPECT_EQ(coverage_mask({features[2]}, 5, 5, false), Mask(5, "....."));
}

TEST(CoverageEdgeCases, RowBandsConcatenateToWholeRaster)
{
    const Feature f{polygon({{{0.3, 0.2}, {9.7, 1.1}, {6.2, 9.9}, {0.1, 7.4}, {0.3, 0.2}},
                             {{3, 3}, {5, 3.5}, {4, 6}, {3, 3}}}),
                    line({{0.5, 9.5}, {9.5, 0.5}}), points({{8.5, 8.5}})};
    FlatScene scene({f});
    CoverageWorkspace ws;
    for (bool all_touched : {false, true}) {
        std::vector<Span> whole, band, joined;
        feature_coverage(scene.batch(true), 0, RasterSize{10, 10}, 0, 10, all_touched, ws, whole);
        for (std::int32_t r = 0; r < 10; r += 3) {
            feature_coverage(scene.batch(true), 0, RasterSize{10, 10}, r, r + 3, all_touched, ws,
                             band);
            for (const Span &s : band) {
                EXPECT_GE(s.y, r);
                EXPECT_LT(s.y, r + 3);
            }
            joined.insert(joined.end(), band.begin(), band.end());
        }
        PixelGrid a(10, 10), b(10, 10);
        ASSERT_EQ(paint_spans(whole, 0, 10, a), "");
        ASSERT_EQ(paint_spans(joined, 0, 10, b), "");
        EXPECT_EQ(a.mask(), b.mask());
        EXPECT_EQ(a.z, b.z);
    }
}

TEST(CoverageEdgeCases, FeatureRowRangeIsConservative)
{
    const Feature f{polygon({{{1, 2.5}, {4, 2.5}, {4, 6.2}, {1, 2.5}}})};
    FlatScene scene({f});
    std::int32_t first = 0, last = 0;
    feature_row_range(scene.batch(false), 0, false, first, last);
    EXPECT_LE(first, 2);
    EXPECT_GE(last, 6);
    const Feature empty{};
    FlatScene none({empty});
    feature_row_range(none.batch(false), 0, true, first, last);
    EXPECT_LT(last, first);
}

}  // namespace
}  // namespace test
}  // namespace mrast
