#pragma once
// GDALdllImagePoint (GDAL 3.13 alg/llrasterize.cpp), shared by the CPU
// coverage and the CUDA kernels.

#include <cstdint>

#include "mrast/host_device.hpp"

namespace mrast {
namespace rules {

/// A point burns pixel ((int)x, (int)y) iff 0 <= x < width and
/// 0 <= y < height (so the right/bottom border line is outside; NaN fails
/// every comparison).
MRAST_HD inline bool point_pixel(double x, double y, std::int32_t width, std::int32_t height,
                                 std::int32_t &col, std::int32_t &row) noexcept {
    if (!(0 <= x && x < static_cast<double>(width) && 0 <= y && y < static_cast<double>(height))) {
        return false;
    }
    col = static_cast<std::int32_t>(x);
    row = static_cast<std::int32_t>(y);
    return true;
}

}  // namespace rules
}  // namespace mrast
