#pragma once
// Sum and count over large polygons as row differences, in place.
//
// GDAL's ADD adds each feature's value to each pixel, one after another; a
// pixel covered by eleven polygons is read and written eleven times. When
// every partial sum is an exactly representable integer, the order of the
// additions cannot change a bit, and a row can be turned into its
// differences (d[x] = v[x] - v[x-1]) in the band itself: a span [x0, x1]
// then costs two additions (d[x0] += b, d[x1 + 1] -= b) whatever its
// length, and a prefix sum turns the row back. No scratch but one flag per
// row.
//
// Exact when: float band (Float64: integers up to 2^51, Float32: up to
// 2^22, so that differences plus burns stay exact too), no Z, no nodata (a nodata
// pixel is replaced, not added to), integer burn values, and for each row
// max |value| + sum of |burns| within the bound -- the burns of the whole
// batch, or, when those exceed the bound (Float32 sums of many features),
// of the features whose rows reach that row (row_burn_totals); a row that
// fails (a fraction, -0.0, NaN, a large value) is merged pixel by pixel.
// Worth it only when the spans are long: the two passes over the raster
// must cost less than the pixels they save, so batches whose polygons
// cover less than the raster go the direct way (lines and points always).
// Internal header.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/geometry.hpp"
#include "mrast/merge_spans.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/row_bands.hpp"
#include "mrast/span.hpp"
#include "mrast/status.hpp"

