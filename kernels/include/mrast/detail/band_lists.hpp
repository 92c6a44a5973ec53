#pragma once
// Which features each row band must visit: a stable counting sort of
// (feature, band) pairs, built on all threads. Internal header.
//
// Pass 1 finds each feature's band range and counts the pairs per (slice of
// the chunk, band); the prefix sums give every slice its own cursor per
// band, so pass 2 writes the lists in parallel and each band still lists
// its features in input order. Serial, this was a quarter of the time of
// 1M points (a row range, two divisions and two list writes per point).
//
// Pass 1 reads every feature once, in order; a band's walk visits a sparse
// subset of them (1 in 8 on 2 threads), so each of its reads is a line of
// the batch's arrays that other bands also fetch. Lone points, where those
// reads are all the work, get their pixel here (m_point), and the walk
// reads nothing else of them.

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/geometry.hpp"
#include "mrast/row_bands.hpp"
#include "mrast/status.hpp"

namespace mrast {
namespace detail {

/// Features per chunk, and (feature, band) entries per chunk: they bound the
/// band lists (4 bytes an entry) and band ranges (8 bytes a feature) whatever
/// the batch size -- about 2.5 MiB, so 1M points on a 4096x4096 Float64
/// raster stay at 8.16 bytes per pixel (the 8.2 B/px budget of SPEC 5's
/// "output plus one bit"). Large, because last paints each pixel once per
/// chunk and skips a feature hidden by later ones only within its chunk:
/// 100k star polygons in one chunk rather than two took 0.067 s, not 0.094.
constexpr std::size_t kChunkFeatures = std::size_t{1} << 17;
constexpr std::size_t kChunkEntries = std::size_t{1} << 18;

/// Below this many features a chunk's lists are built on the calling thread:
/// starting threads would cost more than they save.
constexpr std::size_t kParallelListFeatures = 8192;

/// The band lists of one chunk: band k visits features
/// f0 + listed[start[k]] .. f0 + listed[start[k + 1] - 1].
struct BandLists {
    std::vector<std::int32_t> m_bands_of;      // [first, last] band per feature of the chunk
    std::vector<std::size_t> m_start;          // bands + 1
    std::vector<std::size_t> m_slice_cursor;   // per (slice, band)
    std::vector<std::uint32_t> m_listed;       // chunk-relative feature indices
    /// With point pixels asked for: per feature of the chunk, the pixel of
    /// a lone point (lone_point_vertex) that burns in the window's rows
    /// (row kNotAPoint: any other feature, to go through its coverage), and
    /// whether every listed feature is such a point.
    struct PointPixel {
        std::int32_t col, row;
    };
    static constexpr std::int32_t kNotAPoint = INT32_MIN;
    std::vector<PointPixel> m_point;
    bool m_only_points = false;
    /// Whether a sample of the chunk (64 features spread over it) found a
    /// lone point; without, m_point is left empty.
    bool m_sampled_points = false;
    /// With keys asked for: per feature of the chunk, the column bucket of
    /// its first vertex (0 .. kKeyBuckets - 1), for walks in any order.
    std::vector<std::uint16_t> m_key;
    static constexpr int kKeyBuckets = 256;

