#include "mrast_geometry_batch.h"

#include <algorithm>
#include <memory>

namespace mrast_gdal
{

GeometryBatchBuilder::GeometryBatchBuilder(int nBandCount, bool bWithZ)
    : m_nBandCount(nBandCount), m_bWithZ(bWithZ)
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
    m_anFeatureParts.push_back(m_aeKinds.size());
    m_adfBurn.insert(m_adfBurn.end(), padfBurn, padfBurn + m_nBandCount);
}

void GeometryBatchBuilder::BeginPart(mrast::PartKind eKind)
{
    m_aeKinds.push_back(eKind);
    m_anPartRings.push_back(m_anPartRings.back());
}

void GeometryBatchBuilder::EndRing()
{
    m_anRingVertices.push_back(m_adfX.size());
    m_anPartRings.back()++;
}

void GeometryBatchBuilder::AddSimplePoint(double dfX, double dfY, double dfZ)
{
    m_adfX.push_back(dfX);
    m_adfY.push_back(dfY);
    if (m_bWithZ)
        m_adfZ.push_back(dfZ);
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
        const std::size_t nOld = m_adfX.size();
        m_adfX.resize(nOld + static_cast<std::size_t>(nCount));
        m_adfY.resize(nOld + static_cast<std::size_t>(nCount));
        poCurve->getPoints(m_adfX.data() + nOld, sizeof(double),
                           m_adfY.data() + nOld, sizeof(double));
        if (bReverse)
        {
            std::reverse(m_adfX.begin() + static_cast<std::ptrdiff_t>(nOld),
                         m_adfX.end());
            std::reverse(m_adfY.begin() + static_cast<std::ptrdiff_t>(nOld),
                         m_adfY.end());
        }
    }
    EndRing();
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
            BeginPart(mrast::PartKind::Points);
            AddSimplePoint(poPoint->getX(), poPoint->getY(), poPoint->getZ());
            EndRing();
            break;
        }
        case wkbLineString:
            // GDALCollectRingsFromGeometry walks line strings backwards; the
            // Bresenham pixels depend on the direction.
            BeginPart(mrast::PartKind::Line);
            AddCurve(poGeom->toLineString(), /*bReverse=*/true);
            break;
        case wkbPolygon:
        {
            // GDAL makes every ring clockwise (in georeferenced space): the
            // bottom-horizontal-edge rule depends on the orientation.
            const auto poPoly = poGeom->toPolygon();
            BeginPart(mrast::PartKind::Polygon);
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
    const std::size_t nTotal = m_adfX.size();
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
        if (!pfnTransformer(pTransformArg, FALSE, n, m_adfX.data() + i,
                            m_adfY.data() + i, nullptr, anSuccess.data()))
        {
            // A whole-call failure also leaves coordinates unusable; the
            // kernels handle any value, so go on as GDAL does.
        }
    }
    m_nTransformed = nTotal;
    return true;
}

mrast::GeometryBatch GeometryBatchBuilder::View() const
{
    mrast::GeometryBatch oBatch;
    oBatch.feature_count = FeatureCount();
    oBatch.feature_part_offsets = m_anFeatureParts.data();
    oBatch.part_kind = m_aeKinds.data();
    oBatch.part_ring_offsets = m_anPartRings.data();
    oBatch.ring_vertex_offsets = m_anRingVertices.data();
    oBatch.x = m_adfX.data();
    oBatch.y = m_adfY.data();
    oBatch.z = m_bWithZ ? m_adfZ.data() : nullptr;
    oBatch.burn = m_adfBurn.data();
    oBatch.band_count = m_nBandCount;
    return oBatch;
}

std::size_t GeometryBatchBuilder::MemoryBytes() const
{
    return (m_anFeatureParts.size() + m_anPartRings.size() +
            m_anRingVertices.size()) *
               sizeof(std::size_t) +
           m_aeKinds.size() +
           (m_adfX.size() + m_adfY.size() + m_adfZ.size() + m_adfBurn.size()) *
               sizeof(double);
}

void GeometryBatchBuilder::Clear()
{
    m_anFeatureParts.assign(1, 0);
    m_aeKinds.clear();
    m_anPartRings.assign(1, 0);
    m_anRingVertices.assign(1, 0);
    m_adfX.clear();
    m_adfY.clear();
    m_adfZ.clear();
    m_adfBurn.clear();
    m_nTransformed = 0;
}

}  // namespace mrast_gdal
