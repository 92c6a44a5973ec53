// The one place where runtime values become template arguments, once per
// batch (STYLE.md item 5): PixelType -> T, MergeMode -> policy, TouchedKind
// -> touched state, counter width -> Counter. Anything else is
// UnsupportedType (catch-all).

#include <cmath>
#include <type_traits>

#include "burn_state.hpp"

namespace mrast {
namespace detail {
namespace {

template <class T>
struct TypeTag {
    using type = T;
};

/// Calls fn(TypeTag<T>{}) for the band type; the catch-all returns
/// UnsupportedType.
template <class Fn>
Status with_pixel_type(PixelType t, Fn &&fn) {
    switch (t) {
        case PixelType::UInt8: return fn(TypeTag<std::uint8_t>{});
        case PixelType::Int8: return fn(TypeTag<std::int8_t>{});
        case PixelType::UInt16: return fn(TypeTag<std::uint16_t>{});
        case PixelType::Int16: return fn(TypeTag<std::int16_t>{});
        case PixelType::UInt32: return fn(TypeTag<std::uint32_t>{});
        case PixelType::Int32: return fn(TypeTag<std::int32_t>{});
        case PixelType::UInt64: return fn(TypeTag<std::uint64_t>{});
        case PixelType::Int64: return fn(TypeTag<std::int64_t>{});
        case PixelType::Float32: return fn(TypeTag<float>{});
        case PixelType::Float64: return fn(TypeTag<double>{});
    }
    return Status::UnsupportedType;
}

template <class T>
std::vector<RasterView<T>> views_of(const BurnState &s) {
    std::vector<RasterView<T>> views;
    views.reserve(s.m_bands.size());
    for (const BandBuffer &b : s.m_bands) views.push_back(make_view<T>(b));
    return views;
}

std::vector<TouchedBitmap> bitmaps_of(BurnState &s) {
    std::vector<TouchedBitmap> planes;
    for (int p = 0; p < s.planes(); ++p) {
        planes.push_back(TouchedBitmap{s.m_bitmap.data() + p * s.bitmap_plane_bytes(),
                                       TouchedBitmap::row_bytes_for(s.m_bands[0].width)});
    }
    return planes;
}

template <class Policy, class T>
Status burn_with_touched(BurnState &s, const GeometryBatch &batch,
                         const std::vector<RasterView<T>> &views) {
    const Policy policy{};
    const int bands = static_cast<int>(views.size());
    const bool at = s.m_options.all_touched;
    const RowBandOptions ro = s.row_options();
    switch (s.m_touched) {
        case TouchedKind::Always: {
            const AlwaysTouched t{};
            return burn_batch(batch, views.data(), bands, policy, &t, false, s.window(), at, ro,
                              s.m_buffers);
        }
        case TouchedKind::Sentinel: {
            const NodataSentinel t{s.nodata_test()};
            return burn_batch(batch, views.data(), bands, policy, &t, false, s.window(), at, ro,
                              s.m_buffers);
        }
        case TouchedKind::Bitmap: {
            if constexpr (Policy::needs_touched) {
                const std::vector<TouchedBitmap> planes = bitmaps_of(s);
                return burn_batch(batch, views.data(), bands, policy, planes.data(), s.m_per_band,
                                  s.window(), at, ro, s.m_buffers);
            }
            break;  // never planned for modes without a touched need
        }
    }
    return Status::InvalidArgument;
}

template <class Counter, class T>
std::vector<MeanState<Counter>> mean_states(BurnState &s) {
    std::vector<MeanState<Counter>> states;
    const std::int64_t px = s.pixels();
    Counter *counts = reinterpret_cast<Counter *>(s.m_counts.data());
    for (std::size_t b = 0; b < s.m_bands.size(); ++b) {
        MeanState<Counter> m;
        m.m_counts = counts + (s.m_per_band ? static_cast<std::int64_t>(b) * px : 0);
        m.m_sums = s.m_sums.empty() ? nullptr : s.m_sums.data() + static_cast<std::int64_t>(b) * px;
        m.m_width = s.m_bands[0].width;
        m.m_update = s.m_options.update;
        m.m_has_nodata = s.m_options.has_nodata;
        m.m_nodata = s.nodata_test();
        states.push_back(m);
    }
    return states;
}

template <class Fn>
Status with_counter(int bytes, Fn &&fn) {
    switch (bytes) {
        case 1: return fn(TypeTag<std::uint8_t>{});
        case 2: return fn(TypeTag<std::uint16_t>{});
        case 4: return fn(TypeTag<std::uint32_t>{});
        default: return Status::InvalidArgument;
    }
}

template <class T>
Status burn_typed(BurnState &s, const GeometryBatch &batch) {
    const std::vector<RasterView<T>> views = views_of<T>(s);
    switch (s.m_options.mode) {
        case MergeMode::Last: return burn_with_touched<merge::Last>(s, batch, views);
        case MergeMode::First: return burn_with_touched<merge::First>(s, batch, views);
        case MergeMode::Min: return burn_with_touched<merge::Min>(s, batch, views);
        case MergeMode::Max: return burn_with_touched<merge::Max>(s, batch, views);
        case MergeMode::Sum: return burn_with_touched<merge::Sum>(s, batch, views);
        case MergeMode::Count: return burn_with_touched<merge::Count>(s, batch, views);
        case MergeMode::Mean:
            return with_counter(s.m_plan.counter_bytes, [&](auto ctag) {
                using Counter = typename decltype(ctag)::type;
                const auto states = mean_states<Counter, T>(s);
                return burn_batch_mean(batch, views.data(), static_cast<int>(views.size()),
                                       states.data(), s.m_per_band, s.window(),
                                       s.m_options.all_touched,
                                       s.row_options(), s.m_buffers);
            });
    }
    return Status::InvalidArgument;
}

}  // namespace

Status all_bands_nodata(const BurnState &s, bool &all_nodata) {
    return with_pixel_type(s.m_bands[0].type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        all_nodata = true;
        for (const BandBuffer &b : s.m_bands) {
            if (!detail::all_nodata(make_view<T>(b), s.nodata_test())) {
                all_nodata = false;
                break;
            }
        }
        return Status::Ok;
    });
}

Status batch_hits_nodata(const BurnState &s, const GeometryBatch &batch, bool &hits) {
    return with_pixel_type(s.m_bands[0].type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const NodataTest test = s.nodata_test();
        const int bands = batch.band_count;
        hits = false;
        for (std::size_t f = 0; f < batch.feature_count && !hits; ++f) {
            // Z of the feature's vertices: interpolated Z stays in their range
            // (widened by a relative 1e-9 against interpolation rounding).
            double zlo = 0.0, zhi = 0.0;
            bool z_nan = false;
            if (batch.z != nullptr) {
                const std::size_t v0 =
                    batch.ring_vertex_offsets[batch.part_ring_offsets[batch.feature_part_offsets[f]]];
                const std::size_t v1 = batch.ring_vertex_offsets
                                           [batch.part_ring_offsets[batch.feature_part_offsets[f + 1]]];
                if (v0 == v1) continue;
                zlo = zhi = batch.z[v0];
                for (std::size_t v = v0; v < v1; ++v) {
                    const double z = batch.z[v];
                    z_nan = z_nan || std::isnan(z);
                    zlo = z < zlo ? z : zlo;
                    zhi = z > zhi ? z : zhi;
                }
            }
            for (int b = 0; b < bands && !hits; ++b) {
                const double burn = batch.burn[f * static_cast<std::size_t>(bands) + b];
                if (batch.z == nullptr) {
                    hits = test.is_nodata(copy_word<T>(burn));
                    continue;
                }
                if (z_nan || std::isnan(burn) || std::isnan(zlo) || std::isnan(zhi)) {
                    hits = hits || test.is_nodata(copy_word<T>(std::nan("")));
                }
                const double lo = burn + zlo, hi = burn + zhi;
                if (std::isnan(lo) || std::isnan(hi)) {  // inf - inf
                    hits = hits || test.is_nodata(copy_word<T>(std::nan("")));
                    continue;
                }
                const double slack = 1e-9 * (std::fabs(lo) > std::fabs(hi) ? std::fabs(lo) : std::fabs(hi));
                const double clo = static_cast<double>(copy_word<T>(lo - slack));
                const double chi = static_cast<double>(copy_word<T>(hi + slack));
                hits = hits || (!test.m_nodata_is_nan && clo <= test.m_nodata && test.m_nodata <= chi);
            }
        }
        return Status::Ok;
    });
}

