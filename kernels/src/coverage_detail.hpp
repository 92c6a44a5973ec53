#pragma once
// Private pieces shared by the coverage rasterizers (polygon_fill.cpp,
// line_bresenham.cpp, line_all_touched.cpp, coverage.cpp). Not installed.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/detail/bit_runs.hpp"
#include "mrast/rules/geometry_views.hpp"
#include "mrast/rules/numeric.hpp"
#include "mrast/span.hpp"

namespace mrast {
namespace detail {

/// A bitmap over a feature's bounding box (clipped to the raster and the
/// band) that a SpanSink can draw into instead of appending spans: for an
/// all-touched polygon, whose ring walk emits hundreds of one-pixel pieces
/// that overlap the centre fill, marking bits and reading the runs back
/// once costs less than listing, sorting and merging the pieces.
struct BoxBitmap {
    std::uint64_t *bits = nullptr;
    std::int32_t x0 = 0, y0 = 0;  // raster column / row of bit 0 of row 0
    std::int32_t x1 = 0, y1 = 0;  // last column / row inside the box
    std::size_t words = 0;        // per row
    bool overflow = false;        // a pixel fell outside: redo without the box

    void set_run(std::int32_t y, std::int32_t a, std::int32_t b) noexcept
    {
        if (y < y0 || y > y1 || a < x0 || b > x1) {
            overflow = true;
            return;
        }
        std::uint64_t *row = bits + static_cast<std::size_t>(y - y0) * words;
        const std::int32_t ra = a - x0, rb = b - x0;
        for (std::int32_t w = ra >> 6; w <= rb >> 6; ++w)
            row[w] |= columns_in_word(w, ra, rb);
    }
};

/// Where one part's pixels go: clips to the raster and to the row band, and
/// folds a pixel into the previous span when it extends it on the same row
/// with the same z. Only the *last* span is ever extended, so the emission
/// order that decides which z wins (GDAL REPLACE: the last burn) is kept.
class SpanSink {
public:
    /// Bresenham may hand over a row's pixels as one run (line_bresenham.hpp).
    static constexpr bool kTakesRowRuns = true;

    SpanSink(std::vector<Span> &spans, RasterSize size, std::int32_t row_begin,
             std::int32_t row_end) noexcept
        : m_spans(spans), m_width(size.width), m_row_begin(row_begin), m_row_end(row_end)
    {
    }

    bool row_in_band(std::int64_t y) const noexcept { return y >= m_row_begin && y < m_row_end; }
    /// True while every span came after the previous one on its row or on
    /// a later row, not touching it: such a list needs no union (tracked
    /// here because a pass over the spans was 7% of a polygon's fill).
    bool sorted_and_disjoint() const noexcept { return m_sorted; }
    std::int32_t width() const noexcept { return m_width; }
    std::int32_t row_begin() const noexcept { return m_row_begin; }
    std::int32_t row_end() const noexcept { return m_row_end; }

    /// From now on, pixels and runs go into `box` (z is then ignored: only
    /// for features of one z).
    void draw_into(BoxBitmap *box) noexcept { m_box = box; }

    /// One pixel; anything outside the raster or the band is dropped.
    void pixel(std::int64_t y, std::int64_t x, double z)
    {
        if (!row_in_band(y) || x < 0 || x >= m_width)
            return;
        const auto yi = static_cast<std::int32_t>(y);
        const auto xi = static_cast<std::int32_t>(x);
        if (m_box != nullptr) {
            m_box->set_run(yi, xi, xi);
            return;
        }
        if (!m_spans.empty()) {
            Span &last = m_spans.back();
            if (last.y == yi && same_z(last.z, z)) {
                if (xi >= last.x0 && xi <= last.x1)
                    return;
                if (xi == last.x1 + 1) {
                    last.x1 = xi;
                    return;
                }
                if (xi + 1 == last.x0) {
                    last.x0 = xi;
                    m_sorted = false;  // may now meet the span before
                    return;
                }
            }
        }
        append(yi, xi, xi, z);
    }

    /// Columns [x0, x1] of row y (inclusive), clipped.
    void run(std::int64_t y, std::int64_t x0, std::int64_t x1, double z)
    {
        if (!row_in_band(y))
            return;
        if (x0 < 0)
            x0 = 0;
        if (x1 >= m_width)
            x1 = m_width - 1;
        if (x0 > x1)
            return;
        if (m_box != nullptr) {
            m_box->set_run(static_cast<std::int32_t>(y), static_cast<std::int32_t>(x0),
                           static_cast<std::int32_t>(x1));
            return;
        }
        append(static_cast<std::int32_t>(y), static_cast<std::int32_t>(x0),
               static_cast<std::int32_t>(x1), z);
    }

