#pragma once
// The engine skeleton shared by Burner (built-in modes, dispatched in
// kernels/src/burn_dispatch.cpp) and CustomBurner (user functors):
//   geometry batch -> row bands (threads) -> feature_coverage() spans
//   -> merge_spans() into every band.
// Internal header: the layout may change without notice.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/detail/band_lists.hpp"
#include "mrast/detail/cover_mask.hpp"
#include "mrast/detail/difference_sum.hpp"
#include "mrast/geometry.hpp"
#include "mrast/merge_spans.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/row_bands.hpp"
#include "mrast/status.hpp"
#include "mrast/touched_state.hpp"

namespace mrast {
namespace detail {

/// Lone points in flight between their prefetch and their merge.
constexpr int kPointQueue = 32;

/// Lone points waiting to be merged, oldest first. Each one's pixel is
/// asked for when it enters and merged kPointQueue points later, so the
/// cache miss overlaps the work on the points after it (prefetching a
/// group of 16 and merging it at once left most of each miss exposed:
/// 94% of the merge's time was that store). Input order is kept.
struct PointQueue {
    std::size_t m_features[kPointQueue];
    Span m_spans[kPointQueue];
    int m_head = 0, m_size = 0;

    template <class Consumer>
    void push(std::size_t f, const Span &s, const Consumer &consumer) {
        int slot = m_head + m_size;
        if (m_size == kPointQueue) {  // the oldest goes out, the new one takes its slot
            consumer.merge(m_features[m_head], &m_spans[m_head], 1);
            slot = m_head;
            m_head = (m_head + 1) % kPointQueue;
        } else {
            slot %= kPointQueue;
            ++m_size;
        }
        m_features[slot] = f;
        m_spans[slot] = s;
        consumer.prefetch(s);
    }

    /// Forgets what a band that threw left behind.
    void reset() noexcept { m_head = m_size = 0; }

    template <class Consumer>
    void drain(const Consumer &consumer) {
        for (; m_size > 0; --m_size, m_head = (m_head + 1) % kPointQueue) {
            consumer.merge(m_features[m_head], &m_spans[m_head], 1);
        }
        m_head = 0;
    }
};

/// One thread's reusable buffers: after the first few features the hot loop
/// no longer allocates.
struct ThreadScratch {
    CoverageWorkspace m_ws;
    std::vector<Span> m_spans;
    CoverMask m_cover;           // occlusion only
    std::vector<Span> m_visible;  // occlusion only
    PointQueue m_points;
    std::vector<std::uint32_t> m_order;  // a band's features by column (AnyOrder)
    // The feature rasterized before the current one, merged after it: its
    // spans' cells are asked for first, so the misses (a span's row is a
    // raster line from the last one's) overlap the next rasterization.
    std::vector<Span> m_pending;
    std::size_t m_pending_feature = 0;
    bool m_has_pending = false;
};

/// What for_each_feature_spans calls: merge(feature, spans, count) merges a
/// feature's spans; prefetch(span) announces a span merged soon.
template <class Merge, class Prefetch>
struct SpanConsumer {
    Merge merge;
    Prefetch prefetch;
};
template <class Merge, class Prefetch>
SpanConsumer<Merge, Prefetch> make_consumer(Merge merge, Prefetch prefetch) {
    return SpanConsumer<Merge, Prefetch>{merge, prefetch};
}

/// Buffers kept across batches by one engine.
struct EngineBuffers {
    std::vector<ThreadScratch> m_threads;
    BandLists m_lists;
    std::vector<double> m_burn_totals;            // difference sums: per band
    std::vector<std::uint8_t> m_difference_rows;  // difference sums: per row
    std::vector<double> m_row_burn_totals;        // difference sums: per band and row, when needed
};

template <class T>
RasterView<T> make_view(const BandBuffer &b) noexcept {
    return RasterView<T>{static_cast<unsigned char *>(b.data), b.width, b.height, b.pixel_spacing,
                         b.line_spacing};
}

/// Clips spans (whole-raster coordinates) to the window's columns and moves
/// them into buffer coordinates; rows are already inside the window.
inline bool shift_span(Span &s, const RasterWindow &w, std::int32_t width) noexcept {
    const std::int32_t x0 = std::max(s.x0, w.x_offset) - w.x_offset;
    const std::int32_t x1 = std::min(s.x1, w.x_offset + width - 1) - w.x_offset;
    if (x0 > x1) return false;
    s = Span{s.y - w.y_offset, x0, x1, s.z};
    return true;
}
inline void shift_into_window(std::vector<Span> &spans, const RasterWindow &w,
                              std::int32_t width) noexcept {
    std::size_t kept = 0;
    for (Span s : spans) {
        if (shift_span(s, w, width)) spans[kept++] = s;
    }
    spans.resize(kept);
}

/// Asks the cache, ahead of a band's walk, for what feature_coverage reads
/// first. A band visits a sparse, scattered subset of the batch, so each
/// feature's offsets and first vertices were cache misses, one after the
/// other (a quarter of polygons-last's time went to the box test that
/// touches them first). The chain is followed one link per step: the
/// offsets of the feature 8 places ahead, its part's rings 6 ahead, its
/// ring's vertices 4 ahead, and the vertex lines 2 ahead, each step reading
/// only what an earlier step already asked for.
struct FeaturePrefetch {
    static constexpr std::size_t kStep = 2, kStages = 4;

