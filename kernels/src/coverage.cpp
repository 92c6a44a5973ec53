// feature_coverage: runs each part of a feature through GDAL's rules
// (points here, lines in line_bresenham.cpp / line_all_touched.cpp,
// polygons in polygon_fill.cpp) into one list of raw spans, then unions
// them so that a feature hits a pixel at most once.

#include "mrast/coverage.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "coverage_detail.hpp"

namespace mrast {

namespace {

using detail::RingView;
using detail::BoxBitmap;
using detail::count_zeros_low;
using detail::SpanSink;
using detail::ZSource;

bool span_less(const Span &a, const Span &b) noexcept
{
    return a.y != b.y ? a.y < b.y : a.x0 < b.x0;
}

/// Every vertex of a Points ring is a point (point_pixel(), coverage.hpp).
void rasterize_points(const RingView &ring, const double *z, RasterSize size, SpanSink &sink)
{
    for (std::size_t v = ring.begin; v < ring.end; ++v) {
        std::int32_t col = 0;
        std::int32_t row = 0;
        if (point_pixel(ring.x[v], ring.y[v], size, col, row))
            sink.pixel(row, col, z != nullptr ? z[v] : 0.0);
    }
}

bool uniform_z(const std::vector<Span> &spans) noexcept
{
    for (const Span &s : spans)
        if (!SpanSink::same_z(s.z, spans.front().z))
            return false;
    return true;
}

/// Sorts spans by (y, x0) into `sorted`: a counting sort by row (the spans of
/// one feature in one band cover at most a band's rows), then an insertion
/// sort of each row's few spans by x0. std::sort over all spans with a
/// comparison function was most of the union for a 100-span polyline or an
/// all-touched polygon.
void sort_spans(const std::vector<Span> &raw, std::vector<Span> &sorted,
                std::vector<std::size_t> &slots)
{
    std::int32_t y_min = raw.front().y;
    std::int32_t y_max = raw.front().y;
    for (const Span &s : raw) {
        y_min = std::min(y_min, s.y);
        y_max = std::max(y_max, s.y);
    }
    const auto rows = static_cast<std::size_t>(static_cast<std::int64_t>(y_max) - y_min + 1);
    sorted.resize(raw.size());
    if (rows > 4 * raw.size() + 1024) {
        // Few spans over many rows: buckets would cost more than they save.
        std::copy(raw.begin(), raw.end(), sorted.begin());
        std::sort(sorted.begin(), sorted.end(), span_less);
        return;
    }
    slots.assign(rows + 1, 0);
    for (const Span &s : raw)
        ++slots[static_cast<std::size_t>(s.y - y_min) + 1];
    for (std::size_t r = 0; r < rows; ++r)
        slots[r + 1] += slots[r];
    for (const Span &s : raw)
        sorted[slots[static_cast<std::size_t>(s.y - y_min)]++] = s;
    // slots[r] is now the end of row r, i.e. the start of row r + 1.
    std::size_t begin = 0;
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t end = slots[r];
        detail::sort_row_spans(sorted.data() + begin, sorted.data() + end);
        begin = end;
    }
}

/// Words of bitmap an all-touched polygon's box may use (64 KiB): ~700 x
/// 700 pixels, far more than such a polygon usually needs. (Lines keep the
/// sorted union: their boxes are mostly empty, and clearing and reading
/// them back was slower than sorting their spans.)
constexpr std::size_t kUnionBitmapWords = std::size_t{1} << 13;

/// Reads the runs of set bits back as spans, row by row: bit i of row r is
/// column x_min + i of row y_min + r; no run reaches past x_max.
void spans_from_bits(const std::uint64_t *bits, std::size_t rows, std::size_t words,
                     std::int32_t x_min, std::int32_t x_max, std::int32_t y_min, double z,
                     std::vector<Span> &out)
{
    for (std::size_t r = 0; r < rows; ++r) {
        const std::uint64_t *row = bits + r * words;
        const auto y = static_cast<std::int32_t>(y_min + static_cast<std::int64_t>(r));
        std::int64_t open = -1;  // first column of a run still growing
        for (std::size_t w = 0; w < words; ++w) {
            const std::uint64_t v = row[w];
            int from = 0;
            while (from < 64) {
                // The next bit at or after `from` that changes the state:
                // a set bit while no run is open, a clear one while it is.
                const std::uint64_t look = (open < 0 ? v : ~v) & (~std::uint64_t{0} << from);
                if (look == 0)
                    break;
                const int at = count_zeros_low(look);
                const std::int64_t col = static_cast<std::int64_t>(w) * 64 + at;
                if (open < 0) {
                    open = col;
                } else {
                    out.push_back(Span{y, static_cast<std::int32_t>(x_min + open),
                                       static_cast<std::int32_t>(x_min + col - 1), z});
                    open = -1;
                }
                from = at + 1;
            }
        }
        if (open >= 0)
            out.push_back(Span{y, static_cast<std::int32_t>(x_min + open),
                               static_cast<std::int32_t>(x_max), z});
    }
}

/// Union when every span carries the same z: sort, then merge overlapping
/// or touching spans row by row (append_row_union, as the line buckets do).
void union_uniform(const std::vector<Span> &raw, CoverageWorkspace &ws, std::vector<Span> &out)
{
    sort_spans(raw, ws.sorted, ws.row_slots);
    const Span *row = ws.sorted.data();
    const Span *const end = row + ws.sorted.size();
    while (row < end) {
        const Span *row_end = row + 1;
        while (row_end < end && row_end->y == row->y)
            ++row_end;
        detail::append_row_union(row, row_end, out);
        row = row_end;
    }
}

void append_piece(std::vector<Span> &out, std::int32_t y, std::int64_t x0, std::int64_t x1, double z)
{
    if (!out.empty()) {
        Span &last = out.back();
        if (last.y == y && static_cast<std::int64_t>(last.x1) + 1 == x0 && SpanSink::same_z(last.z, z)) {
            last.x1 = static_cast<std::int32_t>(x1);
            return;
        }
    }
    out.push_back(Span{y, static_cast<std::int32_t>(x0), static_cast<std::int32_t>(x1), z});
}

/// Union when z differs between spans: on each pixel the span emitted last
/// wins, as under GDAL's REPLACE where each burn overwrites the previous.
/// A sweep along each row with a max-heap of emission indices; `keys`
/// holds the sorted order in its first half and the heap in its second.
void union_last_wins(const std::vector<Span> &raw, std::vector<std::int64_t> &keys,
                     std::vector<Span> &out)
{
    const std::size_t n = raw.size();
    keys.resize(2 * n);
    const auto order_begin = keys.begin();
    const auto order_end = keys.begin() + static_cast<std::ptrdiff_t>(n);
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = static_cast<std::int64_t>(i);
    std::sort(order_begin, order_end, [&raw](std::int64_t a, std::int64_t b) {
        const Span &sa = raw[static_cast<std::size_t>(a)];
        const Span &sb = raw[static_cast<std::size_t>(b)];
        if (sa.y != sb.y)
            return sa.y < sb.y;
        return sa.x0 < sb.x0;
    });
    const auto heap_begin = order_end;
    auto heap_end = heap_begin;
    auto at = [&raw](std::int64_t k) -> const Span & { return raw[static_cast<std::size_t>(k)]; };

    std::size_t next = 0;
    while (next < n) {
        const std::int32_t y = at(keys[next]).y;
        std::int64_t pos = at(keys[next]).x0;
        heap_end = heap_begin;
        for (;;) {
            while (next < n && at(keys[next]).y == y && at(keys[next]).x0 <= pos) {
                *heap_end++ = keys[next++];
                std::push_heap(heap_begin, heap_end);
            }
            while (heap_end != heap_begin && at(*heap_begin).x1 < pos) {
                std::pop_heap(heap_begin, heap_end);
                --heap_end;
            }
            const bool more_on_row = next < n && at(keys[next]).y == y;
            if (heap_end == heap_begin) {
                if (!more_on_row)
                    break;
                pos = at(keys[next]).x0;
                continue;
            }
            const Span &winner = at(*heap_begin);
            std::int64_t stop = static_cast<std::int64_t>(winner.x1) + 1;
            if (more_on_row)
                stop = std::min<std::int64_t>(stop, at(keys[next]).x0);
            append_piece(out, y, pos, stop - 1, winner.z);
            pos = stop;
        }
    }
}

/// Every part of `feature`, through GDAL's rules, into `sink`.
void rasterize_parts(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                     bool all_touched, SpanSink &sink, CoverageWorkspace &ws)
{
    const std::size_t part_begin = batch.feature_part_offsets[feature];
    const std::size_t part_end = batch.feature_part_offsets[feature + 1];
    for (std::size_t p = part_begin; p < part_end; ++p) {
        const std::size_t ring_begin = batch.part_ring_offsets[p];
        const std::size_t ring_end = batch.part_ring_offsets[p + 1];
        auto ring_at = [&batch](std::size_t r) {
            return RingView{batch.x, batch.y, batch.ring_vertex_offsets[r],
                            batch.ring_vertex_offsets[r + 1]};
        };
        switch (batch.part_kind[p]) {
        case PartKind::Points:
            for (std::size_t r = ring_begin; r < ring_end; ++r)
                rasterize_points(ring_at(r), batch.z, size, sink);
            break;
        case PartKind::Line: {
            const ZSource z{batch.z, false, 0.0};
            for (std::size_t r = ring_begin; r < ring_end; ++r) {
                if (all_touched)
                    detail::all_touched_line(ring_at(r), z, size, false, sink);
                else
                    detail::bresenham_line(ring_at(r), z, size, sink);
            }
            break;
        }
        case PartKind::Polygon: {
            const std::size_t ring_count = ring_end - ring_begin;
            if (ring_count == 0)
                break;
            const std::size_t first_vertex = batch.ring_vertex_offsets[ring_begin];
            const std::size_t last_vertex = batch.ring_vertex_offsets[ring_end];
            if (first_vertex == last_vertex)
                break;
            // GDAL burns a polygon with the Z of its first vertex
            // (dfVariant[0]; all-touched rings are reverted to it too).
            const double z = batch.z != nullptr ? batch.z[first_vertex] : 0.0;
            const detail::PolygonView polygon{batch.x, batch.y, batch.ring_vertex_offsets,
                                              ring_begin, ring_end};
            if (all_touched) {
                // gv_rasterize_one_shape: ring traversal with bIntersectOnly,
                // then the centre fill.
                const ZSource ring_z{nullptr, batch.z != nullptr, z};
                for (std::size_t r = 0; r < ring_count; ++r)
                    detail::all_touched_line(polygon.ring(r), ring_z, size, true, sink);
            }
            detail::fill_polygon(polygon, z, size, sink, ws);
            break;
        }
        }
    }
}

/// Sets `box` up over the feature's vertices (+-2 pixels, clipped to the
/// raster and rows [row_begin, row_end)) when every part is a polygon and
/// the box needs at most kUnionBitmapWords; false otherwise.
bool plan_polygon_box(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                      std::int32_t row_begin, std::int32_t row_end,
                      std::vector<std::uint64_t> &bits, BoxBitmap &box)
{
    const std::size_t part_begin = batch.feature_part_offsets[feature];
    const std::size_t part_end = batch.feature_part_offsets[feature + 1];
    if (part_begin == part_end)
        return false;
    for (std::size_t p = part_begin; p < part_end; ++p)
        if (batch.part_kind[p] != PartKind::Polygon)
            return false;
    std::int64_t c0 = 0, c1 = 0, r0 = 0, r1 = 0;
    if (!feature_pixel_box(batch, feature, c0, c1, r0, r1))
        return false;  // NaN: leave it to the general path
    if (c1 < 0 || c0 > size.width - 1 || r1 < row_begin || r0 > row_end - 1)
        return false;  // nothing of it in the band: the general path is as cheap
    box.x0 = static_cast<std::int32_t>(std::max<std::int64_t>(c0, 0));
    box.x1 = static_cast<std::int32_t>(std::min<std::int64_t>(c1, size.width - 1));
    box.y0 = static_cast<std::int32_t>(std::max<std::int64_t>(r0, row_begin));
    box.y1 = static_cast<std::int32_t>(std::min<std::int64_t>(r1, row_end - 1));
    box.words = static_cast<std::size_t>(box.x1 - box.x0) / 64 + 1;
    const auto rows = static_cast<std::size_t>(box.y1 - box.y0 + 1);
    if (rows * box.words > kUnionBitmapWords)
        return false;
    bits.assign(rows * box.words, 0);
    box.bits = bits.data();
    return true;
}

/// The feature's spans from the sink's raw list: as they are when already
/// sorted and disjoint, else their union.
void finish_union(const SpanSink &sink, CoverageWorkspace &ws, std::vector<Span> &out)
{
    std::vector<Span> &raw = ws.raw;
    if (raw.empty())
        return;
    if (sink.sorted_and_disjoint()) {
        out.swap(raw);  // both are reused buffers: no copy
        return;
    }
    if (uniform_z(raw))
        union_uniform(raw, ws, out);
    else
        union_last_wins(raw, ws.keys, out);
}

}  // namespace

