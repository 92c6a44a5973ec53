/* Builds the kernels' flat geometry arrays (mrast::GeometryBatch) from OGR
 * geometries, in GDAL's vertex order (GDALCollectRingsFromGeometry: line
 * strings reversed, polygon rings made clockwise), then moves the vertices
 * to pixel space with the same transformer gdal_rasterize uses, so that the
 * kernels see bit-identical coordinates. */
#ifndef MRAST_GEOMETRY_BATCH_H
#define MRAST_GEOMETRY_BATCH_H

#include <cstddef>
#include <vector>

#include "gdal_alg.h"
#include "mrast/geometry_arrays.hpp"
#include "ogr_geometry.h"

namespace mrast_gdal
{

class GeometryBatchBuilder
{
  public:
    explicit GeometryBatchBuilder(int nBandCount, bool bWithZ);

    /* Appends one feature (its parts are unioned by the kernels). Curves are
     * linearised. A null or empty geometry still takes a feature slot (it
     * burns nothing), keeping burn values aligned. */
    void AddFeature(const OGRGeometry *poGeom, const double *padfBurn);

    /* Appends nCount features at once: the same arrays, in the same order,
     * as AddFeature() on each in turn, byte for byte. padfBurn holds
     * nCount x band count values. Builds with up to nThreads threads (<= 0:
     * all cores): one pass counts each chunk of features, a prefix sum
     * places the chunks, a second pass writes them in place. Small inputs
     * stay on the calling thread. The geometries are only read; curved ones
     * are linearised once, in the first pass, and their linear copies kept
     * until written. The worker threads see the caller's thread-local
     * config options; a CPLError one raises (curve linearisation) goes to
     * the global error handler, not to one the caller pushed. */
    void AddFeatures(const OGRGeometry *const *papoGeoms, std::size_t nCount,
                     const double *padfBurn, int nThreads);
    /* The same from C handles, as GDALRasterizeGeometries() takes them
     * (no converted copy of the array). */
    void AddFeatures(const OGRGeometryH *pahGeoms, std::size_t nCount,
                     const double *padfBurn, int nThreads);

    /* Moves every vertex added since the last call to pixel space. Returns
     * false if the transformer failed. */
    bool TransformToPixels(GDALTransformerFunc pfnTransformer,
                           void *pTransformArg);

    mrast::GeometryBatch View() const
    {
        return m_oArrays.view(m_bWithZ);
    }
    std::size_t FeatureCount() const
    {
        return m_oArrays.feature_count();
    }
    std::size_t VertexCount() const
    {
        return m_oArrays.vertex_count();
    }
    /* Rough heap bytes held: for batching decisions. */
    std::size_t MemoryBytes() const
    {
        return m_oArrays.memory_bytes();
    }
    void Clear()
    {
        m_oArrays.clear();
        m_nTransformed = 0;
    }

  private:
    bool m_bWithZ;
    std::size_t m_nTransformed = 0;
    mrast::GeometryArrays m_oArrays;
};

}  // namespace mrast_gdal

#endif