    /// Runs `visit(f0 + listed[i])` for i = lo..hi-1 (or backwards),
    /// prefetching ahead.
    template <class Walk>
    static void walk(const GeometryBatch &batch, std::size_t f0, const std::uint32_t *listed,
                     std::size_t lo, std::size_t hi, bool backwards, Walk &&visit) {
        walk_staged(f0, listed, lo, hi, backwards,
                    [&batch](std::size_t f, auto s) { stage(batch, f, s); }, visit);
    }

    /// The same over lone points whose pixels the band lists hold: only
    /// their pixel entries and burn values are read.
    template <class Walk>
    static void walk_points(const GeometryBatch &batch, const BandLists::PointPixel *pixels, std::size_t f0,
                            const std::uint32_t *listed, std::size_t lo, std::size_t hi, bool backwards,
                            Walk &&visit) {
        walk_staged(f0, listed, lo, hi, backwards,
                    [&](std::size_t f, auto s) {
                        if constexpr (decltype(s)::value == kStages) {
#if defined(__GNUC__) || defined(__clang__)
                            __builtin_prefetch(pixels + (f - f0));
                            __builtin_prefetch(batch.burn + f * static_cast<std::size_t>(batch.band_count));
#endif
                        }
                    },
                    visit);
    }

private:
    template <class Stage, class Walk>
    static void walk_staged(std::size_t f0, const std::uint32_t *listed, std::size_t lo, std::size_t hi,
                            bool backwards, const Stage &stage_of, Walk &&visit) {
        const std::size_t n = hi - lo;
        auto at = [&](std::size_t j) { return f0 + listed[backwards ? hi - 1 - j : lo + j]; };
        // Each stage a compile-time constant: the stages inline, no switch
        // (out of line, the stages were 4% of polygons-sum's time).
        auto ahead = [&](std::size_t k, auto s) {
            const std::size_t j = k + decltype(s)::value * kStep;
            if (j < n) stage_of(at(j), s);
        };
        for (std::size_t k = 0; k < n; ++k) {
            ahead(k, std::integral_constant<std::size_t, 1>{});
            ahead(k, std::integral_constant<std::size_t, 2>{});
            ahead(k, std::integral_constant<std::size_t, 3>{});
            ahead(k, std::integral_constant<std::size_t, 4>{});
            visit(at(k));
        }
    }

