#pragma once
// Test helpers for the merge engine: features with burn values flattened
// into a GeometryBatch, typed rasters in a malloc'd buffer (so allocation
// counting sees only the engine), and burning a scene in one call.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "mrast/burn.hpp"
#include "mrast/geometry_arrays.hpp"
#include "mrast/geometry.hpp"
#include "mrast/pixel_convert.hpp"
#include "mrast/pixel_type.hpp"

namespace mrast {
namespace test {

template <class T>
constexpr PixelType pixel_type_of();
template <> constexpr PixelType pixel_type_of<std::uint8_t>() { return PixelType::UInt8; }
template <> constexpr PixelType pixel_type_of<std::int8_t>() { return PixelType::Int8; }
template <> constexpr PixelType pixel_type_of<std::uint16_t>() { return PixelType::UInt16; }
template <> constexpr PixelType pixel_type_of<std::int16_t>() { return PixelType::Int16; }
template <> constexpr PixelType pixel_type_of<std::uint32_t>() { return PixelType::UInt32; }
template <> constexpr PixelType pixel_type_of<std::int32_t>() { return PixelType::Int32; }
template <> constexpr PixelType pixel_type_of<std::uint64_t>() { return PixelType::UInt64; }
template <> constexpr PixelType pixel_type_of<std::int64_t>() { return PixelType::Int64; }
template <> constexpr PixelType pixel_type_of<float>() { return PixelType::Float32; }
template <> constexpr PixelType pixel_type_of<double>() { return PixelType::Float64; }

struct MergeVertex {
    double x, y, z;
};

struct MergeFeature {
    PartKind kind;
    std::vector<std::vector<MergeVertex>> rings;  // one part
    std::vector<double> burn;                     // one per band
};

/// Axis-aligned rectangle [x0, x1) x [y0, y1) as a polygon: with integer
/// corners it covers exactly the pixels whose centres are inside.
inline MergeFeature rect(double x0, double y0, double x1, double y1, std::vector<double> burn,
                         double z = 0.0) {
    return MergeFeature{PartKind::Polygon,
                        {{{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}, {x0, y0, z}}},
                        std::move(burn)};
}
inline MergeFeature point(double x, double y, std::vector<double> burn, double z = 0.0) {
    return MergeFeature{PartKind::Points, {{{x, y, z}}}, std::move(burn)};
}
inline MergeFeature line(std::vector<MergeVertex> v, std::vector<double> burn) {
    return MergeFeature{PartKind::Line, {std::move(v)}, std::move(burn)};
}

/// Owns the flat arrays of a batch; one part per feature.
class MergeScene {
  public:
    MergeScene(const std::vector<MergeFeature> &features, int band_count, bool with_z = false)
        : m_arrays(band_count), m_with_z(with_z) {
        for (const MergeFeature &f : features) {
            m_arrays.begin_part(f.kind);
            for (const auto &ring : f.rings) {
                for (const MergeVertex &v : ring) m_arrays.add_vertex(v.x, v.y, v.z);
                m_arrays.end_ring();
            }
            m_arrays.end_feature(f.burn.data());
        }
    }
    GeometryBatch batch() const { return m_arrays.view(m_with_z); }

  private:
    GeometryArrays m_arrays;
    bool m_with_z;
};

/// A band in a malloc'd buffer (invisible to a counting operator new).
template <class T>
class MallocRaster {
  public:
    MallocRaster(std::int32_t w, std::int32_t h, T init) : m_w(w), m_h(h) {
        m_data = static_cast<T *>(std::malloc(sizeof(T) * static_cast<std::size_t>(w) * h));
        for (std::int64_t i = 0; i < static_cast<std::int64_t>(w) * h; ++i) m_data[i] = init;
    }
    ~MallocRaster() { std::free(m_data); }
    MallocRaster(const MallocRaster &) = delete;
    MallocRaster &operator=(const MallocRaster &) = delete;

    T &at(std::int32_t x, std::int32_t y) { return m_data[static_cast<std::int64_t>(y) * m_w + x]; }
    T *data() { return m_data; }
    std::size_t bytes() const { return sizeof(T) * static_cast<std::size_t>(m_w) * m_h; }
    BandBuffer buffer() {
        return BandBuffer{m_data,
                          pixel_type_of<T>(),
                          m_w,
                          m_h,
                          static_cast<std::int64_t>(sizeof(T)),
                          static_cast<std::int64_t>(sizeof(T)) * m_w};
    }

  private:
    std::int32_t m_w, m_h;
    T *m_data;
};

/// begin + burn + finish, returning the first non-Ok status.
inline Status burn_scene(const BandBuffer *bands, int band_count, const BurnOptions &options,
                         const std::vector<const MergeScene *> &batches,
                         ScratchPlan *plan = nullptr) {
    Burner burner;
    if (Status s = burner.begin(bands, band_count, options); s != Status::Ok) return s;
    for (const MergeScene *scene : batches) {
        if (Status s = burner.burn(scene->batch()); s != Status::Ok) return s;
    }
    if (plan != nullptr) *plan = burner.scratch_plan();
    return burner.finish();
}

/// Random scene: rectangles, triangles, lines and points, some off-raster.
inline std::vector<MergeFeature> random_features(std::uint32_t seed, int count, std::int32_t w,
                                                 std::int32_t h, int band_count, bool integer_burns) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> ux(-0.1 * w, 1.1 * w), uy(-0.1 * h, 1.1 * h);
    std::uniform_real_distribution<double> size(0.5, 0.3 * w), zd(-3.0, 3.0), bd(-50.0, 250.0);
    std::uniform_int_distribution<int> kind(0, 3), ib(-50, 250);
    std::vector<MergeFeature> out;
    for (int i = 0; i < count; ++i) {
        std::vector<double> burn;
        for (int b = 0; b < band_count; ++b) {
            burn.push_back(integer_burns ? static_cast<double>(ib(rng)) : bd(rng));
        }
        const double x = ux(rng), y = uy(rng), s = size(rng);
        switch (kind(rng)) {
            case 0: out.push_back(rect(x, y, x + s, y + 0.7 * s, burn, zd(rng))); break;
            case 1:
                out.push_back(MergeFeature{PartKind::Polygon,
                                           {{{x, y, zd(rng)},
                                             {x + s, y + 0.3 * s, zd(rng)},
                                             {x + 0.2 * s, y + s, zd(rng)},
                                             {x, y, zd(rng)}}},
                                           burn});
                break;
            case 2: out.push_back(line({{x, y, zd(rng)}, {x + s, y + 0.5 * s, zd(rng)}, {x, y + s, zd(rng)}}, burn)); break;
            default: out.push_back(point(x, y, burn, zd(rng))); break;
        }
    }
    return out;
}

}  // namespace test
}  // namespace mrast
