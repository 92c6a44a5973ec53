#pragma once
// A slow, obviously-correct reference for feature_coverage: it paints a full
// W x H grid in GDAL's burn order (last write wins, as GDAL REPLACE), and
// decides each pixel from the rules directly rather than through spans:
//  - polygons: for each pixel, the GDAL crossings of its row are recomputed
//    edge by edge and counted (inside iff an odd number lie at or left of
//    the column), plus GDAL's horizontal-edge rule;
//  - Bresenham lines: pixel k of a segment from the closed form of
//    Bresenham's error term, m_k = floor((2 minor k + major - 1) / (2 major)),
//    instead of the incremental loop;
//  - all-touched: GDALdllImageLineAllTouched's stepping written out plainly
//    (no band shortcut, no stall guard: scenes keep coordinates moderate).
// Coordinates are in pixel space, whole raster (no row band).

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "coverage_scene.hpp"

namespace mrast {
namespace test {
namespace reference {

inline bool int_range(double v) { return v >= INT_MIN && v <= INT_MAX; }

inline bool skip_segment(double x0, double y0, double x1, double y1, double w, double h)
{
    if ((y0 < 0.0 && y1 < 0.0) || (y0 > h && y1 > h) || (x0 < 0.0 && x1 < 0.0) ||
        (x0 > w && x1 > w))
        return true;
    return !(int_range(x0) && int_range(y0) && int_range(x1) && int_range(y1));
}

inline void points(const Ring &ring, bool with_z, PixelGrid &grid)
{
    for (const Pt &p : ring)
        if (0 <= p.x && p.x < grid.width && 0 <= p.y && p.y < grid.height)
            grid.paint(static_cast<std::int64_t>(p.x), static_cast<std::int64_t>(p.y),
                       with_z ? p.z : 0.0);
}

inline void bresenham(const Ring &ring, bool with_z, PixelGrid &grid)
{
    const std::size_t n = ring.size();
    for (std::size_t j = 1; j < n; ++j) {
        const Pt &a = ring[j - 1];
        const Pt &b = ring[j];
        if (skip_segment(a.x, a.y, b.x, b.y, grid.width, grid.height))
            continue;
        const auto ix0 = static_cast<std::int64_t>(std::floor(a.x));
        const auto iy0 = static_cast<std::int64_t>(std::floor(a.y));
        const auto ix1 = static_cast<std::int64_t>(std::floor(b.x));
        const auto iy1 = static_cast<std::int64_t>(std::floor(b.y));
        const std::int64_t dx = std::llabs(ix1 - ix0);
        const std::int64_t dy = std::llabs(iy1 - iy0);
        const std::int64_t sx = ix0 > ix1 ? -1 : 1;
        const std::int64_t sy = iy0 > iy1 ? -1 : 1;
        const bool x_major = dx >= dy;
        const std::int64_t major = x_major ? dx : dy;
        const std::int64_t minor = x_major ? dy : dx;
        const std::int64_t count = j == n - 1 ? major + 1 : major;
        double v = with_z ? a.z : 0.0;
        const double v_end = with_z ? b.z : 0.0;
        const double dv = major == 0 ? 0.0 : (v_end - v) / static_cast<double>(major);
        for (std::int64_t k = 0; k < count; ++k) {
            const std::int64_t m = major == 0 ? 0 : (2 * minor * k + major - 1) / (2 * major);
            const std::int64_t px = x_major ? ix0 + sx * k : ix0 + sx * m;
            const std::int64_t py = x_major ? iy0 + sy * m : iy0 + sy * k;
            grid.paint(px, py, v);
            v += dv;
        }
    }
}

/// GDALdllImageLineAllTouched for one part, REPLACE mode (every burn).
/// `constant_z`: polygon rings burn their first vertex's Z (GDAL reverts
/// the variants), NaN meaning "use per-vertex Z".
inline void all_touched(const Ring &ring, bool with_z, bool intersect_only, PixelGrid &grid,
                        bool use_constant = false, double constant_z = 0.0)
{
    const double eps = 1e-4;
    const double w = grid.width;
    const double h = grid.height;
    auto zv = [&](const Pt &p) { return !with_z ? 0.0 : (use_constant ? constant_z : p.z); };
    for (std::size_t j = 1; j < ring.size(); ++j) {
        double x = ring[j - 1].x, y = ring[j - 1].y, xe = ring[j].x, ye = ring[j].y;
        if (skip_segment(x, y, xe, ye, w, h))
            continue;
        double v = zv(ring[j - 1]), ve = zv(ring[j]);
        if (x > xe) {
            std::swap(x, xe);
            std::swap(y, ye);
            std::swap(v, ve);
        }
        if (std::fabs(x - xe) < .01) {
            if (intersect_only && std::abs(x - std::round(x)) < eps &&
                std::abs(xe - std::round(xe)) < eps)
                continue;
            if (ye < y) {
                std::swap(y, ye);
                std::swap(v, ve);
            }
            const int ix = static_cast<int>(std::floor(xe));
            int iy = static_cast<int>(std::floor(y));
            int iye = static_cast<int>(std::floor(ye - eps));
            if (ix < 0 || ix >= grid.width)
                continue;
            double dv = 0.0;
            if (ye - y > 0.0)
                dv = (ve - v) / (ye - y);
            iy = std::max(iy, 0);
            iye = std::min(iye, grid.height - 1);
            v += dv * (iy - y);
            for (; iy <= iye; ++iy, v += dv)
                grid.paint(ix, iy, with_z ? v : 0.0);
            continue;
        }
        const double dv = (ve - v) / (xe - x);
        if (std::fabs(y - ye) < .01) {
            if (intersect_only && std::abs(y - std::round(y)) < eps &&
                std::abs(ye - std::round(ye)) < eps)
                continue;
            int ix = static_cast<int>(std::floor(x));
            const int iy = static_cast<int>(std::floor(y));
            int ixe = static_cast<int>(std::floor(xe - eps));
            if (iy < 0 || iy >= grid.height)
                continue;
            ix = std::max(ix, 0);
            ixe = std::min(ixe, grid.width - 1);
            v += dv * (ix - x);
            for (; ix <= ixe; ++ix, v += dv)
                grid.paint(ix, iy, with_z ? v : 0.0);
            continue;
        }
        const double slope = (ye - y) / (xe - x);
        if (xe > w) {
            ye -= (xe - w) * slope;
            xe = w;
        }
        if (x < 0.0) {
            y += (0.0 - x) * slope;
            v += dv * (0.0 - x);
            x = 0.0;
        }
        if (ye > y) {
            if (y < 0.0) {
                const double d = (0.0 - y) / slope;
                x += d;
                v += dv * d;
                y = 0.0;
            }
            if (ye >= h) {
                xe += (ye - h) / slope;
                if (xe > w)
                    xe = w;
            }
        } else {
            if (y >= h) {
                const double d = (h - y) / slope;
                x += d;
                v += dv * d;
                y = h;
            }
            if (ye < 0.0)
                xe -= (ye - 0) / slope;
        }
        while (x >= 0.0 && x < xe) {
            const int ix = static_cast<int>(std::floor(x));
            const int iy = static_cast<int>(std::floor(y));
            if (iy >= 0 && iy < grid.height)
                grid.paint(ix, iy, v);
            double sx = std::floor(x + 1.0) - x;
            double sy = sx * slope;
            if (static_cast<int>(std::floor(y + sy)) == iy) {
                x += sx;
                y += sy;
                v += dv * sx;
            } else if (slope < 0) {
                sy = iy - y;
                if (sy > -0.000000001)
                    sy = -0.000000001;
                sx = sy / slope;
                x += sx;
                y += sy;
                v += dv * sx;
            } else {
                sy = (iy + 1) - y;
                if (sy < 0.000000001)
                    sy = 0.000000001;
                sx = sy / slope;
                x += sx;
                y += sy;
                v += dv * sx;
            }
        }
    }
}

/// GDAL's crossing of one edge with the scanline at dy, or false.
inline bool crossing(double xa, double ya, double xb, double yb, double dy, std::int64_t &out)
{
    double dy1 = ya, dy2 = yb, dx1 = xa, dx2 = xb;
    if (dy1 > dy2) {
        std::swap(dy1, dy2);
        std::swap(dx1, dx2);
    }
    if (!(dy >= dy1 && dy < dy2))
        return false;
    const double inter =
        std::clamp<double>((dy - dy1) * (dx2 - dx1) / (dy2 - dy1) + dx1, INT_MIN, INT_MAX);
    const double r = std::floor(inter + 0.5);
    out = std::isnan(r) ? INT_MIN : static_cast<std::int64_t>(r);
    return true;
}

/// Is pixel (x, y) inside by the centre rule? Independent per pixel.
inline bool polygon_contains(const Part &part, std::int64_t x, std::int64_t y, std::int32_t width)
{
    const double dy = static_cast<double>(y) + 0.5;
    std::vector<std::int64_t> cs;
    bool horizontal_hit = false;
    for (const Ring &ring : part.rings) {
        const std::size_t n = ring.size();
        for (std::size_t i = 0; i < n; ++i) {
            const Pt &a = ring[i == 0 ? n - 1 : i - 1];
            const Pt &b = ring[i];
            if (std::isnan(a.x) || std::isnan(a.y) || std::isnan(b.x) || std::isnan(b.y))
                continue;
            if (a.y == b.y) {
                // Bottom horizontal edge (running right to left) on the
                // scanline burns the columns between its rounded ends.
                if (a.y == dy && a.x > b.x) {
                    const double lo = std::floor(b.x + 0.5);
                    const double hi = std::min<double>(std::floor(a.x + 0.5), width);
                    if (lo <= static_cast<double>(x) && static_cast<double>(x) < hi)
                        horizontal_hit = true;
                }
                continue;
            }
            std::int64_t c = 0;
            if (crossing(a.x, a.y, b.x, b.y, dy, c))
                cs.push_back(c);
        }
    }
    if (horizontal_hit)
        return true;
    std::sort(cs.begin(), cs.end());
    if (cs.size() % 2 == 1)
        cs.pop_back();  // GDAL pairs crossings; an odd last one is unused
    std::size_t left = 0;
    for (std::int64_t c : cs)
        if (c <= x)
            ++left;
    return left % 2 == 1;
}

/// The whole feature, parts in order, into `grid` (last write wins).
inline void rasterize(const Feature &feature, bool all_touched_mode, bool with_z, PixelGrid &grid)
{
    for (const Part &part : feature) {
        switch (part.kind) {
        case PartKind::Points:
            for (const Ring &r : part.rings)
                points(r, with_z, grid);
            break;
        case PartKind::Line:
            for (const Ring &r : part.rings) {
                if (all_touched_mode)
                    all_touched(r, with_z, false, grid);
                else
                    bresenham(r, with_z, grid);
            }
            break;
        case PartKind::Polygon: {
            const Pt *first = nullptr;
            for (const Ring &r : part.rings)
                if (!r.empty() && first == nullptr)
                    first = &r.front();
            if (first == nullptr)
                break;
            const double z = with_z ? first->z : 0.0;
            if (all_touched_mode)
                for (const Ring &r : part.rings)
                    all_touched(r, with_z, true, grid, true, z);
            for (std::int64_t y = 0; y < grid.height; ++y)
                for (std::int64_t x = 0; x < grid.width; ++x)
                    if (polygon_contains(part, x, y, grid.width))
                        grid.paint(x, y, z);
            break;
        }
        }
    }
}

}  // namespace reference
}  // namespace test
}  // namespace mrast