void feature_row_range(const GeometryBatch &batch, std::size_t feature, bool all_touched,
                       std::int32_t &first, std::int32_t &last) noexcept
{
    (void)all_touched;  // the same margin covers both rules
    first = 0;
    last = -1;
    if (feature >= batch.feature_count)
        return;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    const std::size_t part_begin = batch.feature_part_offsets[feature];
    const std::size_t part_end = batch.feature_part_offsets[feature + 1];
    if (part_begin >= part_end)
        return;
    const std::size_t v_begin = batch.ring_vertex_offsets[batch.part_ring_offsets[part_begin]];
    const std::size_t v_end = batch.ring_vertex_offsets[batch.part_ring_offsets[part_end]];
    for (std::size_t v = v_begin; v < v_end; ++v) {
        const double y = batch.y[v];
        if (y < lo)
            lo = y;
        if (y > hi)
            hi = y;
    }
    if (!(lo <= hi))
        return;  // no vertex, or only NaN
    // Every rule stays within the rows of floor(min y) .. floor(max y); two
    // rows of slack absorb the all-touched 1e-9 steps and rounding.
    constexpr double kMin = std::numeric_limits<std::int32_t>::min();
    constexpr double kMax = std::numeric_limits<std::int32_t>::max();
    const double f = std::clamp(std::floor(lo) - 2.0, kMin, kMax);
    const double l = std::clamp(std::floor(hi) + 2.0, kMin, kMax);
    first = static_cast<std::int32_t>(f);
    last = static_cast<std::int32_t>(l);
}

