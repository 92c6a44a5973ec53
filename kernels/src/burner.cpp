// mrast::Burner: validation, the scratch plan (SPEC section 5) and the
// sentinel -> bitmap switch. Typed work is in burn_dispatch.cpp.

#include <new>

#include "burn_state.hpp"

namespace mrast {

struct Burner::Impl {
    detail::BurnState m_state;
};

namespace {

using detail::BurnState;
using detail::TouchedKind;

/// Narrowest counter holding `n` contributors (SPEC section 5).
int counter_bytes_for(std::uint64_t n) noexcept {
    if (n != 0 && n <= 0xFFu) return 1;
    if (n != 0 && n <= 0xFFFFu) return 2;
    return 4;
}

bool is_integer_type(PixelType t) noexcept {
    return t != PixelType::Float32 && t != PixelType::Float64;
}

bool mode_needs_touched(MergeMode m) noexcept {
    return m == MergeMode::First || m == MergeMode::Min || m == MergeMode::Max;
}

Status allocate_bitmap(BurnState &s) {
    s.m_bitmap.assign(static_cast<std::size_t>(s.bitmap_plane_bytes() * s.planes()), 0);
    s.m_touched = TouchedKind::Bitmap;
    s.m_plan.touched_bits_per_pixel = 1;
    return Status::Ok;
}

Status plan_scratch(BurnState &s) {
    const BurnOptions &o = s.m_options;
    s.m_plan = ScratchPlan{};
    s.m_per_band = o.update && o.has_nodata;
    s.m_touched = TouchedKind::Always;
    switch (o.mode) {
        case MergeMode::Last: return Status::Ok;
        case MergeMode::Sum:
        case MergeMode::Count:
            // "nodata pixel = no contributor" is the definition here, so the
            // sentinel is always exact and no scratch is needed.
            if (o.has_nodata) s.m_touched = TouchedKind::Sentinel;
            return Status::Ok;
        case MergeMode::First:
        case MergeMode::Min:
        case MergeMode::Max: {
            if (o.update && !o.has_nodata) return Status::Ok;  // existing value always counts
            if (o.has_nodata) {
                // A fresh output can use the sentinel only if it really is
                // all nodata (--init may differ from --nodata).
                bool all_nodata = true;
                if (!o.update) {
                    if (auto st = detail::all_bands_nodata(s, all_nodata); st != Status::Ok) return st;
                }
                if (all_nodata) {
                    s.m_touched = TouchedKind::Sentinel;
                    return Status::Ok;
                }
            }
            return allocate_bitmap(s);
        }
        case MergeMode::Mean: {
            const std::uint64_t needed =
                o.max_features == 0 ? 0 : o.max_features + (o.update ? 1u : 0u);
            const int width = counter_bytes_for(needed);
            s.m_plan.counter_bytes = width;
            s.m_counter_limit = width == 1 ? 0xFFu : width == 2 ? 0xFFFFu : 0xFFFFFFFFu;
            s.m_counts.assign(static_cast<std::size_t>(s.pixels() * width * s.planes()), 0);
            if (is_integer_type(s.m_bands[0].type)) {
                s.m_plan.sum_bytes = 8;
                s.m_sums.assign(static_cast<std::size_t>(s.pixels()) * s.m_bands.size(), 0.0);
            }
            return Status::Ok;
        }
    }
    return Status::InvalidArgument;
}

void release_scratch(BurnState &s) {
    // swap, not clear(): the point is to give the memory back.
    std::vector<std::uint8_t>().swap(s.m_bitmap);
    std::vector<std::uint8_t>().swap(s.m_counts);
    std::vector<double>().swap(s.m_sums);
}

}  // namespace

Burner::Burner() : m_impl(new Impl) {}
Burner::~Burner() = default;

Status Burner::begin(const BandBuffer *bands, int band_count, const BurnOptions &options) {
    BurnState &s = m_impl->m_state;
    s.m_begun = false;
    release_scratch(s);
    if (auto st = detail::validate_bands(bands, band_count); st != Status::Ok) return st;
    if (static_cast<unsigned>(options.mode) > static_cast<unsigned>(MergeMode::Mean)) {
        return Status::InvalidArgument;
    }
    try {
        s.m_bands.assign(bands, bands + band_count);
        s.m_options = options;
        s.m_features = 0;
        if (auto st = plan_scratch(s); st != Status::Ok) return st;
    } catch (const std::bad_alloc &) {
        release_scratch(s);
        return Status::OutOfMemory;
    }
    s.m_begun = true;
    return Status::Ok;
}

Status Burner::burn(const GeometryBatch &batch) {
    BurnState &s = m_impl->m_state;
    if (!s.m_begun) return Status::InvalidArgument;
    if (auto st = detail::validate_batch(batch, static_cast<int>(s.m_bands.size())); st != Status::Ok) {
        return st;
    }
    if (batch.feature_count == 0) return Status::Ok;
    if (s.m_options.mode == MergeMode::Mean) {
        // The counter must hold every contributor: refuse rather than wrap.
        const std::uint64_t total =
            s.m_features + batch.feature_count + (s.m_options.update ? 1u : 0u);
        if (total > s.m_counter_limit) return Status::InvalidArgument;
    }
    if (s.m_touched == TouchedKind::Sentinel && mode_needs_touched(s.m_options.mode)) {
        bool hits = false;
        if (auto st = detail::batch_hits_nodata(s, batch, hits); st != Status::Ok) return st;
        if (hits) {
            // A burn value equal to nodata would look untouched: from now on
            // remember contributors in a bitmap seeded from the sentinel.
            // A fresh output shares one bitmap: its bands agree on which
            // pixels were burnt.
            s.m_per_band = s.m_options.update;
            try {
                allocate_bitmap(s);
            } catch (const std::bad_alloc &) {
                return Status::OutOfMemory;
            }
            if (auto st = detail::fill_bitmap_from_nodata(s); st != Status::Ok) return st;
        }
    }
    s.m_features += batch.feature_count;
    return detail::dispatch_burn(s, batch);
}

Status Burner::finish() {
    BurnState &s = m_impl->m_state;
    if (!s.m_begun) return Status::InvalidArgument;
    Status st = Status::Ok;
    if (s.m_options.mode == MergeMode::Mean) st = detail::dispatch_finish(s);
    release_scratch(s);
    s.m_begun = false;
    return st;
}

const ScratchPlan &Burner::scratch_plan() const noexcept { return m_impl->m_state.m_plan; }

}  // namespace mrast
