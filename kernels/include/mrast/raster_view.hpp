#pragma once
// A strided view of one band in someone else's memory -- GDAL's buffer (a MEM
// band, a cached block, a RasterIO buffer). Spacings are in bytes, as in
// GDALRasterIO, so pixel-interleaved and padded buffers work in place.

#include <cstdint>

#include "mrast/pixel_type.hpp"

namespace mrast {

/// Type-erased band buffer, as handed over by the caller.
struct BandBuffer {
    void *data = nullptr;
    PixelType type = PixelType::Float64;
    std::int32_t width = 0;
    std::int32_t height = 0;
    std::int64_t pixel_spacing = 0;  // bytes between pixels of a row
    std::int64_t line_spacing = 0;   // bytes between rows
    // The buffer may be a window of a larger raster (a chunk of rows, a cached
    // block): geometry stays in whole-raster pixel coordinates, so that the
    // pixels are the same whatever the windowing (GDAL's rules clip at the
    // raster's edges, not the window's). 0 sizes mean "the buffer is the
    // whole raster".
    std::int32_t x_offset = 0;       // window's first column in the raster
    std::int32_t y_offset = 0;       // window's first row in the raster
    std::int32_t raster_width = 0;
    std::int32_t raster_height = 0;
};

/// Where a buffer sits in its raster: geometry is rasterized in whole-raster
/// coordinates (so windowing never changes a pixel) and spans are shifted
/// into the buffer.
struct RasterWindow {
    std::int32_t x_offset = 0;
    std::int32_t y_offset = 0;
    std::int32_t raster_width = 0;
    std::int32_t raster_height = 0;
};

inline RasterWindow window_of(const BandBuffer &b) noexcept {
    return RasterWindow{b.x_offset, b.y_offset, b.raster_width > 0 ? b.raster_width : b.width,
                        b.raster_height > 0 ? b.raster_height : b.height};
}

/// Typed view used inside the kernels once the type is known.
template <class T>
struct RasterView {
    unsigned char *m_data;
    std::int32_t m_width;
    std::int32_t m_height;
    std::int64_t m_pixel_spacing;
    std::int64_t m_line_spacing;

    T &at(std::int32_t x, std::int32_t y) const noexcept {
        return *reinterpret_cast<T *>(m_data + y * m_line_spacing + x * m_pixel_spacing);
    }
    unsigned char *row(std::int32_t y) const noexcept { return m_data + y * m_line_spacing; }
};

}  // namespace mrast
