#pragma once
// Word-level helpers for the 1-bit-per-pixel rows of the cover mask
// (cover_mask.hpp) and the all-touched box bitmap (src/coverage_detail.hpp):
// bit c % 64 of word c / 64 is column c. Internal header.

#include <cstdint>

namespace mrast {
namespace detail {

/// Index of the lowest set bit (v != 0).
inline int count_zeros_low(std::uint64_t v) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctzll(v);
#else
    int n = 0;
    for (; !(v & 1); v >>= 1) ++n;
    return n;
#endif
}

/// The bits of word `w` that lie in columns [x0, x1] (x0 >> 6 <= w <= x1 >> 6).
inline std::uint64_t columns_in_word(std::int32_t w, std::int32_t x0, std::int32_t x1) noexcept {
    std::uint64_t mask = ~std::uint64_t{0};
    if (w == x0 >> 6) mask &= ~std::uint64_t{0} << (x0 & 63);
    if (w == x1 >> 6) mask &= ~std::uint64_t{0} >> (63 - (x1 & 63));
    return mask;
}

}  // namespace detail
}  // namespace mrast
