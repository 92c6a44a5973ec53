#pragma once
// Band pixel types the kernels handle: every GDAL type but the complex ones.

#include <cstddef>
#include <cstdint>

namespace mrast {

enum class PixelType {
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    Float32,
    Float64,
};

constexpr std::size_t pixel_size(PixelType t) noexcept {
    switch (t) {
        case PixelType::UInt8:
        case PixelType::Int8: return 1;
        case PixelType::UInt16:
        case PixelType::Int16: return 2;
        case PixelType::UInt32:
        case PixelType::Int32:
        case PixelType::Float32: return 4;
        case PixelType::UInt64:
        case PixelType::Int64:
        case PixelType::Float64: return 8;
    }
    return 0;
}

}  // namespace mrast
