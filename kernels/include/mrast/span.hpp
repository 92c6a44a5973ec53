#pragma once
// A run of pixels on one row that one feature covers: the unit the
// rasterizers produce and the merge policies consume.

#include <cstdint>

namespace mrast {

struct Span {
    std::int32_t y;   // row
    std::int32_t x0;  // first column, inclusive
    std::int32_t x1;  // last column, inclusive (x1 >= x0)
    double z;         // added to the burn value (0 unless burning Z)
};

struct RasterSize {
    std::int32_t width;
    std::int32_t height;
};

}  // namespace mrast
