#pragma once
// Numeric helpers of GDAL's rasterization rules, shared by the CPU threads
// and the CUDA kernels (MRAST_HD). Written without <cmath>/<algorithm>
// calls that are host-only in device code, and without libm calls in the
// per-pixel loops (floor_fast).

#include <cstdint>

#include "mrast/host_device.hpp"

namespace mrast {
namespace rules {

constexpr double kIntMin = -2147483648.0;  // double(INT_MIN)
constexpr double kIntMax = 2147483647.0;   // double(INT_MAX)
constexpr std::int32_t kInt32Min = -2147483647 - 1;
constexpr std::int64_t kInt64Min = -9223372036854775807LL - 1;
constexpr std::int64_t kInt64Max = 9223372036854775807LL;

template <class T>
MRAST_HD inline void swap_values(T &a, T &b) noexcept {
    T t = a;
    a = b;
    b = t;
}
template <class T>
MRAST_HD constexpr T min_of(T a, T b) noexcept {
    return b < a ? b : a;
}
template <class T>
MRAST_HD constexpr T max_of(T a, T b) noexcept {
    return a < b ? b : a;
}
MRAST_HD inline bool is_nan_d(double v) noexcept { return v != v; }
MRAST_HD inline double abs_d(double v) noexcept { return v < 0.0 ? -v : (v == 0.0 ? 0.0 : v); }

MRAST_HD inline bool in_int_range(double v) noexcept { return v >= kIntMin && v <= kIntMax; }

/// std::floor without a libm call. With SSE4.1 (the x86-64-v2 level
/// cmake/MrastArch.cmake asks for) and on the GPU it is one instruction
/// (roundsd / cvt.rmi), which matters: floor sits on the dependent chain of
/// the all-touched walk, and the integer round trip below took a third of
/// it. Without: doubles of magnitude >= 2^52 are integral already (as are
/// inf and NaN, returned as they are); below, truncation is exact and one
/// step down fixes negatives. Returns `v` itself for integral values, so
/// -0.0 stays -0.0 as with std::floor.
MRAST_HD inline double floor_fast(double v) noexcept {
#if defined(__CUDA_ARCH__)
    return ::floor(v);
#elif defined(__SSE4_1__) && (defined(__GNUC__) || defined(__clang__))
    return __builtin_floor(v);
#else
    if (!(abs_d(v) < 4503599627370496.0)) return v;
    const double t = static_cast<double>(static_cast<std::int64_t>(v));
    if (t == v) return v;
    return t > v ? t - 1.0 : t;
#endif
}

/// floor() to int64, saturating; NaN gives INT64_MIN. Only used where GDAL
/// casts a value it has already range-checked, so saturation never changes
/// a pixel GDAL would burn; it only keeps us free of undefined behaviour.
MRAST_HD inline std::int64_t floor_to_i64(double v) noexcept {
    const double f = floor_fast(v);
    if (!(f >= -9.2e18)) return kInt64Min;
    if (f > 9.2e18) return kInt64Max;
    return static_cast<std::int64_t>(f);
}

/// round() half away from zero, as std::round, for |v| < 2^52 (larger
/// doubles are integral and returned as they are, as are inf and NaN).
MRAST_HD inline double round_half_away(double v) noexcept {
    if (!(abs_d(v) < 4503599627370496.0)) return v;
    const double t = static_cast<double>(static_cast<std::int64_t>(v));  // toward zero
    const double frac = v - t;  // exact
    if (frac >= 0.5) return t + 1.0;
    if (frac <= -0.5) return t - 1.0;
    return t == 0.0 && v < 0.0 ? -0.0 : t;
}

}  // namespace rules
}  // namespace mrast