bool feature_pixel_box(const GeometryBatch &batch, std::size_t feature, std::int64_t &col0,
                       std::int64_t &col1, std::int64_t &row0, std::int64_t &row1) noexcept
{
    if (feature >= batch.feature_count)
        return false;
    const std::size_t part_begin = batch.feature_part_offsets[feature];
    const std::size_t part_end = batch.feature_part_offsets[feature + 1];
    VertexBounds b{};
    if (!vertex_bounds(batch, batch.ring_vertex_offsets[batch.part_ring_offsets[part_begin]],
                       batch.ring_vertex_offsets[batch.part_ring_offsets[part_end]], b))
        return false;
    // Clamped to +-2^62 so the casts are defined; rasters are far smaller.
    auto cell = [](double v) {
        const double far = 4611686018427387904.0;
        return static_cast<std::int64_t>(std::clamp(std::floor(v), -far, far));
    };
    col0 = cell(b.x_lo) - 2;
    col1 = cell(b.x_hi) + 2;
    row0 = cell(b.y_lo) - 2;
    row1 = cell(b.y_hi) + 2;
    return true;
}

void feature_coverage(const GeometryBatch &batch, std::size_t feature, RasterSize size,
                      std::int32_t row_begin, std::int32_t row_end, bool all_touched,
                      CoverageWorkspace &ws, std::vector<Span> &out)
{
    out.clear();
    ws.raw.clear();
    if (feature >= batch.feature_count || size.width <= 0 || size.height <= 0)
        return;
    row_begin = std::max<std::int32_t>(row_begin, 0);
    row_end = std::min<std::int32_t>(row_end, size.height);
    if (row_begin >= row_end)
        return;

    SpanSink sink(ws.raw, size, row_begin, row_end);
    BoxBitmap box;
    if (all_touched && batch.z == nullptr && plan_polygon_box(batch, feature, size, row_begin, row_end, ws.bits, box)) {
        sink.draw_into(&box);
        rasterize_parts(batch, feature, size, all_touched, sink, ws);
        if (!box.overflow) {
            spans_from_bits(box.bits, static_cast<std::size_t>(box.y1 - box.y0 + 1), box.words, box.x0,
                            box.x1, box.y0, 0.0, out);
            return;
        }
        ws.raw.clear();  // a pixel left the box (never seen): the general way
        SpanSink plain(ws.raw, size, row_begin, row_end);
        rasterize_parts(batch, feature, size, all_touched, plain, ws);
        finish_union(plain, ws, out);
        return;
    }
    if (!all_touched && batch.z == nullptr &&
        detail::line_feature_spans(batch, feature, size, row_begin, row_end, ws, out))
        return;
    rasterize_parts(batch, feature, size, all_touched, sink, ws);
    finish_union(sink, ws, out);
}

}  // namespace mrast
