#pragma once
// Views of a GeometryBatch's flat arrays as GDAL's rasterizers see them:
// one ring / line string, the rings of one polygon, the per-vertex Z.
// MRAST_HD: the CPU coverage and the CUDA kernels walk the same views.

#include <cstddef>

#include "mrast/host_device.hpp"

namespace mrast {
namespace rules {

/// A view of one ring / line string: vertices [begin, end) of the batch.
struct RingView {
    const double *x;
    const double *y;
    std::size_t begin;
    std::size_t end;
    MRAST_HD std::size_t size() const noexcept { return end - begin; }
};

/// The rings of one polygon part: rings [ring_begin, ring_end) of a batch.
struct PolygonView {
    const double *x;
    const double *y;
    const std::size_t *ring_vertex_offsets;
    std::size_t ring_begin;
    std::size_t ring_end;
    MRAST_HD std::size_t ring_count() const noexcept { return ring_end - ring_begin; }
    MRAST_HD RingView ring(std::size_t i) const noexcept {
        return RingView{x, y, ring_vertex_offsets[ring_begin + i],
                        ring_vertex_offsets[ring_begin + i + 1]};
    }
};

/// Per-vertex Z as GDAL's padfVariant sees it: `values` null means GDAL was
/// given no variant array (BURN_VALUE_FROM unset), so every burn adds 0.
/// `constant` replaces every vertex's Z by one value: GDAL does that for
/// all-touched polygon rings ("Reverting the variants to the first value",
/// gv_rasterize_one_shape).
struct ZSource {
    const double *values = nullptr;
    bool use_constant = false;
    double constant = 0.0;

    MRAST_HD bool present() const noexcept { return values != nullptr || use_constant; }
    MRAST_HD double at(std::size_t i) const noexcept {
        return use_constant ? constant : (values != nullptr ? values[i] : 0.0);
    }
};

}  // namespace rules
}  // namespace mrast
