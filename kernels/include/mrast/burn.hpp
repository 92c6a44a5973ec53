#pragma once
// The kernels' public entry point: burn batches of geometries into one or
// more bands with a per-pixel merge mode, in place in the caller's buffers.
//
//   mrast::BurnOptions opt; opt.mode = mrast::MergeMode::Max;
//   mrast::Burner burner;
//   if (auto s = burner.begin(bands, band_count, opt); s != Status::Ok) ...
//   burner.burn(batch1); burner.burn(batch2);   // input order is kept
//   burner.finish();                             // mean divides here
//
// Rasterization follows GDAL 3.13 pixel for pixel (see kernels/README.md);
// the merge semantics are SPEC section 4.

#include <cstdint>
#include <memory>

#include "mrast/geometry.hpp"
#include "mrast/raster_view.hpp"
#include "mrast/status.hpp"

namespace mrast {

enum class MergeMode { Last, First, Min, Max, Sum, Count, Mean };

/// Parses "last", "first", ... (case-insensitive). Returns false if unknown.
bool parse_merge_mode(const char *name, MergeMode &out) noexcept;
const char *merge_mode_name(MergeMode m) noexcept;

struct BurnOptions {
    MergeMode mode = MergeMode::Last;
    bool all_touched = false;
    /// Update mode: existing pixel values (other than nodata) are contributors.
    bool update = false;
    bool has_nodata = false;
    double nodata = 0.0;  // per SPEC: NaN nodata matches NaN pixels
    /// Upper bound on the number of features that will be burnt (all batches);
    /// sizes the mean counter (u8/u16/u32). 0 = unknown (u32).
    std::uint64_t max_features = 0;
    /// Worker threads; 0 = all cores. Output is bit-identical for any count.
    int threads = 0;
    /// Called between row bands with the fraction done (0..1); returning
    /// false stops the burn with Status::Cancelled. May be null.
    bool (*progress)(double fraction, void *arg) = nullptr;
    void *progress_arg = nullptr;
};

/// Width in bytes of the per-pixel scratch a mode needs (0 = none); exposed so
/// tests and benchmarks can assert SPEC section 5.
struct ScratchPlan {
    int touched_bits_per_pixel = 0;  // 0 or 1
    int counter_bytes = 0;           // mean: 1, 2 or 4
    int sum_bytes = 0;               // mean on integer bands: 8
};

class Burner {
  public:
    Burner();
    ~Burner();
    Burner(const Burner &) = delete;
    Burner &operator=(const Burner &) = delete;

    /// Validates the buffers (same size and type for every band) and
    /// allocates the scratch the mode needs. bands[b] receives burn[f*band_count+b].
    Status begin(const BandBuffer *bands, int band_count, const BurnOptions &options);
    /// Burns one batch; features are merged in order after all earlier batches.
    Status burn(const GeometryBatch &batch);
    /// Finalizes (mean) and releases scratch.
    Status finish();

    const ScratchPlan &scratch_plan() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace mrast
