#pragma once
// Occlusion for policies that replace (last): walking a row band's features
// from the last to the first, a pixel an already-visited feature covers can
// never change again, so only the still-uncovered pieces of each span are
// written: each pixel once per chunk instead of once per covering feature
// (11 times on the 100k star polygons of bench_vs_gdal). One bit per pixel
// of the band being burnt, capped at kCoverMaskBytes per thread: SPEC 5
// gives last no per-pixel state, so a band too large for the cap is painted
// front to back as before (same pixels, more writes).
// Internal header.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "mrast/detail/bit_runs.hpp"
#include "mrast/span.hpp"

namespace mrast {
namespace detail {

/// Bytes of mask one thread may hold: a 4096-pixel-wide band of 512 rows.
constexpr std::size_t kCoverMaskBytes = std::size_t{256} << 10;

class CoverMask {
public:
    /// True if a band of `rows` x `width` pixels fits under kCoverMaskBytes.
    static bool fits(std::int32_t rows, std::int32_t width) noexcept {
        const std::size_t words = (static_cast<std::size_t>(width) + 63) / 64;
        return static_cast<std::size_t>(rows) * words * 8 <= kCoverMaskBytes;
    }

    /// Clears the mask for rows [y0, y1) of a band `width` pixels wide.
    void reset(std::int32_t y0, std::int32_t y1, std::int32_t width) {
        m_y0 = y0;
        m_words_per_row = (static_cast<std::size_t>(width) + 63) / 64;
        m_bits.assign(static_cast<std::size_t>(y1 - y0) * m_words_per_row, 0);
    }

    /// True if every pixel of rows [y0, y1] x columns [x0, x1] (inside the
    /// band, buffer coordinates) is covered: a feature within that box can
    /// add nothing, and need not be rasterized at all.
    bool covers_box(std::int32_t y0, std::int32_t y1, std::int32_t x0, std::int32_t x1) const noexcept {
        for (std::int32_t y = y0; y <= y1; ++y) {
            const std::uint64_t *row =
                m_bits.data() + static_cast<std::size_t>(y - m_y0) * m_words_per_row;
            for (std::int32_t w = x0 >> 6; w <= x1 >> 6; ++w) {
                const std::uint64_t need = columns_in_word(w, x0, x1);
                if ((row[w] & need) != need) return false;
            }
        }
        return true;
    }

    /// Appends to `out` the pieces of `s` no earlier call covered, and marks
    /// all of `s` covered. `s` lies inside the band (buffer coordinates).
    void take_visible(const Span &s, std::vector<Span> &out) {
        std::uint64_t *row =
            m_bits.data() + static_cast<std::size_t>(s.y - m_y0) * m_words_per_row;
        const std::int32_t w0 = s.x0 >> 6, w1 = s.x1 >> 6;
        std::int32_t open = -1;  // first column of a piece still growing
        auto close = [&](std::int32_t last) {
            out.push_back(Span{s.y, open, last, s.z});
            open = -1;
        };
        for (std::int32_t w = w0; w <= w1; ++w) {
            const std::uint64_t mask = columns_in_word(w, s.x0, s.x1);
            const std::uint64_t free = ~row[w] & mask;
            row[w] |= mask;
            const std::int32_t base = w << 6;
            // The common cases: the span's part of the word all free, or
            // all covered already.
            if (free == mask) {
                if (open < 0) open = base + count_zeros_low(mask);
                continue;
            }
            if (free == 0) {
                if (open >= 0) close(base + count_zeros_low(mask) - 1);
                continue;
            }
            // Mixed: walk alternating runs of free and covered bits.
            std::uint64_t left = mask;
            while (left != 0) {
                const int lo = count_zeros_low(left);
                const bool is_free = ((free >> lo) & 1) != 0;
                const int len = run_length(is_free ? free : (mask & ~free), lo);
                left = lo + len >= 64 ? 0 : left & (~std::uint64_t{0} << (lo + len));
                if (is_free) {
                    if (open < 0) open = base + lo;
                    if (left != 0) close(base + lo + len - 1);  // a covered bit follows
                } else if (open >= 0) {
                    close(base + lo - 1);
                }
            }
        }
        if (open >= 0) close(s.x1);
    }

private:
    /// Length of the run of set bits of `v` starting at bit `lo` (set).
    static int run_length(std::uint64_t v, int lo) noexcept {
        const std::uint64_t from_lo = v >> lo;
        const std::uint64_t all = ~std::uint64_t{0} >> lo;
        return from_lo == all ? 64 - lo : count_zeros_low(~from_lo);
    }

    std::int32_t m_y0 = 0;
    std::size_t m_words_per_row = 0;
    std::vector<std::uint64_t> m_bits;
};

}  // namespace detail
}  // namespace mrast