    template <std::size_t S>
    static void stage(const GeometryBatch &b, std::size_t f, std::integral_constant<std::size_t, S>) noexcept {
        static_assert(S >= 1 && S <= kStages, "one stage per step");
#if defined(__GNUC__) || defined(__clang__)
        if constexpr (S == 4) {
            __builtin_prefetch(b.feature_part_offsets + f);
        } else if constexpr (S == 3) {
            __builtin_prefetch(b.part_ring_offsets + b.feature_part_offsets[f]);
        } else if constexpr (S == 2) {
            __builtin_prefetch(b.ring_vertex_offsets + b.part_ring_offsets[b.feature_part_offsets[f]]);
        } else {
            __builtin_prefetch(b.burn + f * static_cast<std::size_t>(b.band_count));
            const std::size_t v0 = b.ring_vertex_offsets[b.part_ring_offsets[b.feature_part_offsets[f]]];
            const std::size_t v1 = b.ring_vertex_offsets[b.part_ring_offsets[b.feature_part_offsets[f + 1]]];
            constexpr std::size_t kLines = 4, kPerLine = 64 / sizeof(double);
            const std::size_t n = std::min(v1 - v0, kLines * kPerLine);
            for (std::size_t v = 0; v < n; v += kPerLine) {
                __builtin_prefetch(b.x + v0 + v);
                __builtin_prefetch(b.y + v0 + v);
            }
        }
#else
        (void)b;
        (void)f;
#endif
    }
};

/// Progress over several chunks: chunk k of K reports (k + f) / K.
struct ChunkProgress {
    const RowBandOptions *outer;
    double done;
    double share;
    static bool call(double fraction, void *self) {
        const auto *p = static_cast<const ChunkProgress *>(self);
        return p->outer->progress(p->done + p->share * fraction, p->outer->progress_arg);
    }
};

/// Calls consumer.merge(feature, spans, span_count) for every feature of the
/// batch that covers pixels of the `width` x `height` window, once per row
/// band it touches, in input order within each band. The bands run on
/// options.threads threads.
///
/// Each band gets the list of the features whose row range meets it (a
/// counting sort of (feature, band) pairs, input order kept), so a band
/// costs O(its features), not O(batch): with a scan of the whole batch per
/// band, 1M points on 8 bands spent more time skipping than burning.
///
/// Lone points skip feature_coverage() and go through a PointQueue: their
/// pixels are scattered over the raster, each one a cache miss, and
/// merging each one some points after its prefetch overlaps the misses.
///
/// With `Occlude` (policies that replace: the pixel ends up with the last
/// feature's value whatever came before) each band walks its features from
/// the last to the first and passes on only the pieces of their spans no
/// later feature covers (cover_mask.hpp): the same pixels, each written
/// once per chunk. Bands too large for the mask's cap go front to back.
template <bool Occlude = false, bool AnyOrder = false, class Consumer>
Status for_each_feature_spans(const GeometryBatch &batch, std::int32_t width, std::int32_t height,
                              const RasterWindow &window, bool all_touched,
                              const RowBandOptions &options, EngineBuffers &buffers,
                              const Consumer &consumer) {
    const std::size_t n = batch.feature_count;
    if (n == 0 || width <= 0 || height <= 0) return Status::Ok;
    const int threads = resolve_thread_count(options.threads, height);
    const RowBandPlan plan = plan_row_bands(height, threads);
    try {
        if (buffers.m_threads.size() < static_cast<std::size_t>(threads)) {
            buffers.m_threads.resize(static_cast<std::size_t>(threads));
        }
    } catch (const std::bad_alloc &) {
        return Status::OutOfMemory;
    }
    const RasterSize raster{window.raster_width, window.raster_height};
    const bool shifted = window.x_offset != 0 || window.y_offset != 0 || width != raster.width;
    const std::int64_t y_lo = window.y_offset;
    const std::int64_t y_hi = static_cast<std::int64_t>(window.y_offset) + height - 1;

    for (std::size_t f0 = 0; f0 < n;) {
        std::size_t f1 = f0;
        // Point pixels need no Z (a point's Z is read with its vertex).
        const Status listed_ok =
            buffers.m_lists.build(batch, f0, all_touched, plan, y_lo, y_hi, threads, f1, window.x_offset,
                                  AnyOrder ? width : 0, batch.z == nullptr ? raster : RasterSize{0, 0});
        if (listed_ok != Status::Ok) return listed_ok;
        const std::size_t *start = buffers.m_lists.m_start.data();
        const std::uint32_t *listed = buffers.m_lists.m_listed.data();
        const BandLists::PointPixel *pixels =
            buffers.m_lists.m_point.empty() ? nullptr : buffers.m_lists.m_point.data();
        // Without point pixels, lone points are looked for only where they
        // may be (feature_coverage gives a point's pixel too, the long way):
        // with Z, or in a chunk whose sample holds one.
        const bool look_for_points = batch.z != nullptr || buffers.m_lists.m_sampled_points;
        // A point listed with its pixel burns in the band that lists it.
        auto listed_point = [&](std::size_t f, Span &point, bool &hit) {
            const BandLists::PointPixel px = pixels[f - f0];
            if (px.row == BandLists::kNotAPoint) return false;
            point = Span{px.row, px.col, px.col, 0.0};
            hit = true;
            return true;
        };

        auto band = [&](std::int32_t k, std::int32_t b0, std::int32_t b1, int thread) {
            ThreadScratch &ts = buffers.m_threads[static_cast<std::size_t>(thread)];
            // Occlusion: a feature whose whole box the later features already
            // cover is skipped before it is rasterized (with 11 layers, the
            // deepest quarter of the star polygons).
            auto hidden = [&](std::size_t f, std::int32_t r_begin, std::int32_t r_end) {
                std::int64_t c0 = 0, c1 = 0, r0 = 0, r1 = 0;
                if (!feature_pixel_box(batch, f, c0, c1, r0, r1)) return false;
                c0 = std::max<std::int64_t>(c0 - window.x_offset, 0);
                c1 = std::min<std::int64_t>(c1 - window.x_offset, width - 1);
                r0 = std::max<std::int64_t>(r0 - window.y_offset, r_begin);
                r1 = std::min<std::int64_t>(r1 - window.y_offset, r_end - 1);
                if (c0 > c1 || r0 > r1) return false;  // feature_coverage finds nothing either
                return ts.m_cover.covers_box(static_cast<std::int32_t>(r0), static_cast<std::int32_t>(r1),
                                             static_cast<std::int32_t>(c0), static_cast<std::int32_t>(c1));
            };
            const std::int32_t y0 = b0 + window.y_offset, y1 = b1 + window.y_offset;
            const bool occlude = Occlude && CoverMask::fits(b1 - b0, width);
            if (occlude) ts.m_cover.reset(b0, b1, width);
            ts.m_points.reset();  // a band that threw may have left work behind
            ts.m_has_pending = false;
            auto merge_pending = [&] {
                if (!ts.m_has_pending) return;
                consumer.merge(ts.m_pending_feature, ts.m_pending.data(), ts.m_pending.size());
                ts.m_has_pending = false;
            };
            auto flush_points = [&] { ts.m_points.drain(consumer); };
            auto feature = [&](std::size_t f) {
                Span point{};
                bool hit = false;
                if (pixels != nullptr ? listed_point(f, point, hit)
                                      : look_for_points && lone_point_coverage(batch, f, raster, y0, y1, point, hit)) {
                    if (hit && (!shifted || shift_span(point, window, width))) {
                        if (occlude) {
                            ts.m_visible.clear();
                            ts.m_cover.take_visible(point, ts.m_visible);
                            if (ts.m_visible.empty()) return;
                        }
                        merge_pending();
                        ts.m_points.push(f, point, consumer);
                    }
                    return;
                }
                flush_points();
                if (occlude && hidden(f, b0, b1)) return;
                feature_coverage(batch, f, raster, y0, y1, all_touched, ts.m_ws, ts.m_spans);
                if (shifted) shift_into_window(ts.m_spans, window, width);
                std::vector<Span> *spans = &ts.m_spans;
                if (occlude) {
                    ts.m_visible.clear();
                    for (const Span &sp : ts.m_spans) ts.m_cover.take_visible(sp, ts.m_visible);
                    spans = &ts.m_visible;
                }
                merge_pending();
                if (spans->empty()) return;
                ts.m_pending.swap(*spans);  // both reused buffers: no copy
                ts.m_pending_feature = f;
                ts.m_has_pending = true;
                for (const Span &sp : ts.m_pending) consumer.prefetch(sp);
            };
            const auto kk = static_cast<std::size_t>(k);
            if constexpr (AnyOrder) {
                // Merges that commute (exact integer sums): walk the band
                // from left to right, so that neighbouring features share
                // the lines their spans touch. In input order each span end
                // was a miss; a column strip of the band stays in L2.
                const std::uint16_t *key = buffers.m_lists.m_key.data();
                const std::size_t lo = start[kk], listed_count = start[kk + 1] - lo;
                std::size_t at[BandLists::kKeyBuckets + 1] = {};
                for (std::size_t i = 0; i < listed_count; ++i) ++at[key[listed[lo + i]] + 1];
                for (int b = 0; b < BandLists::kKeyBuckets; ++b) at[b + 1] += at[b];
                ts.m_order.resize(listed_count);
                for (std::size_t i = 0; i < listed_count; ++i) ts.m_order[at[key[listed[lo + i]]]++] = listed[lo + i];
                FeaturePrefetch::walk(batch, f0, ts.m_order.data(), 0, listed_count, false, feature);
            } else if (buffers.m_lists.m_only_points) {
                FeaturePrefetch::walk_points(batch, pixels, f0, listed, start[kk], start[kk + 1], occlude, feature);
            } else {
                FeaturePrefetch::walk(batch, f0, listed, start[kk], start[kk + 1], occlude, feature);
            }
            merge_pending();
            flush_points();
        };
        using Band = decltype(band);
        auto call = [](void *ctx, std::int32_t k, std::int32_t b0, std::int32_t b1, int t) {
            (*static_cast<Band *>(ctx))(k, b0, b1, t);
        };
        RowBandOptions chunk_options = options;
        ChunkProgress progress{&options, static_cast<double>(f0) / static_cast<double>(n),
                               static_cast<double>(f1 - f0) / static_cast<double>(n)};
        if (options.progress != nullptr && (f0 != 0 || f1 != n)) {
            chunk_options.progress = &ChunkProgress::call;
            chunk_options.progress_arg = &progress;
        }
        const Status st = run_row_bands(plan, chunk_options, call, &band);
        if (st != Status::Ok) return st;
        f0 = f1;
    }
    return Status::Ok;
}

/// The consumer's prefetch for policies other than mean: a span's first
/// pixel in every band.
template <class T>
auto prefetch_in_bands(const RasterView<T> *views, int band_count) {
    return [views, band_count](const Span &s) {
        for (int b = 0; b < band_count; ++b) prefetch_for_write(&views[b].at(s.x0, s.y));
    };
}

/// Sum / count through row differences (difference_sum.hpp) when that is
/// exact and pays; false when the batch must go the direct way.
template <class Policy, class T>
bool try_difference_sum(const GeometryBatch &batch, const RasterView<T> *views, int band_count,
                        const RasterWindow &window, bool all_touched, const RowBandOptions &options,
                        EngineBuffers &buffers, Status &status) {
    constexpr bool count_mode = std::is_same_v<Policy, merge::Count>;
    if (batch.z != nullptr) return false;
    for (int b = 0; b < band_count; ++b) {
        if (views[b].m_pixel_spacing != static_cast<std::int64_t>(sizeof(T))) return false;
    }
    const double pixels = static_cast<double>(views[0].m_width) * views[0].m_height;
    if (polygon_pixel_estimate(batch, 2.0 * pixels) < 2.0 * pixels) return false;
    DifferenceRows<T> rows;
    try {
        if (!integer_burn_totals(batch, band_count, count_mode, buffers.m_burn_totals)) return false;
        // A batch whose total is beyond the type's bound (Float32: 2^22)
        // may still fit row by row; beyond 2^53 the per-row sums could round.
        const std::vector<double> *row_totals = nullptr;
        const bool fits = std::all_of(buffers.m_burn_totals.begin(), buffers.m_burn_totals.end(),
                                      [](double t) { return t <= exact_integer_bound<T>(); });
        if (!fits) {
            const bool exact = std::all_of(buffers.m_burn_totals.begin(), buffers.m_burn_totals.end(),
                                           [](double t) { return t < kExactDoubleIntegers; });
            if (!exact) return false;
            row_burn_totals(batch, band_count, count_mode, window.y_offset, views[0].m_height,
                            buffers.m_row_burn_totals);
            row_totals = &buffers.m_row_burn_totals;
        }
        status = rows.begin(views, band_count, buffers.m_burn_totals, buffers.m_difference_rows,
                            options.threads, row_totals);
    } catch (const std::bad_alloc &) {
        return false;  // nothing converted yet: the direct way needs no memory
    }
    if (status == Status::Ok) {
        const Policy policy{};
        const AlwaysTouched touched{};
        auto merge = [&](std::size_t f, const Span *spans, std::size_t count) {
            const double *burn = batch.burn + f * static_cast<std::size_t>(band_count);
            for (int b = 0; b < band_count; ++b) {
                const double value = count_mode ? 1.0 : burn[b];
                // No prefetch here: the walk asked for every span's two
                // cells (prefetch_ends) one feature before this merge, and
                // a point's when it entered the point queue.
                for (std::size_t i = 0; i < count; ++i) {
                    if (rows.row(spans[i].y)) {
                        DifferenceRows<T>::add_span(views[b], spans[i], value);
                    } else {
                        merge_spans(views[b], policy, touched, spans + i, 1, burn[b], false, true);
                    }
                }
            }
        };
        auto prefetch_ends = [&](const Span &sp) {
            for (int b = 0; b < band_count; ++b) DifferenceRows<T>::prefetch_span(views[b], sp);
        };
        // Integer sums are exact in any order: the band's features go by
        // column, unless a row was refused (its pixels keep input order).
        const auto consumer = make_consumer(merge, prefetch_ends);
        status = rows.all_rows()
                     ? for_each_feature_spans<false, true>(batch, views[0].m_width, views[0].m_height, window,
                                                           all_touched, options, buffers, consumer)
                     : for_each_feature_spans<false, false>(batch, views[0].m_width, views[0].m_height,
                                                            window, all_touched, options, buffers, consumer);
    }
    // Always back to values, also after a cancel or an error.
    const Status back = rows.finish(options.threads);
    if (status == Status::Ok) status = back;
    return true;
}

/// Burns a batch with a policy other than Mean into `band_count` views.
/// `touched` holds one state per band when `per_band`, else one shared state
/// committed after the last band (see merge_spans.hpp).
template <class Policy, class Touched, class T>
Status burn_batch(const GeometryBatch &batch, const RasterView<T> *views, int band_count,
                  const Policy &policy, const Touched *touched, bool per_band,
                  const RasterWindow &window, bool all_touched, const RowBandOptions &options,
                  EngineBuffers &buffers) {
    if constexpr ((std::is_same_v<Policy, merge::Sum> || std::is_same_v<Policy, merge::Count>) &&
                  std::is_same_v<Touched, AlwaysTouched> && std::is_floating_point_v<T>) {
        Status status = Status::Ok;
        if (try_difference_sum<Policy>(batch, views, band_count, window, all_touched, options,
                                       buffers, status)) {
            return status;
        }
    }
    const bool add_z = batch.z != nullptr;
    auto merge = [&](std::size_t f, const Span *spans, std::size_t count) {
        const double *burn = batch.burn + f * static_cast<std::size_t>(band_count);
        for (int b = 0; b < band_count; ++b) {
            merge_spans(views[b], policy, touched[per_band ? b : 0], spans, count, burn[b], add_z,
                        per_band || b == band_count - 1);
        }
    };
    return for_each_feature_spans<Policy::replaces>(batch, views[0].m_width, views[0].m_height,
                                                    window, all_touched, options, buffers,
                                                    make_consumer(merge, prefetch_in_bands(views, band_count)));
}

/// Burns a batch in mean mode; `states` as `touched` above.
template <class T, class Counter>
Status burn_batch_mean(const GeometryBatch &batch, const RasterView<T> *views, int band_count,
                       const MeanState<Counter> *states, bool per_band_counter,
                       const RasterWindow &window, bool all_touched,
                       const RowBandOptions &options, EngineBuffers &buffers) {
    const bool add_z = batch.z != nullptr;
    auto merge = [&](std::size_t f, const Span *spans, std::size_t count) {
        const double *burn = batch.burn + f * static_cast<std::size_t>(band_count);
        for (int b = 0; b < band_count; ++b) {
            merge_spans_mean(views[b], states[b], spans, count, burn[b], add_z,
                             per_band_counter || b == band_count - 1);
        }
    };
    auto prefetch = [&](const Span &s) {
        for (int b = 0; b < band_count; ++b) {
            prefetch_for_write(&views[b].at(s.x0, s.y));
            prefetch_for_write(&states[b].m_counts[states[b].index(s.x0, s.y)]);
        }
    };
    return for_each_feature_spans(batch, views[0].m_width, views[0].m_height, window, all_touched,
                                  options, buffers, make_consumer(merge, prefetch));
}

/// Sets a bitmap bit for every pixel that is not nodata: how the touched
/// state is rebuilt when the sentinel stops being exact.
template <class T>
void bitmap_from_nodata(const RasterView<T> &view, const TouchedBitmap &bits, NodataTest test) {
    for (std::int32_t y = 0; y < view.m_height; ++y) {
        for (std::int32_t x = 0; x < view.m_width; ++x) {
            if (!test.is_nodata(view.at(x, y))) bits.set(x, y);
        }
    }
}

/// True if every pixel of the view is nodata (a fresh output initialised to
/// nodata, where the sentinel can stand for the touched bitmap).
template <class T>
bool all_nodata(const RasterView<T> &view, NodataTest test) noexcept {
    for (std::int32_t y = 0; y < view.m_height; ++y) {
        for (std::int32_t x = 0; x < view.m_width; ++x) {
            if (!test.is_nodata(view.at(x, y))) return false;
        }
    }
    return true;
}

}  // namespace detail
}  // namespace mrast

namespace mrast {
namespace detail {

/// Checks what begin() receives: at least one band, all of one size and
/// type, memory present when the raster is not empty.
Status validate_bands(const BandBuffer *bands, int band_count) noexcept;

/// Checks a batch before any pixel changes: band count, arrays present,
/// offsets non-decreasing (so a bad batch never writes half its features).
Status validate_batch(const GeometryBatch &batch, int band_count) noexcept;

}  // namespace detail
}  // namespace mrast
