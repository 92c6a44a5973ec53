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
#include "mrast/geometry.hpp"
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

    /* Moves every vertex added since the last call to pixel space. Returns
     * false if the transformer failed. */
    bool TransformToPixels(GDALTransformerFunc pfnTransformer,
                           void *pTransformArg);

    mrast::GeometryBatch View() const;
    std::size_t FeatureCount() const
    {
        return m_anFeatureParts.size() - 1;
    }
    std::size_t VertexCount() const
    {
        return m_adfX.size();
    }
    /* Rough heap bytes held: for batching decisions. */
    std::size_t MemoryBytes() const;
    void Clear();

  private:
    void AddGeometry(const OGRGeometry *poGeom);
    void AddSimplePoint(double dfX, double dfY, double dfZ);
    void BeginPart(mrast::PartKind eKind);
    void AddCurve(const OGRSimpleCurve *poCurve, bool bReverse);
    void EndRing();

    int m_nBandCount;
    bool m_bWithZ;
    std::size_t m_nTransformed = 0;
    std::vector<std::size_t> m_anFeatureParts{0};
    std::vector<mrast::PartKind> m_aeKinds{};
    std::vector<std::size_t> m_anPartRings{0};
    std::vector<std::size_t> m_anRingVertices{0};
    std::vector<double> m_adfX{}, m_adfY{}, m_adfZ{};
    std::vector<double> m_adfBurn{};
};

}  // namespace mrast_gdal

#endif
