#pragma once
// The per-pixel merge modes (SPEC section 4) as tiny policy structs, the
// template parameter of the merge loop (STYLE.md item 4). Each one says how
// one contribution `value` combines with the pixel `dst`:
//
//   auto p = Policy::template prepare<T>(burn);          // once per span
//   dst    = policy.merge(dst, p, has_contributor);      // once per pixel
//
// `has_contributor` is false when nothing has contributed to the pixel yet
// (no earlier feature, and in update mode the existing value is nodata).
// Traits tell the engine which per-pixel state to provide:
//   order_sensitive  the result depends on the input order (first/last);
//   replaces         the result ignores dst and has_contributor: a fill;
//   needs_touched    has_contributor must be exact: a touched bitmap, or a
//                    nodata sentinel when no burn value equals nodata;
//   nodata_is_empty  has_contributor is just "dst is not nodata" by
//                    definition (sum/count: SPEC leaves no room for scratch);
//   uses_counter     mean: counter + sum scratch, finalized in finish().
// All functions are MRAST_HD so the CUDA path can reuse them.

#include "mrast/host_device.hpp"
#include "mrast/pixel_convert.hpp"

namespace mrast {
namespace merge {

/// IEEE min/max where a NaN operand wins (SPEC: "NaN propagates"), unlike
/// std::min which depends on the argument order.
template <class T>
MRAST_HD inline T nan_min(T a, T b) noexcept {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return b < a ? b : a;
}
template <class T>
MRAST_HD inline T nan_max(T a, T b) noexcept {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    return b > a ? b : a;
}

/// Last contributor wins (GDAL's default REPLACE).
/// @tparam none; values are converted once per span with copy_word<T>.
struct Last {
    static constexpr bool order_sensitive = true;
    static constexpr bool replaces = true;
    static constexpr bool needs_touched = false;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static T prepare(double burn) noexcept {
        return copy_word<T>(burn);
    }
    template <class T>
    MRAST_HD static T merge(T, T value, bool) noexcept {
        return value;
    }
};

/// First contributor wins: a pixel that has one keeps it.
struct First {
    static constexpr bool order_sensitive = true;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = true;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static T prepare(double burn) noexcept {
        return copy_word<T>(burn);
    }
    template <class T>
    MRAST_HD static T merge(T dst, T value, bool has_contributor) noexcept {
        return has_contributor ? dst : value;
    }
};

/// Smallest contributor, compared in the band type after conversion (so an
/// integer band sees NaN burns as copy_word's 0); NaN propagates on floats.
struct Min {
    static constexpr bool order_sensitive = false;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = true;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static T prepare(double burn) noexcept {
        return copy_word<T>(burn);
    }
    template <class T>
    MRAST_HD static T merge(T dst, T value, bool has_contributor) noexcept {
        return has_contributor ? nan_min(dst, value) : value;
    }
};

/// Largest contributor; see Min.
struct Max {
    static constexpr bool order_sensitive = false;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = true;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static T prepare(double burn) noexcept {
        return copy_word<T>(burn);
    }
    template <class T>
    MRAST_HD static T merge(T dst, T value, bool has_contributor) noexcept {
        return has_contributor ? nan_max(dst, value) : value;
    }
};

/// Sum, GDAL's ADD step by step: dst = copy_word(double(dst) + burn), so
/// integer bands saturate at every step as GDAL does. A nodata pixel has no
/// contributor and becomes the burn value.
struct Sum {
    static constexpr bool order_sensitive = false;  // exact for integer data only
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = false;
    static constexpr bool nodata_is_empty = true;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static double prepare(double burn) noexcept {
        return burn;
    }
    template <class T>
    MRAST_HD static T merge(T dst, double value, bool has_contributor) noexcept {
        return copy_word<T>(has_contributor ? static_cast<double>(dst) + value : value);
    }
};

/// Number of contributors, kept in the band itself (the running count): the
/// burn value is ignored.
struct Count {
    static constexpr bool order_sensitive = false;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = false;
    static constexpr bool nodata_is_empty = true;
    static constexpr bool uses_counter = false;
    template <class T>
    MRAST_HD static double prepare(double) noexcept {
        return 1.0;
    }
    template <class T>
    MRAST_HD static T merge(T dst, double, bool has_contributor) noexcept {
        return copy_word<T>(has_contributor ? static_cast<double>(dst) + 1.0 : 1.0);
    }
};

/// Mean = sum / count. The engine keeps a per-pixel counter and, for integer
/// bands, a float64 sum (float bands sum in place); finish() divides.
struct Mean {
    static constexpr bool order_sensitive = false;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = false;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = true;
    /// The final value of a pixel with `count` contributors summing to `sum`.
    template <class T>
    MRAST_HD static T finalize(double sum, double count) noexcept {
        return copy_word<T>(sum / count);
    }
};

/// A user merge: `fn(T current, double burn, bool has_contributor) -> T`,
/// called once per covered pixel in input order. Treated as order sensitive
/// and given an exact has_contributor (touched bitmap unless update mode
/// without nodata, where every pixel has its existing value).
/// @tparam F a copyable callable; it must be thread safe (row bands of one
///           batch run concurrently) and not allocate if speed matters.
template <class F>
struct Custom {
    static constexpr bool order_sensitive = true;
    static constexpr bool replaces = false;
    static constexpr bool needs_touched = true;
    static constexpr bool nodata_is_empty = false;
    static constexpr bool uses_counter = false;
    F m_fn;
    template <class T>
    MRAST_HD static double prepare(double burn) noexcept {
        return burn;
    }
    template <class T>
    MRAST_HD T merge(T dst, double value, bool has_contributor) const {
        return m_fn(dst, value, has_contributor);
    }
};

}  // namespace merge
}  // namespace mrast