    /// Lists the chunk starting at feature f0 of `batch` for the bands of
    /// `plan` (rows relative to `y_lo`, the window's first row); sets f1 to
    /// the end of the chunk.
    /// `key_columns` > 0: also the column buckets (m_key) over columns
    /// [key_x0, key_x0 + key_columns). `point_raster` not empty: also the
    /// point pixels (m_point) in a raster of that size (whose rows y_lo ..
    /// y_hi the window holds); points then list in exactly their pixel's band.
    /// (Only for chunks where a sample finds lone points: m_point is empty
    /// otherwise, and every feature goes through its coverage.)
    Status build(const GeometryBatch &batch, std::size_t f0, bool all_touched,
                 const RowBandPlan &plan, std::int64_t y_lo, std::int64_t y_hi, int threads,
                 std::size_t &f1, std::int64_t key_x0 = 0, std::int64_t key_columns = 0,
                 RasterSize point_raster = RasterSize{0, 0}) {
        const std::size_t n = batch.feature_count;
        const auto bands = static_cast<std::size_t>(plan.count);
        std::size_t count = std::min(n - f0, kChunkFeatures);
        const int list_threads = count < kParallelListFeatures ? 1 : threads;
        const RowBandPlan slices = plan_row_bands(static_cast<std::int32_t>(count), list_threads);
        // A chunk without lone points (a sample of it) keeps no point pixels:
        // 8 bytes a feature for nothing.
        m_sampled_points = has_lone_points(batch, f0, count);
        if (!m_sampled_points) point_raster = RasterSize{0, 0};
        const auto slice_count = static_cast<std::size_t>(slices.count);
        try {
            m_bands_of.resize(2 * count);
            m_key.resize(key_columns > 0 ? count : 0);
            m_point.resize(point_raster.width > 0 ? count : 0);
            m_start.resize(bands + 1);
            m_slice_cursor.assign(slice_count * bands, 0);
            m_slice_others.assign(slice_count, 0);
            m_locator.prepare(plan);
        } catch (const std::bad_alloc &) {
            return Status::OutOfMemory;
        }

        // Pass 1: band ranges, counted per slice.
        Pass1 p1{this, &batch, f0, all_touched, y_lo, y_hi, bands, key_x0, key_columns, point_raster};
        Status st = run_slices(slices, list_threads, &Pass1::call, &p1);
        if (st != Status::Ok) return st;
        m_only_points = !m_point.empty() &&
                        std::all_of(m_slice_others.begin(), m_slice_others.end(), [](std::size_t o) { return o == 0; });

        // The entry bound: rarely reached (features spanning many bands);
        // then the chunk ends early and is listed serially, as one slice.
        std::size_t entries = 0;
        bool serial = false;
        for (std::size_t i = 0; i < count; ++i) {
            if (entries >= kChunkEntries) {
                count = i;
                serial = true;
                recount(count);
                break;
            }
            entries += band_span(i);
        }
        f1 = f0 + count;

        // Prefix sums: band k starts at start[k]; within it, slice s writes
        // after the slices before it.
        const std::size_t used_slices = serial ? 1 : slice_count;
        std::size_t total = 0;
        for (std::size_t k = 0; k < bands; ++k) {
            m_start[k] = total;
            for (std::size_t s = 0; s < used_slices; ++s) {
                const std::size_t c = m_slice_cursor[s * bands + k];
                m_slice_cursor[s * bands + k] = total;
                total += c;
            }
        }
        m_start[bands] = total;
        try {
            resize_exactly(m_listed, total);
        } catch (const std::bad_alloc &) {
            return Status::OutOfMemory;
        }

        // Pass 2: the lists, each slice at its own cursors.
        if (serial) {
            list_features(m_slice_cursor.data(), 0, count);
            return Status::Ok;
        }
        Pass2 p2{this, bands};
        return run_slices(slices, list_threads, &Pass2::call, &p2);
    }

private:
    /// True if one of 64 features spread over the chunk is a lone point.
    static bool has_lone_points(const GeometryBatch &batch, std::size_t f0, std::size_t count) noexcept {
        constexpr std::size_t kSamples = 64;
        for (std::size_t i = 0; i < std::min(count, kSamples); ++i) {
            std::size_t v = 0;
            if (lone_point_vertex(batch, f0 + i * count / std::min(count, kSamples), v)) return true;
        }
        return false;
    }

    /// Per slice, its features other than lone points (with point pixels).
    std::vector<std::size_t> m_slice_others;
    BandLocator m_locator;  // the plan's band_of, kept while the plan is the same

    /// resize() without the doubling: a vector grown for a larger chunk
    /// holds no more than that chunk needs (doubling made the old and the
    /// new list live at once, 2 MiB at the peak for 1M points).
    template <class V>
    static void resize_exactly(V &v, std::size_t n) {
        if (n > v.capacity()) {
            V fresh;
            fresh.reserve(n);
            v.swap(fresh);
        }
        v.resize(n);
    }

    std::size_t band_span(std::size_t i) const noexcept {
        return static_cast<std::size_t>(m_bands_of[2 * i + 1] - m_bands_of[2 * i] + 1);
    }

    /// Counts features [0, count) of the chunk as one slice (slice 0).
    void recount(std::size_t count) {
        std::fill(m_slice_cursor.begin(), m_slice_cursor.end(), std::size_t{0});
        for (std::size_t i = 0; i < count; ++i) {
            for (std::int32_t k = m_bands_of[2 * i]; k <= m_bands_of[2 * i + 1]; ++k) {
                ++m_slice_cursor[static_cast<std::size_t>(k)];
            }
        }
    }

    /// Appends features [begin, end) of the chunk to their bands' lists at
    /// `cursor` (one per band).
    void list_features(std::size_t *cursor, std::size_t begin, std::size_t end) noexcept {
        std::uint32_t *listed = m_listed.data();
        for (std::size_t i = begin; i < end; ++i) {
            const std::int32_t *r = m_bands_of.data() + 2 * i;
            for (std::int32_t k = r[0]; k <= r[1]; ++k) listed[cursor[k]++] = static_cast<std::uint32_t>(i);
        }
    }