namespace mrast {
namespace detail {

/// 2^53: every integer of smaller magnitude is a double, and so is every
/// sum of such integers that stays below it.
constexpr double kExactDoubleIntegers = 9007199254740992.0;

/// A quarter of the largest integer T holds exactly (2^53, 2^24): values
/// and burn totals within it keep every partial sum, every difference and
/// every difference plus burns exact.
template <class T>
constexpr double exact_integer_bound() noexcept {
    if constexpr (std::is_same_v<T, double>) return 2251799813685248.0;  // 2^51
    if constexpr (std::is_same_v<T, float>) return 4194304.0;            // 2^22
    return 0.0;
}

/// Sum of |burn| per band over the batch (count: 1 per feature), or false
/// when a burn value is not an integer.
inline bool integer_burn_totals(const GeometryBatch &batch, int band_count, bool count_mode,
                                std::vector<double> &totals) {
    totals.assign(static_cast<std::size_t>(band_count), 0.0);
    for (std::size_t f = 0; f < batch.feature_count; ++f) {
        for (int b = 0; b < band_count; ++b) {
            const double v = count_mode ? 1.0 : batch.burn[f * static_cast<std::size_t>(band_count) + static_cast<std::size_t>(b)];
            if (!(std::floor(v) == v)) return false;  // also NaN, inf
            totals[static_cast<std::size_t>(b)] += std::fabs(v);
        }
    }
    return true;
}

/// Per band and row of a window, the sum of |burn| over the features whose
/// row range (feature_row_range: every pixel they burn, with slack) meets
/// the row: out[b * rows + r], row r = raster row y_offset + r. A row's
/// cells only ever see the burns of its own features, so this bounds them
/// far tighter than the batch's total (100k polygons burning 1..250 total
/// 12.5M, beyond Float32's 2^22; a row of them ~0.4M). Exact: the caller
/// checked that the batch's totals are below kExactDoubleIntegers, so
/// every running sum here is an exact integer too.
inline void row_burn_totals(const GeometryBatch &batch, int band_count, bool count_mode, std::int64_t y_offset,
                            std::int32_t rows, std::vector<double> &out) {
    const auto bands = static_cast<std::size_t>(band_count);
    const auto n_rows = static_cast<std::size_t>(rows);
    out.assign(bands * (n_rows + 1), 0.0);  // differences first, one spare row
    for (std::size_t f = 0; f < batch.feature_count; ++f) {
        std::int32_t first = 0, last = -1;
        feature_row_range(batch, f, false, first, last);
        const std::int64_t r0 = std::max<std::int64_t>(std::int64_t{first} - y_offset, 0);
        const std::int64_t r1 = std::min<std::int64_t>(std::int64_t{last} - y_offset, rows - 1);
        if (r0 > r1) continue;
        for (std::size_t b = 0; b < bands; ++b) {
            const double v = count_mode ? 1.0 : std::fabs(batch.burn[f * bands + b]);
            out[b * (n_rows + 1) + static_cast<std::size_t>(r0)] += v;
            out[b * (n_rows + 1) + static_cast<std::size_t>(r1) + 1] -= v;
        }
    }
    for (std::size_t b = 0; b < bands; ++b) {
        double running = 0.0;
        for (std::size_t r = 0; r < n_rows; ++r) {
            running += out[b * (n_rows + 1) + r];
            out[b * n_rows + r] = running;  // in place: b * n_rows + r <= b * (n_rows + 1) + r
        }
    }
    out.resize(bands * n_rows);
}

/// Half the bounding-box area of the batch's polygon parts (roughly the
/// pixels their fills cover), capped once it passes `enough`.
inline double polygon_pixel_estimate(const GeometryBatch &batch, double enough) noexcept {
    // Points and lines only: one scan of the part kinds (a byte each)
    // instead of a walk through every feature's offsets.
    const std::size_t p0 = batch.feature_count > 0 ? batch.feature_part_offsets[0] : 0;
    const std::size_t p1 = batch.feature_count > 0 ? batch.feature_part_offsets[batch.feature_count] : 0;
    if (std::none_of(batch.part_kind + p0, batch.part_kind + p1,
                     [](PartKind k) { return k == PartKind::Polygon; })) {
        return 0.0;
    }
    double total = 0.0;
    for (std::size_t f = 0; f < batch.feature_count && total < enough; ++f) {
        for (std::size_t p = batch.feature_part_offsets[f]; p < batch.feature_part_offsets[f + 1]; ++p) {
            if (batch.part_kind[p] != PartKind::Polygon) continue;
            VertexBounds b{};
            if (!vertex_bounds(batch, batch.ring_vertex_offsets[batch.part_ring_offsets[p]],
                               batch.ring_vertex_offsets[batch.part_ring_offsets[p + 1]], b)) {
                continue;
            }
            const double area = (b.x_hi - b.x_lo) * (b.y_hi - b.y_lo);
            if (area > 0.0) total += 0.5 * std::fmin(area, enough);
        }
    }
    return total;
}

/// The rows of `band_count` packed views that are in difference form.
template <class T>
class DifferenceRows {
public:
    /// Turns every row that qualifies into differences (all bands of a row
    /// or none), on options.threads threads.
    /// `row_totals` (band-major, one per row of the views), when given,
    /// bound each row by its own features' burns instead of `totals`.
    Status begin(const RasterView<T> *views, int band_count, const std::vector<double> &totals,
                 std::vector<std::uint8_t> &flags, int threads,
                 const std::vector<double> *row_totals = nullptr) {
        m_row_totals = row_totals;
        m_views = views;
        m_bands = band_count;
        m_totals = &totals;
        m_flags = &flags;
        flags.assign(static_cast<std::size_t>(views[0].m_height), 0);
        return run(threads, &DifferenceRows::to_differences);
    }

    /// Prefix sums back; call after begin() even when the burn failed.
    Status finish(int threads) { return run(threads, &DifferenceRows::from_differences); }

    bool row(std::int32_t y) const noexcept { return (*m_flags)[static_cast<std::size_t>(y)] != 0; }

    /// True when every row is in difference form: then every merge is an
    /// exact integer addition, and features may be merged in any order.
    /// A refused row is merged pixel by pixel, where order matters
    /// ((0.9 + a) + b is not always (0.9 + b) + a).
    bool all_rows() const noexcept {
        return std::all_of(m_flags->begin(), m_flags->end(), [](std::uint8_t f) { return f != 0; });
    }

    /// Asks for the two cells add_span writes: a span's ends are a row
    /// (32 KiB at 4096 Float64) from the last span's, so each was a miss.
    static void prefetch_span(const RasterView<T> &view, const Span &s) noexcept {
        T *row = reinterpret_cast<T *>(view.row(s.y));
        prefetch_for_write(row + s.x0);
        prefetch_for_write(row + std::min<std::int64_t>(s.x1 + 1, view.m_width - 1));
    }

