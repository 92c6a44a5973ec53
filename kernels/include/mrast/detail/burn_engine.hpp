#pragma once
// The engine skeleton shared by Burner (built-in modes, dispatched in
// kernels/src/burn_dispatch.cpp) and CustomBurner (user functors):
//   geometry batch -> row bands (threads) -> feature_coverage() spans
//   -> merge_spans() into every band.
// Internal header: the layout may change without notice.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mrast/coverage.hpp"
#include "mrast/geometry.hpp"
#include "mrast/merge_spans.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/row_bands.hpp"
#include "mrast/status.hpp"
#include "mrast/touched_state.hpp"

namespace mrast {
namespace detail {

/// One thread's reusable buffers: after the first few features the hot loop
/// no longer allocates.
struct ThreadScratch {
    CoverageWorkspace m_ws;
    std::vector<Span> m_spans;
};

/// Buffers kept across batches by one engine.
struct EngineBuffers {
    std::vector<ThreadScratch> m_threads;
    std::vector<std::int32_t> m_rows;  // [first, last] row per feature of the batch
};

template <class T>
RasterView<T> make_view(const BandBuffer &b) noexcept {
    return RasterView<T>{static_cast<unsigned char *>(b.data), b.width, b.height, b.pixel_spacing,
                         b.line_spacing};
}

/// Clips spans (whole-raster coordinates) to the window's columns and moves
/// them into buffer coordinates; rows are already inside the window.
inline void shift_into_window(std::vector<Span> &spans, const RasterWindow &w,
                              std::int32_t width) noexcept {
    std::size_t kept = 0;
    for (const Span &s : spans) {
        const std::int32_t x0 = std::max(s.x0, w.x_offset) - w.x_offset;
        const std::int32_t x1 = std::min(s.x1, w.x_offset + width - 1) - w.x_offset;
        if (x0 > x1) continue;
        spans[kept++] = Span{s.y - w.y_offset, x0, x1, s.z};
    }
    spans.resize(kept);
}

/// Calls apply(feature, spans, span_count) for every feature of the batch
/// that covers pixels of the `width` x `height` window, once per row band
/// it touches, in input order within each band. The bands run on
/// options.threads threads.
template <class Apply>
Status for_each_feature_spans(const GeometryBatch &batch, std::int32_t width, std::int32_t height,
                              const RasterWindow &window, bool all_touched,
                              const RowBandOptions &options, EngineBuffers &buffers,
                              const Apply &apply) {
    const std::size_t n = batch.feature_count;
    if (n == 0 || width <= 0 || height <= 0) return Status::Ok;
    try {
        buffers.m_rows.resize(2 * n);
        const int threads = resolve_thread_count(options.threads, height);
        if (buffers.m_threads.size() < static_cast<std::size_t>(threads)) {
            buffers.m_threads.resize(static_cast<std::size_t>(threads));
        }
    } catch (const std::bad_alloc &) {
        return Status::OutOfMemory;
    }
    std::int32_t *rows = buffers.m_rows.data();
    for (std::size_t f = 0; f < n; ++f) {
        feature_row_range(batch, f, all_touched, rows[2 * f], rows[2 * f + 1]);
    }
    const RasterSize raster{window.raster_width, window.raster_height};
    const bool shifted = window.x_offset != 0 || window.y_offset != 0 || width != raster.width;
    auto band = [&](std::int32_t b0, std::int32_t b1, int thread) {
        ThreadScratch &ts = buffers.m_threads[static_cast<std::size_t>(thread)];
        const std::int32_t y0 = b0 + window.y_offset, y1 = b1 + window.y_offset;
        for (std::size_t f = 0; f < n; ++f) {
            if (rows[2 * f] >= y1 || rows[2 * f + 1] < y0 || rows[2 * f + 1] < rows[2 * f]) {
                continue;
            }
            feature_coverage(batch, f, raster, y0, y1, all_touched, ts.m_ws, ts.m_spans);
            if (shifted) shift_into_window(ts.m_spans, window, width);
            if (!ts.m_spans.empty()) apply(f, ts.m_spans.data(), ts.m_spans.size());
        }
    };
    return run_row_bands(height, options, band);
}

/// Burns a batch with a policy other than Mean into `band_count` views.
/// `touched` holds one state per band when `per_band`, else one shared state
/// committed after the last band (see merge_spans.hpp).
template <class Policy, class Touched, class T>
Status burn_batch(const GeometryBatch &batch, const RasterView<T> *views, int band_count,
                  const Policy &policy, const Touched *touched, bool per_band,
                  const RasterWindow &window, bool all_touched, const RowBandOptions &options,
                  EngineBuffers &buffers) {
    const bool add_z = batch.z != nullptr;
    auto apply = [&](std::size_t f, const Span *spans, std::size_t count) {
        const double *burn = batch.burn + f * static_cast<std::size_t>(band_count);
        for (int b = 0; b < band_count; ++b) {
            merge_spans(views[b], policy, touched[per_band ? b : 0], spans, count, burn[b], add_z,
                        per_band || b == band_count - 1);
        }
    };
    return for_each_feature_spans(batch, views[0].m_width, views[0].m_height, window, all_touched,
                                  options, buffers, apply);
}

/// Burns a batch in mean mode; `states` as `touched` above.
template <class T, class Counter>
Status burn_batch_mean(const GeometryBatch &batch, const RasterView<T> *views, int band_count,
                       const MeanState<Counter> *states, bool per_band_counter,
                       const RasterWindow &window, bool all_touched,
                       const RowBandOptions &options, EngineBuffers &buffers) {
    const bool add_z = batch.z != nullptr;
    auto apply = [&](std::size_t f, const Span *spans, std::size_t count) {
        const double *burn = batch.burn + f * static_cast<std::size_t>(band_count);
        for (int b = 0; b < band_count; ++b) {
            merge_spans_mean(views[b], states[b], spans, count, burn[b], add_z,
                             per_band_counter || b == band_count - 1);
        }
    };
    return for_each_feature_spans(batch, views[0].m_width, views[0].m_height, window, all_touched,
                                  options, buffers, apply);
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