    struct Pass1 {
        BandLists *self;
        const GeometryBatch *batch;
        std::size_t f0;
        bool all_touched;
        std::int64_t y_lo, y_hi;
        std::size_t bands;
        std::int64_t key_x0, key_columns;
        RasterSize point_raster;

        /// Column bucket of feature f's first vertex (features are read in
        /// order here, so this costs no extra miss; in the band walk it would).
        std::uint16_t key_of(std::size_t f) const noexcept {
            const GeometryBatch &g = *batch;
            const std::size_t part = g.feature_part_offsets[f];
            if (part == g.feature_part_offsets[f + 1]) return 0;
            const std::size_t v = g.ring_vertex_offsets[g.part_ring_offsets[part]];
            if (v == g.ring_vertex_offsets[g.part_ring_offsets[part + 1]]) return 0;
            const double c = (g.x[v] - static_cast<double>(key_x0)) / static_cast<double>(key_columns);
            if (!(c > 0.0)) return 0;  // also NaN
            if (!(c < 1.0)) return kKeyBuckets - 1;
            return static_cast<std::uint16_t>(c * kKeyBuckets);
        }

        static void call(void *ctx, std::int32_t slice, std::int32_t a, std::int32_t b, int) {
            const auto &p = *static_cast<Pass1 *>(ctx);
            // Counted locally: slices on other threads write the neighbouring
            // counters, and sharing their cache line made this slower than
            // one thread.
            std::vector<std::size_t> counts(p.bands, 0);
            std::size_t others = 0;
            for (std::int32_t i = a; i < b; ++i) {
                const std::size_t f = p.f0 + static_cast<std::size_t>(i);
                if (p.key_columns > 0) p.self->m_key[static_cast<std::size_t>(i)] = p.key_of(f);
                std::int32_t *r = p.self->m_bands_of.data() + 2 * static_cast<std::size_t>(i);
                if (p.point_raster.width > 0) {
                    BandLists::PointPixel &px = p.self->m_point[static_cast<std::size_t>(i)];
                    std::size_t v = 0;
                    if (lone_point_vertex(*p.batch, f, v)) {
                        r[0] = 0;
                        r[1] = -1;
                        if (point_pixel(p.batch->x[v], p.batch->y[v], p.point_raster, px.col, px.row) &&
                            px.row >= p.y_lo && px.row <= p.y_hi) {
                            r[0] = r[1] = p.self->m_locator.band_of(static_cast<std::int32_t>(px.row - p.y_lo));
                            ++counts[static_cast<std::size_t>(r[0])];
                        }
                        continue;
                    }
                    px.row = kNotAPoint;
                    ++others;
                }
                std::int32_t first = 0, last = -1;
                feature_row_range(*p.batch, f, p.all_touched, first, last);
                const std::int64_t lo = std::max<std::int64_t>(first, p.y_lo);
                const std::int64_t hi = std::min<std::int64_t>(last, p.y_hi);
                if (last < first || lo > hi) {
                    r[0] = 0;
                    r[1] = -1;
                    continue;
                }
                r[0] = p.self->m_locator.band_of(static_cast<std::int32_t>(lo - p.y_lo));
                r[1] = p.self->m_locator.band_of(static_cast<std::int32_t>(hi - p.y_lo));
                for (std::int32_t k = r[0]; k <= r[1]; ++k) ++counts[static_cast<std::size_t>(k)];
            }
            std::copy(counts.begin(), counts.end(),
                      p.self->m_slice_cursor.begin() + static_cast<std::ptrdiff_t>(slice) * static_cast<std::ptrdiff_t>(p.bands));
            p.self->m_slice_others[static_cast<std::size_t>(slice)] = others;
        }
    };

    struct Pass2 {
        BandLists *self;
        std::size_t bands;
        static void call(void *ctx, std::int32_t slice, std::int32_t a, std::int32_t b, int) {
            const auto &p = *static_cast<Pass2 *>(ctx);
            const std::size_t *shared = p.self->m_slice_cursor.data() + static_cast<std::size_t>(slice) * p.bands;
            std::vector<std::size_t> cursor(shared, shared + p.bands);  // local: see Pass1
            p.self->list_features(cursor.data(), static_cast<std::size_t>(a), static_cast<std::size_t>(b));
        }
    };

    static Status run_slices(const RowBandPlan &slices, int threads,
                             void (*work)(void *, std::int32_t, std::int32_t, std::int32_t, int),
                             void *ctx) {
        RowBandOptions o;
        o.threads = threads;
        return run_row_bands(slices, o, work, ctx);
    }
};

}  // namespace detail
}  // namespace mrast
