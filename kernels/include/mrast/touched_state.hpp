#pragma once
// "Has this pixel a contributor yet?" -- the only per-pixel state first, min,
// max (and a custom merge) need, in three flavours of decreasing cost
// (SPEC section 5: at most 1 bit per pixel, none when avoidable):
//   AlwaysTouched   update mode without nodata: every pixel's existing value
//                   is a contributor, so the answer is always yes. No memory.
//   NodataSentinel  a pixel still equal to nodata (NaN matches NaN) has no
//                   contributor. No memory; exact only while no converted
//                   burn value equals nodata, which the engine checks per
//                   batch before switching to a bitmap.
//   TouchedBitmap   1 bit per pixel; each row starts on a byte so that row
//                   bands on different threads never write the same byte.
// Interface: has_contributor(dst, x, y) per pixel, mark(y, x0, x1) per span
// once the pixel's feature has been merged (marks_spans says if it matters).

#include <cstdint>

#include "mrast/host_device.hpp"
#include "mrast/pixel_convert.hpp"

namespace mrast {

struct AlwaysTouched {
    static constexpr bool marks_spans = false;
    template <class T>
    MRAST_HD bool has_contributor(T, std::int32_t, std::int32_t) const noexcept {
        return true;
    }
    MRAST_HD void mark(std::int32_t, std::int32_t, std::int32_t) const noexcept {}
};

/// Nodata comparison shared by the sentinel, sum/count and mean: GDAL
/// compares pixels to nodata as doubles, and a NaN nodata matches any NaN.
struct NodataTest {
    double m_nodata = 0.0;
    bool m_nodata_is_nan = false;

    MRAST_HD static NodataTest make(double nodata) noexcept { return {nodata, is_nan(nodata)}; }
    template <class T>
    MRAST_HD bool is_nodata(T v) const noexcept {
        return m_nodata_is_nan ? is_nan(v) : static_cast<double>(v) == m_nodata;
    }
};

struct NodataSentinel {
    static constexpr bool marks_spans = false;
    NodataTest m_test;
    template <class T>
    MRAST_HD bool has_contributor(T dst, std::int32_t, std::int32_t) const noexcept {
        return !m_test.is_nodata(dst);
    }
    MRAST_HD void mark(std::int32_t, std::int32_t, std::int32_t) const noexcept {}
};

struct TouchedBitmap {
    static constexpr bool marks_spans = true;
    std::uint8_t *m_bits = nullptr;  // owned by the engine
    std::int64_t m_row_bytes = 0;    // (width + 7) / 8

    static constexpr std::int64_t row_bytes_for(std::int32_t width) noexcept {
        return (static_cast<std::int64_t>(width) + 7) / 8;
    }
    template <class T>
    MRAST_HD bool has_contributor(T, std::int32_t x, std::int32_t y) const noexcept {
        return (m_bits[y * m_row_bytes + (x >> 3)] >> (x & 7)) & 1u;
    }
    MRAST_HD void set(std::int32_t x, std::int32_t y) const noexcept {
        m_bits[y * m_row_bytes + (x >> 3)] |= static_cast<std::uint8_t>(1u << (x & 7));
    }
    /// Sets bits x0..x1 (inclusive) of row y, a byte at a time in the middle.
    MRAST_HD void mark(std::int32_t y, std::int32_t x0, std::int32_t x1) const noexcept {
        std::uint8_t *row = m_bits + y * m_row_bytes;
        const std::int32_t b0 = x0 >> 3, b1 = x1 >> 3;
        const unsigned lo = 0xFFu << (x0 & 7);
        const unsigned hi = 0xFFu >> (7 - (x1 & 7));
        if (b0 == b1) {
            row[b0] |= static_cast<std::uint8_t>(lo & hi);
            return;
        }
        row[b0] |= static_cast<std::uint8_t>(lo);
        for (std::int32_t b = b0 + 1; b < b1; ++b) row[b] = 0xFFu;
        row[b1] |= static_cast<std::uint8_t>(hi);
    }
};

}  // namespace mrast
