#pragma once
// C++ hook for merges the built-in modes do not cover: a user functor
//   T fn(T current, double burn, bool has_contributor)
// called once per covered pixel, in input order, on the same engine (row
// bands, threads, coverage) as Burner. It gets an exact has_contributor
// (SPEC section 4 contributors), which costs a 1 bit/px touched bitmap
// except in update mode without nodata.
//
//   auto keep_larger_odd = [](std::int32_t cur, double v, bool any) {...};
//   mrast::CustomBurner<std::int32_t, decltype(keep_larger_odd)> b(keep_larger_odd);
//   b.begin(bands, 1, options); b.burn(batch); b.finish();
//
// options.mode is ignored. The functor runs on several threads at once (on
// different rows): it must not mutate shared state.

#include <new>
#include <type_traits>
#include <vector>

#include "mrast/burn.hpp"
#include "mrast/detail/burn_engine.hpp"
#include "mrast/merge_policies.hpp"

namespace mrast {

/// @tparam T band type; must match every BandBuffer's type
/// @tparam F callable `T(T current, double burn, bool has_contributor) const`
template <class T, class F>
class CustomBurner {
  public:
    explicit CustomBurner(F fn) : m_policy{fn} {}

    Status begin(const BandBuffer *bands, int band_count, const BurnOptions &options) {
        m_begun = false;
        if (auto st = detail::validate_bands(bands, band_count); st != Status::Ok) return st;
        if (pixel_size(bands[0].type) != sizeof(T) || !type_matches(bands[0].type)) {
            return Status::InvalidArgument;
        }
        m_options = options;
        try {
            m_views.clear();
            m_window = window_of(bands[0]);
            for (int b = 0; b < band_count; ++b) m_views.push_back(detail::make_view<T>(bands[b]));
            std::vector<std::uint8_t>().swap(m_bits);
            m_planes.clear();
            m_always = options.update && !options.has_nodata;
            if (!m_always) {
                // Update mode with nodata: bands differ in which pixels have
                // an existing contributor, so one bitmap each.
                const int planes = options.update ? band_count : 1;
                const std::int64_t row_bytes = TouchedBitmap::row_bytes_for(bands[0].width);
                const std::int64_t plane = row_bytes * bands[0].height;
                m_bits.assign(static_cast<std::size_t>(plane * planes), 0);
                for (int p = 0; p < planes; ++p) {
                    m_planes.push_back(TouchedBitmap{m_bits.data() + p * plane, row_bytes});
                    if (options.update) {
                        detail::bitmap_from_nodata(m_views[static_cast<std::size_t>(p)],
                                                   m_planes.back(),
                                                   NodataTest::make(options.nodata));
                    }
                }
            }
        } catch (const std::bad_alloc &) {
            return Status::OutOfMemory;
        }
        m_begun = true;
        return Status::Ok;
    }

    Status burn(const GeometryBatch &batch) {
        if (!m_begun) return Status::InvalidArgument;
        const int bands = static_cast<int>(m_views.size());
        if (auto st = detail::validate_batch(batch, bands); st != Status::Ok) return st;
        const RowBandOptions ro{m_options.threads, m_options.progress, m_options.progress_arg};
        try {
            if (m_always) {
                const AlwaysTouched t{};
                return detail::burn_batch(batch, m_views.data(), bands, m_policy, &t, false,
                                          m_window, m_options.all_touched, ro, m_buffers);
            }
            return detail::burn_batch(batch, m_views.data(), bands, m_policy, m_planes.data(),
                                      m_planes.size() > 1, m_window, m_options.all_touched, ro,
                                      m_buffers);
        } catch (const std::bad_alloc &) {
            return Status::OutOfMemory;
        }
    }

    Status finish() {
        if (!m_begun) return Status::InvalidArgument;
        std::vector<std::uint8_t>().swap(m_bits);
        m_planes.clear();
        m_begun = false;
        return Status::Ok;
    }

  private:
    static bool type_matches(PixelType t) noexcept {
        const bool is_float = t == PixelType::Float32 || t == PixelType::Float64;
        const bool is_signed = t == PixelType::Int8 || t == PixelType::Int16 ||
                               t == PixelType::Int32 || t == PixelType::Int64;
        if constexpr (std::is_floating_point_v<T>) return is_float;
        else return !is_float && is_signed == std::is_signed_v<T>;
    }

    merge::Custom<F> m_policy;
    BurnOptions m_options;
    bool m_begun = false;
    bool m_always = false;
    std::vector<RasterView<T>> m_views;
    RasterWindow m_window;
    std::vector<std::uint8_t> m_bits;
    std::vector<TouchedBitmap> m_planes;
    detail::EngineBuffers m_buffers;
};

}  // namespace mrast
