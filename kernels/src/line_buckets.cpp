// Lines without Z under the centre rule: spans straight into row buckets.
//
// A Bresenham walk moves one row at a time and hands an x-major row over as
// one run, so each segment gives at most one span per row, on the rows
// between its floored end points. Counting the segments over each row
// sizes every row's bucket before the walk; the walk then drops each span
// into its row, and the union is a sort of each row's few spans. The
// general path (a list of raw spans, then a pass to find the rows, one to
// count, one to scatter and one to merge) was a third of a polyline
// batch's time.

#include <algorithm>
#include <cstdint>

#include "coverage_detail.hpp"
#include "mrast/rules/line_bresenham.hpp"

namespace mrast {
namespace detail {

namespace {

/// The Bresenham sink of line_feature_spans: a span of row y goes to the
/// next free place of that row's bucket (cursor[y - first_row], which must
/// stay below limit[y - first_row], the next row's start); pixels and runs
/// are clipped to the raster and the rows as SpanSink clips them.
class RowBucketSink {
public:
    static constexpr bool kTakesRowRuns = true;

    RowBucketSink(Span *spans, std::size_t *cursor, const std::size_t *limit, std::int32_t first_row,
                  std::int32_t width, std::int32_t row_begin, std::int32_t row_end) noexcept
        : m_spans(spans), m_cursor(cursor), m_limit(limit), m_first_row(first_row), m_width(width),
          m_row_begin(row_begin), m_row_end(row_end)
    {
    }

    /// A span found its bucket full: the row counts were wrong, and the
    /// caller goes the general way instead (never seen; a guard, not a path).
    bool overflow() const noexcept { return m_overflow; }

    std::int32_t row_begin() const noexcept { return m_row_begin; }
    std::int32_t row_end() const noexcept { return m_row_end; }
    std::int32_t width() const noexcept { return m_width; }

    void pixel(std::int64_t y, std::int64_t x, double) noexcept
    {
        if (y < m_row_begin || y >= m_row_end || x < 0 || x >= m_width)
            return;
        put(y, x, x);
    }

    void run(std::int64_t y, std::int64_t x0, std::int64_t x1, double) noexcept
    {
        if (y < m_row_begin || y >= m_row_end)
            return;
        x0 = std::max<std::int64_t>(x0, 0);
        x1 = std::min<std::int64_t>(x1, m_width - 1);
        if (x0 <= x1)
            put(y, x0, x1);
    }

private:
    void put(std::int64_t y, std::int64_t x0, std::int64_t x1) noexcept
    {
        std::size_t &at = m_cursor[y - m_first_row];
        if (at == m_limit[y - m_first_row]) {
            m_overflow = true;
            return;
        }
        m_spans[at++] =
            Span{static_cast<std::int32_t>(y), static_cast<std::int32_t>(x0), static_cast<std::int32_t>(x1), 0.0};
    }

    Span *m_spans;
    std::size_t *m_cursor;
    const std::size_t *m_limit;
    std::int32_t m_first_row, m_width, m_row_begin, m_row_end;
    bool m_overflow = false;
};

/// Rows [lo, hi] the walk of segment (a, b) may visit, within the band;
/// false when it visits none (or Bresenham skips it: NaN or outside the
/// int range, rules::bresenham_line's own test).
bool segment_rows(double ya, double xa, double yb, double xb, std::int32_t row_begin,
                  std::int32_t row_end, std::int64_t &lo, std::int64_t &hi) noexcept
{
    if (!(rules::in_int_range(xa) && rules::in_int_range(ya) && rules::in_int_range(xb) &&
          rules::in_int_range(yb)))
        return false;
    const std::int64_t ia = rules::floor_to_i64(ya), ib = rules::floor_to_i64(yb);
    lo = std::max<std::int64_t>(std::min(ia, ib), row_begin);
    hi = std::min<std::int64_t>(std::max(ia, ib), static_cast<std::int64_t>(row_end) - 1);
    return lo <= hi;
}

}  // namespace

bool line_feature_spans(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                        std::int32_t row_begin, std::int32_t row_end, CoverageWorkspace &ws,
                        std::vector<Span> &out)
{
    const std::size_t part_begin = batch.feature_part_offsets[feature];
    const std::size_t part_end = batch.feature_part_offsets[feature + 1];
    for (std::size_t p = part_begin; p < part_end; ++p)
        if (batch.part_kind[p] != PartKind::Line)
            return false;
    const std::size_t ring_begin = batch.part_ring_offsets[part_begin];
    const std::size_t ring_end = batch.part_ring_offsets[part_end];
    // Every segment: consecutive vertices of one ring (line string).
    auto for_each_segment = [&](auto &&visit) {
        for (std::size_t r = ring_begin; r < ring_end; ++r) {
            for (std::size_t v = batch.ring_vertex_offsets[r] + 1; v < batch.ring_vertex_offsets[r + 1]; ++v)
                visit(batch.x[v - 1], batch.y[v - 1], batch.x[v], batch.y[v]);
        }
    };

    // The rows any segment may visit, then how many segments reach each.
    std::int64_t first = row_end, last = static_cast<std::int64_t>(row_begin) - 1;
    for_each_segment([&](double xa, double ya, double xb, double yb) {
        std::int64_t lo = 0, hi = -1;
        if (segment_rows(ya, xa, yb, xb, row_begin, row_end, lo, hi)) {
            first = std::min(first, lo);
            last = std::max(last, hi);
        }
    });
    if (first > last)
        return true;  // no pixel in these rows
    const auto rows = static_cast<std::size_t>(last - first + 1);
    std::vector<std::size_t> &start = ws.row_slots;
    start.assign(rows + 1, 0);
    for_each_segment([&](double xa, double ya, double xb, double yb) {
        std::int64_t lo = 0, hi = -1;
        if (segment_rows(ya, xa, yb, xb, row_begin, row_end, lo, hi)) {
            ++start[static_cast<std::size_t>(lo - first)];
            --start[static_cast<std::size_t>(hi - first) + 1];  // wraps, then undone
        }
    });
    // Segments per row, then each row's bucket start (its capacity is its
    // segment count); the cursors start at the starts.
    std::size_t per_row = 0, total = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        per_row += start[r];
        start[r] = total;
        total += per_row;
    }
    start[rows] = total;
    std::vector<std::size_t> &cursor = ws.row_ends;
    cursor.assign(start.begin(), start.end() - 1);
    std::vector<Span> &buckets = ws.sorted;
    buckets.resize(total);

    RowBucketSink sink(buckets.data(), cursor.data(), start.data() + 1, static_cast<std::int32_t>(first), size.width,
                       row_begin, row_end);
    const rules::ZSource no_z{};
    for (std::size_t r = ring_begin; r < ring_end; ++r) {
        const RingView ring{batch.x, batch.y, batch.ring_vertex_offsets[r], batch.ring_vertex_offsets[r + 1]};
        rules::bresenham_line(ring, no_z, size.width, size.height, sink);
    }
    if (sink.overflow())
        return false;

    for (std::size_t r = 0; r < rows; ++r) {
        Span *begin = buckets.data() + start[r];
        Span *end = buckets.data() + cursor[r];
        if (begin == end)
            continue;
        sort_row_spans(begin, end);
        append_row_union(begin, end, out);
    }
    return true;
}

}  // namespace detail
}  // namespace mrast
