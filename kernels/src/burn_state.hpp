#pragma once
// Internal state of mrast::Burner, shared by burner.cpp (the untyped
// control flow) and burn_dispatch.cpp (the one place where runtime pixel
// type, merge mode and touched state become template arguments).

#include <cstdint>
#include <vector>

#include "mrast/burn.hpp"
#include "mrast/detail/burn_engine.hpp"

namespace mrast {
namespace detail {

/// Where first/min/max (and sum/count) learn whether a pixel has a contributor.
enum class TouchedKind {
    Always,    // AlwaysTouched (also used, unread, by last)
    Sentinel,  // NodataSentinel
    Bitmap,    // TouchedBitmap
};

struct BurnState {
    std::vector<BandBuffer> m_bands;
    BurnOptions m_options;
    ScratchPlan m_plan;
    bool m_begun = false;

    TouchedKind m_touched = TouchedKind::Always;
    /// Touched bitmaps and mean counters: one per band in update mode with
    /// nodata (bands' existing values differ in which pixels are nodata),
    /// else one shared by all bands.
    bool m_per_band = false;
    std::vector<std::uint8_t> m_bitmap;  // planes of height * row_bytes
    std::vector<std::uint8_t> m_counts;  // planes of width * height counters
    std::vector<double> m_sums;          // mean on integer bands, one plane per band
    std::uint64_t m_counter_limit = 0;   // largest count the counter holds
    std::uint64_t m_features = 0;        // features burnt so far

    EngineBuffers m_buffers;

    NodataTest nodata_test() const noexcept { return NodataTest::make(m_options.nodata); }
    int planes() const noexcept { return m_per_band ? static_cast<int>(m_bands.size()) : 1; }
    std::int64_t pixels() const noexcept {
        return static_cast<std::int64_t>(m_bands[0].width) * m_bands[0].height;
    }
    std::int64_t bitmap_plane_bytes() const noexcept {
        return TouchedBitmap::row_bytes_for(m_bands[0].width) * m_bands[0].height;
    }
    RasterWindow window() const noexcept { return window_of(m_bands[0]); }
    RowBandOptions row_options() const noexcept {
        return RowBandOptions{m_options.threads, m_options.progress, m_options.progress_arg};
    }
};

// Typed operations, implemented in burn_dispatch.cpp.

/// True if every pixel of every band is nodata.
Status all_bands_nodata(const BurnState &state, bool &all_nodata);
/// True if some burn value of the batch, converted to the band type, may
/// equal nodata (exact without Z; a conservative range test with Z).
Status batch_hits_nodata(const BurnState &state, const GeometryBatch &batch, bool &hits);
/// Fills the (allocated, zeroed) bitmap planes from "pixel is not nodata".
Status fill_bitmap_from_nodata(BurnState &state);
Status dispatch_burn(BurnState &state, const GeometryBatch &batch);
Status dispatch_finish(BurnState &state);

}  // namespace detail
}  // namespace mrast
