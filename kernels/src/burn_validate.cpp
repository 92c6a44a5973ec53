// Entry checks shared by Burner and CustomBurner (STYLE.md item 8: check
// preconditions once, at entry).

#include "mrast/detail/burn_engine.hpp"

namespace mrast {
namespace detail {
namespace {

/// Without an exit per element the loop vectorises: for 1M points the three
/// offset checks read 24 MB, and an early-exit loop ran at a fraction of
/// memory speed.
bool non_decreasing(const std::size_t *offsets, std::size_t begin, std::size_t end) noexcept {
    bool falls = false;
    for (std::size_t i = begin; i < end; ++i) falls |= offsets[i + 1] < offsets[i];
    return !falls;
}

}  // namespace

Status validate_bands(const BandBuffer *bands, int band_count) noexcept {
    if (bands == nullptr || band_count <= 0) return Status::InvalidArgument;
    const BandBuffer &first = bands[0];
    if (pixel_size(first.type) == 0) return Status::UnsupportedType;
    for (int b = 0; b < band_count; ++b) {
        const BandBuffer &band = bands[b];
        if (band.type != first.type) return Status::InvalidArgument;
        if (band.width != first.width || band.height != first.height) {
            return Status::InvalidArgument;
        }
        if (band.width < 0 || band.height < 0) return Status::InvalidArgument;
        if (band.width > 0 && band.height > 0 && band.data == nullptr) {
            return Status::InvalidArgument;
        }
        // Every band is the same window, lying inside its raster.
        const RasterWindow w = window_of(band), w0 = window_of(first);
        if (w.x_offset != w0.x_offset || w.y_offset != w0.y_offset ||
            w.raster_width != w0.raster_width || w.raster_height != w0.raster_height) {
            return Status::InvalidArgument;
        }
        if (w.x_offset < 0 || w.y_offset < 0 ||
            static_cast<std::int64_t>(w.x_offset) + band.width > w.raster_width ||
            static_cast<std::int64_t>(w.y_offset) + band.height > w.raster_height) {
            return Status::InvalidArgument;
        }
    }
    return Status::Ok;
}

Status validate_batch(const GeometryBatch &batch, int band_count) noexcept {
    if (batch.band_count != band_count) return Status::InvalidArgument;
    const std::size_t n = batch.feature_count;
    if (n == 0) return Status::Ok;
    if (batch.feature_part_offsets == nullptr || batch.part_ring_offsets == nullptr ||
        batch.ring_vertex_offsets == nullptr || batch.burn == nullptr) {
        return Status::InvalidArgument;
    }
    const std::size_t *fp = batch.feature_part_offsets;
    // Features without parts (empty geometries) are valid and burn nothing;
    // part kinds are needed only when there are parts (found by fuzzing).
    if (fp[n] > fp[0] && batch.part_kind == nullptr) return Status::InvalidArgument;
    if (!non_decreasing(fp, 0, n)) return Status::InvalidArgument;
    if (!non_decreasing(batch.part_ring_offsets, fp[0], fp[n])) return Status::InvalidArgument;
    const std::size_t r0 = batch.part_ring_offsets[fp[0]], r1 = batch.part_ring_offsets[fp[n]];
    if (!non_decreasing(batch.ring_vertex_offsets, r0, r1)) return Status::InvalidArgument;
    bool unknown_kind = false;
    for (std::size_t p = fp[0]; p < fp[n]; ++p) {
        unknown_kind |= static_cast<unsigned>(batch.part_kind[p]) > static_cast<unsigned>(PartKind::Polygon);
    }
    if (unknown_kind) return Status::InvalidArgument;
    const bool has_vertices = batch.ring_vertex_offsets[r1] > batch.ring_vertex_offsets[r0];
    if (has_vertices && (batch.x == nullptr || batch.y == nullptr)) return Status::InvalidArgument;
    return Status::Ok;
}

}  // namespace detail
}  // namespace mrast
