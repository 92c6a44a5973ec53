#include "mrast_geometry_batch.h"

#include <algorithm>
#include <memory>

namespace mrast_gdal
{

GeometryBatchBuilder::GeometryBatchBuilder(int nBandCount, bool bWithZ)
    : m_bWithZ(bWithZ), m_oArrays(nBandCount)
{
}

void GeometryBatchBuilder::AddFeature(const OGRGeometry *poGeom,
                                      const double *padfBurn)
{
    if (poGeom != nullptr && !poGeom->IsEmpty())
    {
        if (poGeom->hasCurveGeometry())
        {
            // SPEC section 6: curved geometries are linearised.
            std::unique_ptr<OGRGeometry> poLinear(poGeom->getLinearGeometry());
            if (poLinear)
                AddGeometry(poLinear.get());
        }
        else
        {
            AddGeometry(poGeom);
        }
    }
    m_oArrays.end_feature(padfBurn);
}

void GeometryBatchBuilder::AddSimplePoint(double dfX, double dfY, double dfZ)
{
    if (m_bWithZ)
        m_oArrays.add_vertex(dfX, dfY, dfZ);
    else
        m_oArrays.add_vertex(dfX, dfY);
}

void GeometryBatchBuilder::AddCurve(const OGRSimpleCurve *poCurve,
                                    bool bReverse)
{
    const int nCount = poCurve->getNumPoints();
    if (m_bWithZ)
    {
        for (int k = 0; k < nCount; k++)
        {
            const int i = bReverse ? nCount - 1 - k : k;
            AddSimplePoint(poCurve->getX(i), poCurve->getY(i),
                           poCurve->getZ(i));
        }
    }
    else if (nCount > 0)
    {
        // One bulk copy per array instead of three virtual-free but
        // bounds-checked getters and two push_backs per vertex (a third of
        // the batch building time on 100k star polygons).
        std::vector<double> &adfX = m_oArrays.x(), &adfY = m_oArrays.y();
        const std::size_t nOld = adfX.size();
        adfX.resize(nOld + static_cast<std::size_t>(nCount));
        adfY.resize(nOld + static_cast<std::size_t>(nCount));
        poCurve->getPoints(adfX.data() + nOld, sizeof(double),
                           adfY.data() + nOld, sizeof(double));
        if (bReverse)
        {
            std::reverse(adfX.begin() + static_cast<std::ptrdiff_t>(nOld),
                         adfX.end());
            std::reverse(adfY.begin() + static_cast<std::ptrdiff_t>(nOld),
                         adfY.end());
        }
    }
    m_oArrays.end_ring();
}

void GeometryBatchBuilder::AddGeometry(const OGRGeometry *poGeom)
{
    if (poGeom == nullptr || poGeom->IsEmpty())
        return;
    switch (wkbFlatten(poGeom->getGeometryType()))
    {
        case wkbPoint:
        {
            const auto poPoint = poGeom->toPoint();
            m_oArrays.begin_part(mrast::PartKind::Points);
            AddSimplePoint(poPoint->getX(), poPoint->getY(), poPoint->getZ());
            m_oArrays.end_ring();
            break;
        }
        case wkbLineString:
            // GDALCollectRingsFromGeometry walks line strings backwards; the
            // Bresenham pixels depend on the direction.
            m_oArrays.begin_part(mrast::PartKind::Line);
            AddCurve(poGeom->toLineString(), /*bReverse=*/true);
            break;
        case wkbPolygon:
        {
            // GDAL makes every ring clockwise (in georeferenced space): the
            // bottom-horizontal-edge rule depends on the orientation.
            const auto poPoly = poGeom->toPolygon();
            m_oArrays.begin_part(mrast::PartKind::Polygon);
            for (const auto *poRing : *poPoly)
            {
                if (poRing->IsEmpty())
                    continue;
                AddCurve(poRing, !poRing->isClockwise());
            }
            break;
        }
        case wkbMultiPoint:
        case wkbMultiLineString:
        case wkbMultiPolygon:
        case wkbGeometryCollection:
            for (const auto *poPart : *poGeom->toGeometryCollection())
                AddGeometry(poPart);
            break;
        default:
            // Surfaces, TINs: GDAL ignores them as well.
            break;
    }
}

bool GeometryBatchBuilder::TransformToPixels(GDALTransformerFunc pfnTransformer,
                                             void *pTransformArg)
{
    std::vector<double> &adfX = m_oArrays.x(), &adfY = m_oArrays.y();
    const std::size_t nTotal = adfX.size();
    if (pfnTransformer == nullptr || m_nTransformed >= nTotal)
    {
        m_nTransformed = nTotal;
        return true;
    }
    // The transformer takes int counts: go in slices.
    constexpr std::size_t kSlice = 1 << 20;
    std::vector<int> anSuccess;
    for (std::size_t i = m_nTransformed; i < nTotal; i += kSlice)
    {
        const int n = static_cast<int>(std::min(kSlice, nTotal - i));
        anSuccess.assign(static_cast<std::size_t>(n), 0);
        // Like gdal_rasterize, ignore per-point failures: they leave the
        // coordinates as they were (usually far outside the raster).
        if (!pfnTransformer(pTransformArg, FALSE, n, adfX.data() + i,
                            adfY.data() + i, nullptr, anSuccess.data()))
        {
            // A whole-call failure also leaves coordinates unusable; the
            // kernels handle any value, so go on as GDAL does.
        }
    }
    m_nTransformed = nTotal;
    return true;
}

}  // namespace mrast_gdal
