// feature_coverage against the slow per-pixel reference
// (tests/support/reference_rasterizer.hpp) on seeded random scenes: star
// polygons with holes, rectangles on pixel centres / grid lines, polylines,
// points, multi-part features, partly off the raster; with and without Z,
// centre rule and all-touched, whole raster and random row bands.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "coverage_scene.hpp"
#include "mrast/coverage.hpp"
#include "reference_rasterizer.hpp"

namespace mrast {
namespace test {
namespace {

class SceneGenerator {
public:
    explicit SceneGenerator(std::uint64_t seed) : m_rng(seed) {}

    double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(m_rng); }
    int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    bool chance(double p) { return uniform(0.0, 1.0) < p; }

    /// Sometimes snapped onto pixel centres / grid lines, or 5e-5 off a grid
    /// line (inside GDAL's 1e-4 all-touched tolerance).
    double snap(double v)
    {
        const double r = uniform(0.0, 1.0);
        if (r < 0.25)
            return std::round(v * 2.0) / 2.0;
        if (r < 0.32)
            return std::round(v) + (chance(0.5) ? 5e-5 : -5e-5);
        return v;
    }

    Pt point(double w, double h)
    {
        return Pt{snap(uniform(-0.25 * w, 1.25 * w)), snap(uniform(-0.25 * h, 1.25 * h)),
                  std::round(uniform(-100, 100) * 8.0) / 8.0};
    }

    Ring star(double cx, double cy, double radius, bool closed)
    {
        const int n = integer(3, 12);
        std::vector<double> angles;
        for (int i = 0; i < n; ++i)
            angles.push_back(uniform(0.0, 6.283185307179586));
        std::sort(angles.begin(), angles.end());
        if (chance(0.5))
            std::reverse(angles.begin(), angles.end());
        Ring ring;
        for (double a : angles) {
            const double r = uniform(0.3, 1.0) * radius;
            ring.push_back(Pt{snap(cx + r * std::cos(a)), snap(cy + r * std::sin(a)), uniform(-50, 50)});
        }
        if (closed)
            ring.push_back(ring.front());
        return ring;
    }

    Part random_polygon(double w, double h)
    {
        const bool closed = chance(0.85);
        if (chance(0.25)) {
            // Axis-aligned rectangle on halves: horizontal edges on centre
            // lines and vertical ones on grid lines.
            const double x0 = std::round(uniform(-2, w) * 2) / 2;
            const double y0 = std::round(uniform(-2, h) * 2) / 2;
            const double x1 = x0 + std::round(uniform(0.5, w / 2) * 2) / 2;
            const double y1 = y0 + std::round(uniform(0.5, h / 2) * 2) / 2;
            Ring r{{x0, y0, 3}, {x1, y0, 4}, {x1, y1, 5}, {x0, y1, 6}};
            if (chance(0.5))
                std::reverse(r.begin(), r.end());
            if (closed)
                r.push_back(r.front());
            return polygon({r});
        }
        const double cx = uniform(-0.1 * w, 1.1 * w);
        const double cy = uniform(-0.1 * h, 1.1 * h);
        const double radius = uniform(1.0, 0.7 * std::max(w, h));
        std::vector<Ring> rings{star(cx, cy, radius, closed)};
        const int holes = integer(0, 2);
        for (int i = 0; i < holes; ++i)
            rings.push_back(star(cx + uniform(-1, 1), cy + uniform(-1, 1), radius * 0.3, closed));
        return polygon(rings);
    }

    Part random_line(double w, double h)
    {
        const int n = integer(2, 8);
        Ring r{point(w, h)};
        for (int i = 1; i < n; ++i) {
            Pt p = chance(0.3) ? point(w, h)
                               : Pt{snap(r.back().x + uniform(-6, 6)), snap(r.back().y + uniform(-6, 6)),
                                    uniform(-100, 100)};
            if (chance(0.1))
                p.x = r.back().x + uniform(-0.009, 0.009);  // GDAL's vertical case
            if (chance(0.1))
                p.y = r.back().y + uniform(-0.009, 0.009);  // GDAL's horizontal case
            r.push_back(p);
        }
        return line(r);
    }

    Part random_points(double w, double h)
    {
        const int n = integer(1, 6);
        Ring r;
        for (int i = 0; i < n; ++i) {
            Pt p = point(w, h);
            if (chance(0.2))
                p.x = chance(0.5) ? w : 0.0;  // on the left / right border line
            if (chance(0.2))
                p.y = chance(0.5) ? h : 0.0;
            r.push_back(p);
        }
        return points(r);
    }