    /// Bitwise equality, so that two NaN z (which GDAL would burn the same
    /// way) still merge and -0.0 / 0.0 do not.
    static bool same_z(double a, double b) noexcept
    {
        return a == b ? std::signbit(a) == std::signbit(b) : (std::isnan(a) && std::isnan(b));
    }

private:
    /// push_back of the whole span: emplace_back() and field writes zeroed
    /// each 24-byte span with a `rep stos` first (42% of a polyline's
    /// Bresenham samples; lines 0.253 -> 0.234 s on one thread). An older
    /// compiler built the temporary on the stack and reloaded it (a
    /// store-forwarding stall); this one keeps it in registers.
    void append(std::int32_t y, std::int32_t x0, std::int32_t x1, double z)
    {
        if (!m_spans.empty()) {
            const Span &p = m_spans.back();
            if (y < p.y || (y == p.y && x0 <= p.x1))
                m_sorted = false;
        }
        m_spans.push_back(Span{y, x0, x1, z});
    }

    std::vector<Span> &m_spans;
    std::int32_t m_width;
    std::int32_t m_row_begin;
    std::int32_t m_row_end;
    bool m_sorted = true;
    BoxBitmap *m_box = nullptr;
};

// The views and numeric helpers are host+device code shared with CUDA.
using rules::floor_fast;
using rules::floor_to_i64;
using rules::PolygonView;
using rules::RingView;
using rules::ZSource;

/// GDALdllImageLine on one line string (every segment, Bresenham between
/// floored end points, end point of a segment only burnt on the last one).
void bresenham_line(const RingView &ring, const ZSource &z, RasterSize size, SpanSink &sink);

/// The spans of a feature made only of Line parts, without Z, under the
/// centre rule, in rows [row_begin, row_end) (line_buckets.cpp): disjoint,
/// sorted by (y, x0), as feature_coverage() gives them. False (and `out`
/// untouched) for any other feature.
bool line_feature_spans(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                        std::int32_t row_begin, std::int32_t row_end, CoverageWorkspace &ws,
                        std::vector<Span> &out);

/// Sorts one row's spans by x0: an insertion sort for the usual handful,
/// std::sort past 32.
inline void sort_row_spans(Span *begin, Span *end) noexcept
{
    if (end - begin > 32) {
        std::sort(begin, end, [](const Span &a, const Span &b) { return a.x0 < b.x0; });
        return;
    }
    for (Span *i = begin + 1; i < end; ++i) {
        const Span v = *i;
        Span *j = i;
        for (; j > begin && j[-1].x0 > v.x0; --j)
            *j = j[-1];
        *j = v;
    }
}

/// Appends the union of one row's spans, sorted by x0, to `out`: spans that
/// overlap or touch become one. Each run is copied from the span opening it
/// and its end patched: a Span built from scalars went through the stack,
/// and loading it back whole after narrower stores stalled on store
/// forwarding.
inline void append_row_union(const Span *begin, const Span *end, std::vector<Span> &out)
{
    const Span *open = begin;
    std::int32_t x1 = begin->x1;
    for (const Span *sp = begin + 1; sp < end; ++sp) {
        if (static_cast<std::int64_t>(sp->x0) <= static_cast<std::int64_t>(x1) + 1) {
            x1 = std::max(x1, sp->x1);
            continue;
        }
        out.push_back(*open);
        out.back().x1 = x1;
        open = sp;
        x1 = sp->x1;
    }
    out.push_back(*open);
    out.back().x1 = x1;
}

/// GDALdllImageLineAllTouched on one line string / ring. `intersect_only`
/// is GDAL's bIntersectOnly (true for polygon rings): segments lying within
/// 1e-4 of a grid line are skipped (#7523, #6414).
void all_touched_line(const RingView &ring, const ZSource &z, RasterSize size, bool intersect_only,
                      SpanSink &sink);

/// GDALdllImageFilledPolygon on one polygon (its rings even-odd), rows of
/// the sink's band only. `keys` is scratch.
void fill_polygon(const PolygonView &polygon, double z, RasterSize size, SpanSink &sink,
                  CoverageWorkspace &ws);

}  // namespace detail
}  // namespace mrast
