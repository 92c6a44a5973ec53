#pragma once
// copy_word<T>(double): the double -> band type conversion every merge step
// ends with, reproducing GDAL 3.13's GDALCopyWord(double, T&)
// (gcore/gdal_priv_templates.hpp) so integer bands round and saturate exactly
// as `gdal_rasterize -add` does (SPEC section 4: Byte 200 + 100 = 255).
//
// GDAL's rules, per output type:
//  - UInt8/UInt16/UInt32: NaN -> 0, else trunc(clamp(v + 0.5, 0, max)):
//    round half up (2.5 -> 3, -0.4 -> 0, -2.5 -> 0).
//  - Int8/Int16/Int32: NaN -> 0, else trunc(clamp(v > 0 ? v + 0.5 : v - 0.5,
//    min, max)): round half away from zero (2.5 -> 3, -2.5 -> -3).
//  - UInt64: !(v > 0) -> 0 (NaN too), v > 2^64 -> max, else trunc(v + 0.5).
//  - Int64: NaN -> 0, v >= 2^63 -> max, v <= -2^63 -> min, else half away.
//  - Float32: IEEE round to nearest as x86's cvtsd2ss (GDAL's x86-64 path):
//    NaN stays NaN, values beyond FLT_MAX by half an ulp or more become inf.
//  - Float64: unchanged.
// The additions (v + 0.5) are done in double exactly as GDAL does, so the
// double rounding of huge values (e.g. 2^52 + 1 + 0.5) matches too.
//
// One deliberate difference: GDAL converts v == 2^64 to UInt64 through an
// undefined cast (0 on x86-64 gcc); here it saturates to UINT64_MAX.

#include <cstdint>
#include <type_traits>

#include "mrast/host_device.hpp"

namespace mrast {

/// Range of an integer band type as doubles (GDALGetDataLimits<double, T>).
/// Written out rather than std::numeric_limits so it also compiles for CUDA
/// device code without --expt-relaxed-constexpr.
template <class T>
struct IntegerLimits;
template <>
struct IntegerLimits<std::uint8_t> {
    static constexpr double lowest = 0.0, highest = 255.0;
};
template <>
struct IntegerLimits<std::int8_t> {
    static constexpr double lowest = -128.0, highest = 127.0;
};
template <>
struct IntegerLimits<std::uint16_t> {
    static constexpr double lowest = 0.0, highest = 65535.0;
};
template <>
struct IntegerLimits<std::int16_t> {
    static constexpr double lowest = -32768.0, highest = 32767.0;
};
template <>
struct IntegerLimits<std::uint32_t> {
    static constexpr double lowest = 0.0, highest = 4294967295.0;
};
template <>
struct IntegerLimits<std::int32_t> {
    static constexpr double lowest = -2147483648.0, highest = 2147483647.0;
};

/// NaN test that works for every band type and on the device (x != x is the
/// IEEE definition; the kernels never build with -ffast-math).
template <class T>
MRAST_HD constexpr bool is_nan(T v) noexcept {
    return v != v;  // false for integers
}

namespace detail {

MRAST_HD inline double clamp_double(double v, double lo, double hi) noexcept {
    // GDALClampValue's order: a NaN never reaches here.
    return v > hi ? hi : (v < lo ? lo : v);
}

MRAST_HD inline float double_to_float(double v) noexcept {
    // FLT_MAX = 2^128 - 2^104; from 2^128 - 2^103 (half an ulp above) round to
    // nearest, ties to even, gives infinity, below it FLT_MAX. Spelled out
    // because a C++ cast of an out-of-range double is undefined behaviour.
    constexpr double flt_max = 3.4028234663852886e+38;
    constexpr double overflow = 3.4028235677973366e+38;
    // FLT_MAX * 2 overflows to +inf at run time (no std:: needed on device).
    const float big = static_cast<float>(flt_max);
    if (v > flt_max) return v >= overflow ? big * 2.0f : big;
    if (v < -flt_max) return v <= -overflow ? -big * 2.0f : -big;
    return static_cast<float>(v);  // NaN stays NaN
}

}  // namespace detail

/// GDALCopyWord(double, T&) of GDAL 3.13; see the table at the top of the file.
/// @tparam T a band type: std::(u)int8..64_t, float or double.
template <class T>
MRAST_HD inline T copy_word(double v) noexcept {
    if constexpr (std::is_same_v<T, double>) {
        return v;
    } else if constexpr (std::is_same_v<T, float>) {
        return detail::double_to_float(v);
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
        // 2^64 = double(UINT64_MAX); GDAL tests "> 2^64", see the file header.
        constexpr double two64 = 18446744073709551616.0;
        if (!(v > 0)) return 0;
        const double r = v + 0.5;
        if (r >= two64) return ~std::uint64_t{0};
        return static_cast<std::uint64_t>(r);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        constexpr double two63 = 9223372036854775808.0;
        if (is_nan(v)) return 0;
        if (v >= two63) return static_cast<std::int64_t>(~std::uint64_t{0} >> 1);
        if (v <= -two63) return -static_cast<std::int64_t>(~std::uint64_t{0} >> 1) - 1;
        return static_cast<std::int64_t>(v > 0.0 ? v + 0.5 : v - 0.5);
    } else if constexpr (std::is_unsigned_v<T>) {
        static_assert(std::is_integral_v<T>, "unsupported band type");
        if (is_nan(v)) return 0;
        return static_cast<T>(
            detail::clamp_double(v + 0.5, IntegerLimits<T>::lowest, IntegerLimits<T>::highest));
    } else {
        static_assert(std::is_integral_v<T> && std::is_signed_v<T>, "unsupported band type");
        if (is_nan(v)) return 0;
        // GDAL's Int32 specialization tests >= 0, Int8/Int16 test > 0; both
        // give 0 for +-0, so one expression serves all three.
        const double r = v > 0.0 ? v + 0.5 : v - 0.5;
        return static_cast<T>(
            detail::clamp_double(r, IntegerLimits<T>::lowest, IntegerLimits<T>::highest));
    }
}

}  // namespace mrast