    Feature feature(double w, double h)
    {
        Feature f;
        const int parts = integer(1, 3);
        for (int i = 0; i < parts; ++i) {
            const int kind = integer(0, 5);
            if (kind <= 2)
                f.push_back(random_polygon(w, h));
            else if (kind <= 4)
                f.push_back(random_line(w, h));
            else
                f.push_back(random_points(w, h));
        }
        return f;
    }

private:
    std::mt19937_64 m_rng;
};

std::string describe(const Feature &f)
{
    std::string s;
    for (const Part &p : f) {
        s += p.kind == PartKind::Polygon ? "POLYGON(" : p.kind == PartKind::Line ? "LINE(" : "POINTS(";
        for (const Ring &r : p.rings) {
            s += "(";
            for (const Pt &v : r)
                s += std::to_string(v.x) + " " + std::to_string(v.y) + ",";
            s += ")";
        }
        s += ") ";
    }
    return s;
}

/// Compares kernel and reference; returns "" when equal.
std::string compare(const PixelGrid &kernel, const PixelGrid &ref, bool with_z)
{
    for (std::int32_t y = 0; y < ref.height; ++y)
        for (std::int32_t x = 0; x < ref.width; ++x) {
            const std::size_t i = ref.index(x, y);
            if (kernel.hit[i] != ref.hit[i])
                return "pixel (" + std::to_string(x) + ", " + std::to_string(y) + ") kernel " +
                       std::to_string(kernel.hit[i]) + " reference " + std::to_string(ref.hit[i]);
            if (with_z && ref.hit[i] && kernel.z[i] != ref.z[i])
                return "z at (" + std::to_string(x) + ", " + std::to_string(y) + ") kernel " +
                       std::to_string(kernel.z[i]) + " reference " + std::to_string(ref.z[i]);
        }
    return {};
}

TEST(CoverageReference, RandomScenesMatchReference)
{
    int scenes = 0;
    CoverageWorkspace ws;  // reused across scenes, as the burners do
    std::vector<Span> spans;
    for (std::uint64_t seed = 1; seed <= 600; ++seed) {
        SceneGenerator gen(seed);
        const std::int32_t w = gen.integer(4, 40);
        const std::int32_t h = gen.integer(4, 40);
        const Feature feature = gen.feature(w, h);
        FlatScene scene({feature});
        for (bool all_touched : {false, true}) {
            for (bool with_z : {false, true}) {
                PixelGrid ref(w, h);
                reference::rasterize(feature, all_touched, with_z, ref);

                feature_coverage(scene.batch(with_z), 0, RasterSize{w, h}, 0, h, all_touched, ws,
                                 spans);
                PixelGrid got(w, h);
                const std::string contract = paint_spans(spans, 0, h, got);
                ASSERT_EQ(contract, "") << "seed " << seed << " " << describe(feature);
                ASSERT_EQ(compare(got, ref, with_z), "")
                    << "seed " << seed << " all_touched " << all_touched << " z " << with_z
                    << " size " << w << "x" << h << "\n" << describe(feature);

                // Row range is conservative.
                std::int32_t first = 0, last = 0;
                feature_row_range(scene.batch(with_z), 0, all_touched, first, last);
                for (const Span &s : spans)
                    ASSERT_TRUE(s.y >= first && s.y <= last) << "seed " << seed;

                // Random row bands concatenate to the whole raster.
                PixelGrid banded(w, h);
                std::int32_t r = 0;
                while (r < h) {
                    const std::int32_t end = std::min(h, r + gen.integer(1, 9));
                    feature_coverage(scene.batch(with_z), 0, RasterSize{w, h}, r, end, all_touched,
                                     ws, spans);
                    ASSERT_EQ(paint_spans(spans, r, end, banded), "") << "seed " << seed;
                    r = end;
                }
                ASSERT_EQ(compare(banded, ref, with_z), "")
                    << "banded, seed " << seed << " all_touched " << all_touched << "\n"
                    << describe(feature);
            }
        }
        ++scenes;
    }
    EXPECT_EQ(scenes, 600);
}

TEST(CoverageReference, LargePolygonIsEdgeDriven)
{
    // A 1M-vertex circle over 10k rows: GDAL's row x vertex loop would do
    // 10^10 edge tests; the edge-driven fill keeps only the edges that
    // cross a row centre (two per row here; the rest lie between two
    // centres) and buckets their crossings by row. Its workspace shows it:
    // no wall clock needed.
    const int n = 1000000;
    Ring ring;
    ring.reserve(n + 1);
    for (int i = 0; i < n; ++i) {
        const double a = 6.283185307179586 * i / n;
        ring.push_back(Pt{5000.0 + 4999.0 * std::cos(a), 5000.0 + 4999.0 * std::sin(a)});
    }
    ring.push_back(ring.front());
    FlatScene scene({Feature{polygon({ring})}});
    CoverageWorkspace ws;
    std::vector<Span> spans;
    feature_coverage(scene.batch(false), 0, RasterSize{10000, 10000}, 0, 10000, false, ws, spans);
    EXPECT_EQ(spans.size(), 9998u);  // rows 1 .. 9998, one run each
    EXPECT_EQ(ws.cells.size(), 2u * 9998u);
    EXPECT_LE(ws.edges.size(), 2u * 9998u + 4u);
}

}  // namespace
}  // namespace test
}  // namespace mrast
