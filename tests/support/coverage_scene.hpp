#pragma once
// Test helpers: structured features (parts of rings of points) flattened into
// a GeometryBatch, and span lists turned into masks / per-pixel grids.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/geometry.hpp"
#include "mrast/span.hpp"

namespace mrast {
namespace test {

struct Pt {
    double x;
    double y;
    double z = 0.0;
};

using Ring = std::vector<Pt>;

struct Part {
    PartKind kind;
    std::vector<Ring> rings;
};

using Feature = std::vector<Part>;

inline Part polygon(std::vector<Ring> rings) { return Part{PartKind::Polygon, std::move(rings)}; }
inline Part line(Ring ring) { return Part{PartKind::Line, {std::move(ring)}}; }
inline Part points(Ring ring) { return Part{PartKind::Points, {std::move(ring)}}; }

/// Owns the flat arrays a GeometryBatch points into.
class FlatScene {
public:
    explicit FlatScene(const std::vector<Feature> &features)
    {
        m_feature_parts.push_back(0);
        m_part_rings.push_back(0);
        m_ring_vertices.push_back(0);
        for (const Feature &f : features) {
            for (const Part &p : f) {
                m_kinds.push_back(p.kind);
                for (const Ring &r : p.rings) {
                    for (const Pt &v : r) {
                        m_x.push_back(v.x);
                        m_y.push_back(v.y);
                        m_z.push_back(v.z);
                    }
                    m_ring_vertices.push_back(m_x.size());
                }
                m_part_rings.push_back(m_ring_vertices.size() - 1);
            }
            m_feature_parts.push_back(m_kinds.size());
            m_burn.push_back(1.0);
        }
        m_count = features.size();
    }

    GeometryBatch batch(bool with_z) const
    {
        GeometryBatch b;
        b.feature_count = m_count;
        b.feature_part_offsets = m_feature_parts.data();
        b.part_kind = m_kinds.data();
        b.part_ring_offsets = m_part_rings.data();
        b.ring_vertex_offsets = m_ring_vertices.data();
        b.x = m_x.data();
        b.y = m_y.data();
        b.z = with_z ? m_z.data() : nullptr;
        b.burn = m_burn.data();
        b.band_count = 1;
        return b;
    }

private:
    std::size_t m_count = 0;
    std::vector<std::size_t> m_feature_parts;
    std::vector<PartKind> m_kinds;
    std::vector<std::size_t> m_part_rings;
    std::vector<std::size_t> m_ring_vertices;
    std::vector<double> m_x, m_y, m_z, m_burn;
};

/// Per-pixel result: covered or not, and the z it carries.
struct PixelGrid {
    std::int32_t width = 0;
    std::int32_t height = 0;
    std::vector<char> hit;
    std::vector<double> z;

    PixelGrid(std::int32_t w, std::int32_t h)
        : width(w), height(h), hit(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0),
          z(hit.size(), 0.0)
    {
    }
    std::size_t index(std::int64_t x, std::int64_t y) const
    {
        return static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
               static_cast<std::size_t>(x);
    }
    bool inside(std::int64_t x, std::int64_t y) const
    {
        return x >= 0 && x < width && y >= 0 && y < height;
    }
    /// Last write wins, as GDAL REPLACE.
    void paint(std::int64_t x, std::int64_t y, double value)
    {
        if (!inside(x, y))
            return;
        hit[index(x, y)] = 1;
        z[index(x, y)] = value;
    }
    std::vector<std::string> mask() const
    {
        std::vector<std::string> rows;
        for (std::int32_t y = 0; y < height; ++y) {
            std::string row;
            for (std::int32_t x = 0; x < width; ++x)
                row += hit[index(x, y)] ? '#' : '.';
            rows.push_back(row);
        }
        return rows;
    }
};

/// Checks the span contract (sorted by (y, x0), disjoint, inside the raster
/// and the band) and paints the spans. Returns an error text, empty if fine.
inline std::string paint_spans(const std::vector<Span> &spans, std::int32_t row_begin,
                               std::int32_t row_end, PixelGrid &grid)
{
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const Span &s = spans[i];
        if (s.x0 > s.x1)
            return "span with x0 > x1 at index " + std::to_string(i);
        if (s.x0 < 0 || s.x1 >= grid.width || s.y < 0 || s.y >= grid.height)
            return "span outside the raster at index " + std::to_string(i);
        if (s.y < row_begin || s.y >= row_end)
            return "span outside the band at index " + std::to_string(i);
        if (i > 0) {
            const Span &p = spans[i - 1];
            if (p.y > s.y || (p.y == s.y && p.x1 >= s.x0))
                return "spans unsorted or overlapping at index " + std::to_string(i);
        }
        for (std::int32_t x = s.x0; x <= s.x1; ++x)
            grid.paint(x, s.y, s.z);
    }
    return {};
}

inline std::vector<std::string> coverage_mask(const std::vector<Feature> &features,
                                              std::int32_t w, std::int32_t h,
                                              bool all_touched, std::size_t feature = 0)
{
    FlatScene scene(features);
    CoverageWorkspace ws;
    std::vector<Span> spans;
    feature_coverage(scene.batch(false), feature, RasterSize{w, h}, 0, h, all_touched, ws, spans);
    PixelGrid grid(w, h);
    const std::string error = paint_spans(spans, 0, h, grid);
    if (!error.empty())
        return {error};
    return grid.mask();
}

}  // namespace test
}  // namespace mrast