Status fill_bitmap_from_nodata(BurnState &s) {
    return with_pixel_type(s.m_bands[0].type, [&](auto tag) {
        using T = typename decltype(tag)::type;
        const std::vector<TouchedBitmap> planes = bitmaps_of(s);
        for (int p = 0; p < s.planes(); ++p) {
            bitmap_from_nodata(make_view<T>(s.m_bands[static_cast<std::size_t>(p)]), planes[static_cast<std::size_t>(p)],
                               s.nodata_test());
        }
        return Status::Ok;
    });
}

Status dispatch_burn(BurnState &s, const GeometryBatch &batch) {
    try {
        return with_pixel_type(s.m_bands[0].type,
                               [&](auto tag) { return burn_typed<typename decltype(tag)::type>(s, batch); });
    } catch (const std::bad_alloc &) {
        return Status::OutOfMemory;
    }
}

Status dispatch_finish(BurnState &s) {
    try {
        return with_pixel_type(s.m_bands[0].type, [&](auto tag) {
            using T = typename decltype(tag)::type;
            return with_counter(s.m_plan.counter_bytes, [&](auto ctag) {
                using Counter = typename decltype(ctag)::type;
                const auto views = views_of<T>(s);
                const auto states = mean_states<Counter, T>(s);
                auto rows = [&](std::int32_t y0, std::int32_t y1, int) {
                    for (std::size_t b = 0; b < views.size(); ++b) {
                        finish_mean_rows(views[b], states[b], y0, y1);
                    }
                };
                RowBandOptions ro{s.m_options.threads, nullptr, nullptr};
                return run_row_bands(s.m_bands[0].height, ro, rows);
            });
        });
    } catch (const std::bad_alloc &) {
        return Status::OutOfMemory;
    }
}

}  // namespace detail
}  // namespace mrast