    /// Adds `value` over the span, in difference form (its row qualified).
    static void add_span(const RasterView<T> &view, const Span &s, double value) noexcept {
        T *row = reinterpret_cast<T *>(view.row(s.y));
        const T v = static_cast<T>(value);  // an integer within the bound: exact
        row[s.x0] += v;
        if (s.x1 + 1 < view.m_width) row[s.x1 + 1] -= v;
    }

private:
    using RowFn = void (DifferenceRows::*)(std::int32_t);

    Status run(int threads, RowFn fn) {
        struct Ctx {
            DifferenceRows *self;
            RowFn fn;
        } ctx{this, fn};
        RowBandOptions o;
        o.threads = threads;
        return run_row_bands(
            m_views[0].m_height, o,
            [](void *c, std::int32_t y0, std::int32_t y1, int) {
                auto *x = static_cast<Ctx *>(c);
                for (std::int32_t y = y0; y < y1; ++y) (x->self->*(x->fn))(y);
            },
            &ctx);
    }

    /// True when row y is +0.0 in every band (a fresh output's rows): its
    /// differences are the row itself. Integer ORs only, so it vectorises
    /// and runs at memory speed.
    bool all_zero(std::int32_t y) const noexcept {
        using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::uint32_t>;
        Bits any = 0;
        for (int b = 0; b < m_bands; ++b) {
            const T *row = reinterpret_cast<const T *>(m_views[b].row(y));
            for (std::int32_t x = 0; x < m_views[b].m_width; ++x) {
                Bits bits;
                std::memcpy(&bits, row + x, sizeof bits);
                any |= bits;
            }
        }
        return any == 0;
    }

    /// The burns row y of band b may receive, at most.
    double burn_total(int b, std::int32_t y) const noexcept {
        if (m_row_totals != nullptr) {
            return (*m_row_totals)[static_cast<std::size_t>(b) * static_cast<std::size_t>(m_views[0].m_height) +
                                   static_cast<std::size_t>(y)];
        }
        return (*m_totals)[static_cast<std::size_t>(b)];
    }

    /// Every band's burn total for row y within the exact bound (else the
    /// row does not qualify).
    bool totals_fit(std::int32_t y) const noexcept {
        for (int b = 0; b < m_bands; ++b) {
            if (!(burn_total(b, y) <= exact_integer_bound<T>())) return false;
        }
        return true;
    }

    bool qualifies(std::int32_t y) const noexcept {
        const double bound = exact_integer_bound<T>();
        for (int b = 0; b < m_bands; ++b) {
            const T *row = reinterpret_cast<const T *>(m_views[b].row(y));
            const double room = bound - burn_total(b, y);
            if (!(room >= 0.0)) return false;
            for (std::int32_t x = 0; x < m_views[b].m_width; ++x) {
                const double v = row[x];
                // -0.0 would come back as +0.0 from the prefix sum.
                if (!(std::fabs(v) <= room) || std::floor(v) != v || (v == 0.0 && std::signbit(v))) {
                    return false;
                }
            }
        }
        return true;
    }

    void to_differences(std::int32_t y) {
        if (totals_fit(y) && all_zero(y)) {  // qualifies, and nothing to write (so no write-back)
            (*m_flags)[static_cast<std::size_t>(y)] = 1;
            return;
        }
        if (!qualifies(y)) return;
        (*m_flags)[static_cast<std::size_t>(y)] = 1;
        for (int b = 0; b < m_bands; ++b) {
            T *row = reinterpret_cast<T *>(m_views[b].row(y));
            for (std::int32_t x = m_views[b].m_width - 1; x > 0; --x) row[x] -= row[x - 1];
        }
    }

    void from_differences(std::int32_t y) {
        if (!row(y)) return;
        for (int b = 0; b < m_bands; ++b) {
            T *row_px = reinterpret_cast<T *>(m_views[b].row(y));
            for (std::int32_t x = 1; x < m_views[b].m_width; ++x) row_px[x] += row_px[x - 1];
        }
    }

    const RasterView<T> *m_views = nullptr;
    int m_bands = 0;
    const std::vector<double> *m_totals = nullptr;
    const std::vector<double> *m_row_totals = nullptr;
    std::vector<std::uint8_t> *m_flags = nullptr;
};

}  // namespace detail
}  // namespace mrast
