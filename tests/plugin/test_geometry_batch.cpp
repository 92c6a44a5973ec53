// GeometryBatchBuilder: AddFeature() one by one and AddFeatures() on 1, 2
// and 7 threads build the same arrays, byte for byte, as the reference
// below -- the builder as it was before the bulk path (one push per value,
// IsEmpty() / hasCurveGeometry() at every level), which the GDAL parity
// tests validated -- on seeded mixtures of every geometry type the builder
// meets: points, line strings, polygons with holes of either orientation,
// multi-geometries, nested collections, curves, surfaces it ignores, empty
// parts at every level, null geometries, 2D and 3D.
//
// Its timing on the benchmark's scenes: bench/bench_builder.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "mrast/geometry_arrays.hpp"
#include "mrast_geometry_batch.h"
#include "ogr_geometry.h"

namespace
{

/* The builder before the bulk path, kept as the oracle. */
class ReferenceBuilder
{
  public:
    ReferenceBuilder(int nBandCount, bool bWithZ)
        : m_bWithZ(bWithZ), m_oArrays(nBandCount)
    {
    }

    void AddFeature(const OGRGeometry *poGeom, const double *padfBurn)
    {
        if (poGeom != nullptr && !poGeom->IsEmpty())
        {
            if (poGeom->hasCurveGeometry())
            {
                std::unique_ptr<OGRGeometry> poLinear(
                    poGeom->getLinearGeometry());
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

    mrast::GeometryBatch View() const
    {
        return m_oArrays.view(m_bWithZ);
    }

  private:
    void AddVertex(double dfX, double dfY, double dfZ)
    {
        if (m_bWithZ)
            m_oArrays.add_vertex(dfX, dfY, dfZ);
        else
            m_oArrays.add_vertex(dfX, dfY);
    }

    void AddCurve(const OGRSimpleCurve *poCurve, bool bReverse)
    {
        const int nCount = poCurve->getNumPoints();
        for (int k = 0; k < nCount; k++)
        {
            const int i = bReverse ? nCount - 1 - k : k;
            AddVertex(poCurve->getX(i), poCurve->getY(i), poCurve->getZ(i));
        }
        m_oArrays.end_ring();
    }

    void AddGeometry(const OGRGeometry *poGeom)
    {
        if (poGeom == nullptr || poGeom->IsEmpty())
            return;
        switch (wkbFlatten(poGeom->getGeometryType()))
        {
            case wkbPoint:
            {
                const auto poPoint = poGeom->toPoint();
                m_oArrays.begin_part(mrast::PartKind::Points);
                AddVertex(poPoint->getX(), poPoint->getY(), poPoint->getZ());
                m_oArrays.end_ring();
                break;
            }
            case wkbLineString:
                m_oArrays.begin_part(mrast::PartKind::Line);
                AddCurve(poGeom->toLineString(), true);
                break;
            case wkbPolygon:
                m_oArrays.begin_part(mrast::PartKind::Polygon);
                for (const auto *poRing : *poGeom->toPolygon())
                {
                    if (!poRing->IsEmpty())
                        AddCurve(poRing, !poRing->isClockwise());
                }
                break;
            case wkbMultiPoint:
            case wkbMultiLineString:
            case wkbMultiPolygon:
            case wkbGeometryCollection:
                for (const auto *poPart : *poGeom->toGeometryCollection())
                    AddGeometry(poPart);
                break;
            default:
                break;
        }
    }

    bool m_bWithZ;
    mrast::GeometryArrays m_oArrays;
};

/* ---- Random geometries ------------------------------------------------ */

class GeometryMaker
{
  public:
    GeometryMaker(std::uint64_t nSeed, bool b3D) : m_oRng(nSeed), m_b3D(b3D)
    {
    }

    /* Any feature geometry, null included. */
    std::unique_ptr<OGRGeometry> Feature()
    {
        switch (Pick(16))
        {
            case 0:
                return nullptr;
            case 1:
            case 2:
                return Point();
            case 3:
            case 4:
                return Line();
            case 5:
            case 6:
            case 7:
                return Polygon();
            case 8:
                return Multi(std::make_unique<OGRMultiPoint>(), 0);
            case 9:
                return Multi(std::make_unique<OGRMultiLineString>(), 1);
            case 10:
                return Multi(std::make_unique<OGRMultiPolygon>(), 2);
            case 11:
                return Collection(2);
            case 12:
            case 13:
                return Curved();
            case 14:
                return Ignored();
            default:
                return Empty();
        }
    }

  private:
    int Pick(int n)
    {
        return std::uniform_int_distribution<int>(0, n - 1)(m_oRng);
    }
    double Coord()
    {
        // Sometimes on a half-integer, as real data often is.
        const double v = std::uniform_real_distribution<double>(-50, 50)(m_oRng);
        return Pick(4) == 0 ? std::round(v * 2) / 2 : v;
    }
    void AddXY(OGRSimpleCurve &oCurve, double dfX, double dfY)
    {
        if (m_b3D)
            oCurve.addPoint(dfX, dfY, Coord());
        else
            oCurve.addPoint(dfX, dfY);
    }

    std::unique_ptr<OGRGeometry> Point()
    {
        if (Pick(10) == 0)
            return std::make_unique<OGRPoint>();  // empty
        if (m_b3D)
            return std::make_unique<OGRPoint>(Coord(), Coord(), Coord());
        return std::make_unique<OGRPoint>(Coord(), Coord());
    }

    std::unique_ptr<OGRGeometry> Line()
    {
        auto poLine = std::make_unique<OGRLineString>();
        const int n = Pick(10) == 0 ? Pick(2) : 2 + Pick(20);  // empty, 1 point
        for (int i = 0; i < n; i++)
            AddXY(*poLine, Coord(), Coord());
        return poLine;
    }

    /* A star ring around (cx, cy), either orientation, sometimes empty. */
    OGRLinearRing *Ring(double cx, double cy, double r)
    {
        auto *poRing = new OGRLinearRing();
        if (Pick(12) == 0)
            return poRing;
        const int n = 3 + Pick(30);
        const bool bClockwise = Pick(2) == 0;
        for (int i = 0; i < n; i++)
        {
            const double a = (bClockwise ? -1 : 1) * 2 * M_PI * i / n;
            const double u = std::uniform_real_distribution<double>(0, 1)(m_oRng);
            const double rad = r * (0.3 + 0.7 * u);
            AddXY(*poRing, cx + rad * std::cos(a), cy + rad * std::sin(a));
        }
        if (Pick(5) != 0)
            poRing->closeRings();
        return poRing;
    }

    std::unique_ptr<OGRGeometry> Polygon()
    {
        auto poPoly = std::make_unique<OGRPolygon>();
        const double cx = Coord(), cy = Coord(), r = 1 + Pick(30);
        if (Pick(15) == 0)
            return poPoly;  // no ring at all
        poPoly->addRingDirectly(Ring(cx, cy, r));
        const int nHoles = Pick(4);
        for (int i = 0; i < nHoles; i++)
            poPoly->addRingDirectly(Ring(cx, cy, r * 0.3));
        return poPoly;
    }

    template <class MultiT>
    std::unique_ptr<OGRGeometry> Multi(std::unique_ptr<MultiT> poMulti, int eKind)
    {
        const int n = Pick(5);
        for (int i = 0; i < n; i++)
        {
            auto poPart = eKind == 0 ? Point() : eKind == 1 ? Line() : Polygon();
            poMulti->addGeometryDirectly(poPart.release());
        }
        return poMulti;
    }

    std::unique_ptr<OGRGeometry> Collection(int nDepth)
    {
        auto poGC = std::make_unique<OGRGeometryCollection>();
        const int n = Pick(5);
        for (int i = 0; i < n; i++)
        {
            std::unique_ptr<OGRGeometry> poPart;
            switch (Pick(nDepth > 0 ? 6 : 4))
            {
                case 0: poPart = Point(); break;
                case 1: poPart = Line(); break;
                case 2: poPart = Polygon(); break;
                case 3: poPart = Curved(); break;
                case 4: poPart = Multi(std::make_unique<OGRMultiPolygon>(), 2); break;
                default: poPart = Collection(nDepth - 1); break;
            }
            poGC->addGeometryDirectly(poPart.release());
        }
        return poGC;
    }

    /* Curves through WKT (linearised by the builder), random centre. */
    std::unique_ptr<OGRGeometry> Curved()
    {
        const double cx = Coord(), cy = Coord(), r = 1 + Pick(20);
        char szBuf[1024];
        const char *const apszTemplates[] = {
            "CIRCULARSTRING (%g %g,%g %g,%g %g)",
            "COMPOUNDCURVE ((%g %g,%g %g),CIRCULARSTRING (%g %g,%g %g,%g %g))",
            "CURVEPOLYGON (CIRCULARSTRING (%g %g,%g %g,%g %g,%g %g,%g %g))",
            "MULTICURVE ((%g %g,%g %g),CIRCULARSTRING (%g %g,%g %g,%g %g))",
            "MULTISURFACE (CURVEPOLYGON (CIRCULARSTRING (%g %g,%g %g,%g %g,%g %g,%g %g)),"
            "((0 0,1 0,1 1,0 0)))",
            "CIRCULARSTRING EMPTY",
            "CURVEPOLYGON EMPTY",
        };
        const int iTemplate = Pick(7);
        const double x0 = cx - r, x1 = cx + r, y0 = cy - r, y1 = cy + r;
        switch (iTemplate)
        {
            case 0:
                snprintf(szBuf, sizeof(szBuf), apszTemplates[0], x0, cy, cx, y1, x1, cy);
                break;
            case 1:
            case 3:
                snprintf(szBuf, sizeof(szBuf), apszTemplates[iTemplate], x0, y0, x0, cy,
                         x0, cy, cx, y1, x1, cy);
                break;
            case 2:
            case 4:
                snprintf(szBuf, sizeof(szBuf), apszTemplates[iTemplate], x0, cy, cx, y1,
                         x1, cy, cx, y0, x0, cy);
                break;
            default:
                snprintf(szBuf, sizeof(szBuf), "%s", apszTemplates[iTemplate]);
                break;
        }
        OGRGeometry *poGeom = nullptr;
        EXPECT_EQ(OGRGeometryFactory::createFromWkt(szBuf, nullptr, &poGeom), OGRERR_NONE)
            << szBuf;
        if (poGeom != nullptr && m_b3D)
            poGeom->set3D(TRUE);  // Z = 0: the same shape in 3D
        return std::unique_ptr<OGRGeometry>(poGeom);
    }

    /* Types GDAL (and the builder) ignore, alone and inside a collection. */
    std::unique_ptr<OGRGeometry> Ignored()
    {
        const char *const apszWkt[] = {
            "TRIANGLE ((0 0,0 1,1 1,0 0))",
            "TIN (((0 0,0 1,1 1,0 0)))",
            "POLYHEDRALSURFACE (((0 0,0 1,1 1,0 0)))",
            "GEOMETRYCOLLECTION (TRIANGLE ((0 0,0 1,1 1,0 0)),POINT (1 2))",
        };
        OGRGeometry *poGeom = nullptr;
        OGRGeometryFactory::createFromWkt(apszWkt[Pick(4)], nullptr, &poGeom);
        return std::unique_ptr<OGRGeometry>(poGeom);
    }

    std::unique_ptr<OGRGeometry> Empty()
    {
        switch (Pick(5))
        {
            case 0: return std::make_unique<OGRPoint>();
            case 1: return std::make_unique<OGRLineString>();
            case 2: return std::make_unique<OGRPolygon>();
            case 3: return std::make_unique<OGRMultiPolygon>();
            default: return std::make_unique<OGRGeometryCollection>();
        }
    }

    std::mt19937_64 m_oRng;
    bool m_b3D;
};

struct Scene
{
    std::vector<std::unique_ptr<OGRGeometry>> apoOwned;
    std::vector<const OGRGeometry *> apoGeoms;
    std::vector<double> adfBurn;
};

Scene RandomScene(std::uint64_t nSeed, std::size_t nCount, int nBands, bool b3D)
{
    // Unclosed rings are kept on purpose; GDAL 3.13 warns about each.
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GeometryMaker oMaker(nSeed, b3D);
    Scene oScene;
    for (std::size_t i = 0; i < nCount; i++)
    {
        oScene.apoOwned.push_back(oMaker.Feature());
        oScene.apoGeoms.push_back(oScene.apoOwned.back().get());
        for (int b = 0; b < nBands; b++)
            oScene.adfBurn.push_back(static_cast<double>(i) + 0.25 * b);
    }
    CPLPopErrorHandler();
    return oScene;
}

/* ---- Exact comparison ------------------------------------------------- */

template <class T>
void ExpectSameBytes(const T *pa, const T *pb, std::size_t n, const char *pszWhat)
{
    ASSERT_EQ(pa == nullptr, pb == nullptr) << pszWhat;
    if (n == 0 || pa == nullptr)
        return;
    if (std::memcmp(pa, pb, n * sizeof(T)) == 0)
        return;
    std::size_t i = 0;
    while (std::memcmp(pa + i, pb + i, sizeof(T)) == 0)
        i++;
    ADD_FAILURE() << pszWhat << " differ first at index " << i << " of " << n;
}

void ExpectSameBatch(const mrast::GeometryBatch &a, const mrast::GeometryBatch &b)
{
    ASSERT_EQ(a.feature_count, b.feature_count);
    ASSERT_EQ(a.band_count, b.band_count);
    ExpectSameBytes(a.feature_part_offsets, b.feature_part_offsets, a.feature_count + 1,
                    "feature_part_offsets");
    const std::size_t nParts = a.feature_part_offsets[a.feature_count];
    ASSERT_EQ(nParts, b.feature_part_offsets[b.feature_count]);
    ExpectSameBytes(a.part_kind, b.part_kind, nParts, "part_kind");
    ExpectSameBytes(a.part_ring_offsets, b.part_ring_offsets, nParts + 1, "part_ring_offsets");
    const std::size_t nRings = a.part_ring_offsets[nParts];
    ASSERT_EQ(nRings, b.part_ring_offsets[nParts]);
    ExpectSameBytes(a.ring_vertex_offsets, b.ring_vertex_offsets, nRings + 1,
                    "ring_vertex_offsets");
    const std::size_t nVertices = a.ring_vertex_offsets[nRings];
    ASSERT_EQ(nVertices, b.ring_vertex_offsets[nRings]);
    ExpectSameBytes(a.x, b.x, nVertices, "x");
    ExpectSameBytes(a.y, b.y, nVertices, "y");
    ExpectSameBytes(a.z, b.z, nVertices, "z");
    ExpectSameBytes(a.burn, b.burn, a.feature_count * static_cast<std::size_t>(a.band_count),
                    "burn");
}

struct BatchCase
{
    std::size_t nCount;
    int nBands;
    bool b3D;
};

class GeometryBatchTest : public ::testing::TestWithParam<BatchCase>
{
};

/* 20000 features: enough for 7 threads (the builder keeps 2048 features a
 * thread at least); 300: small, stays on the calling thread. */
INSTANTIATE_TEST_SUITE_P(Scenes, GeometryBatchTest,
                         ::testing::Values(BatchCase{20000, 1, false}, BatchCase{20000, 2, true},
                                           BatchCase{20000, 1, true}, BatchCase{300, 3, false},
                                           BatchCase{1, 1, false}),
                         [](const ::testing::TestParamInfo<BatchCase> &info)
                         {
                             return std::to_string(info.param.nCount) + "_features_" +
                                    std::to_string(info.param.nBands) + "_bands" +
                                    (info.param.b3D ? "_with_z" : "");
                         });

TEST_P(GeometryBatchTest, OneByOneMatchesReference)
{
    const BatchCase c = GetParam();
    const Scene oScene = RandomScene(1000 + c.nCount, c.nCount, c.nBands, c.b3D);
    ReferenceBuilder oRef(c.nBands, c.b3D);
    mrast_gdal::GeometryBatchBuilder oBuilder(c.nBands, c.b3D);
    for (std::size_t i = 0; i < c.nCount; i++)
    {
        const double *padfBurn = oScene.adfBurn.data() + i * static_cast<std::size_t>(c.nBands);
        oRef.AddFeature(oScene.apoGeoms[i], padfBurn);
        oBuilder.AddFeature(oScene.apoGeoms[i], padfBurn);
    }
    ExpectSameBatch(oRef.View(), oBuilder.View());
}

TEST_P(GeometryBatchTest, BulkMatchesReferenceOnAnyThreadCount)
{
    const BatchCase c = GetParam();
    const Scene oScene = RandomScene(1000 + c.nCount, c.nCount, c.nBands, c.b3D);
    ReferenceBuilder oRef(c.nBands, c.b3D);
    for (std::size_t i = 0; i < c.nCount; i++)
        oRef.AddFeature(oScene.apoGeoms[i],
                        oScene.adfBurn.data() + i * static_cast<std::size_t>(c.nBands));
    for (int nThreads : {1, 2, 7, 0})
    {
        SCOPED_TRACE("threads " + std::to_string(nThreads));
        mrast_gdal::GeometryBatchBuilder oBuilder(c.nBands, c.b3D);
        oBuilder.AddFeatures(oScene.apoGeoms.data(), c.nCount, oScene.adfBurn.data(), nThreads);
        ExpectSameBatch(oRef.View(), oBuilder.View());
    }
    // From C handles (the C API's way in).
    std::vector<OGRGeometryH> ahGeoms;
    for (const auto *poGeom : oScene.apoGeoms)
        ahGeoms.push_back(OGRGeometry::ToHandle(const_cast<OGRGeometry *>(poGeom)));
    mrast_gdal::GeometryBatchBuilder oBuilder(c.nBands, c.b3D);
    oBuilder.AddFeatures(ahGeoms.data(), c.nCount, oScene.adfBurn.data(), 3);
    ExpectSameBatch(oRef.View(), oBuilder.View());
}

/* Appending to a builder that already holds features (the engine's batches,
 * a C API call after another): the offsets go on from where they were, and
 * Clear() starts again from nothing. */
TEST(GeometryBatch, BulkAppendsAfterOneByOneAndAfterClear)
{
    const Scene oScene = RandomScene(77, 12000, 2, true);
    ReferenceBuilder oRef(2, true);
    for (std::size_t i = 0; i < oScene.apoGeoms.size(); i++)
        oRef.AddFeature(oScene.apoGeoms[i], oScene.adfBurn.data() + 2 * i);

    mrast_gdal::GeometryBatchBuilder oBuilder(2, true);
    for (int nRound = 0; nRound < 2; nRound++)
    {
        const std::size_t nOneByOne = 123, nFirstBulk = 5000;
        for (std::size_t i = 0; i < nOneByOne; i++)
            oBuilder.AddFeature(oScene.apoGeoms[i], oScene.adfBurn.data() + 2 * i);
        oBuilder.AddFeatures(oScene.apoGeoms.data() + nOneByOne, nFirstBulk - nOneByOne,
                             oScene.adfBurn.data() + 2 * nOneByOne, 3);
        oBuilder.AddFeatures(oScene.apoGeoms.data() + nFirstBulk,
                             oScene.apoGeoms.size() - nFirstBulk,
                             oScene.adfBurn.data() + 2 * nFirstBulk, 2);
        const OGRGeometry *const *papoNone = nullptr;
        oBuilder.AddFeatures(papoNone, 0, nullptr, 2);  // nothing to add
        ExpectSameBatch(oRef.View(), oBuilder.View());
        oBuilder.Clear();
    }
}

/* Points only (a point layer) take one pass (AppendLonePoints); a feature
 * of another kind, wherever it is, sends the whole append back to the two
 * passes, with the arrays as before. Same bytes as the reference always,
 * also after features already held. */
TEST(GeometryBatch, PointLayersInOnePassAndBackToTwo)
{
    std::mt19937_64 oRng(4242);
    std::uniform_real_distribution<double> oCoord(-50.0, 50.0);
    for (const bool b3D : {false, true})
    {
        for (const std::size_t nIntruder : {std::size_t{0}, std::size_t{1}, std::size_t{9000},
                                            std::size_t{19998}})
        {
            SCOPED_TRACE(std::string(b3D ? "with Z" : "2D") + ", intruder at " +
                         std::to_string(nIntruder));
            constexpr std::size_t kCount = 20000;
            constexpr int kBands = 2;
            Scene oScene;
            for (std::size_t i = 0; i < kCount; i++)
            {
                std::unique_ptr<OGRGeometry> poGeom;
                if (nIntruder != 0 && i == nIntruder)
                    poGeom.reset(new OGRPoint());  // empty: no part at all
                else if (nIntruder != 0 && i == nIntruder + 1)
                {
                    auto *poLine = new OGRLineString();
                    poLine->addPoint(1.0, 2.0);
                    poLine->addPoint(3.0, 4.0);
                    poGeom.reset(poLine);
                }
                else if (b3D)
                    poGeom.reset(new OGRPoint(oCoord(oRng), oCoord(oRng), oCoord(oRng)));
                else
                    poGeom.reset(new OGRPoint(oCoord(oRng), oCoord(oRng)));
                oScene.apoGeoms.push_back(poGeom.get());
                oScene.apoOwned.push_back(std::move(poGeom));
                for (int b = 0; b < kBands; b++)
                    oScene.adfBurn.push_back(oCoord(oRng));
            }
            ReferenceBuilder oRef(kBands, b3D);
            const std::size_t nHeld = 17;  // one by one first
            for (std::size_t i = 0; i < kCount; i++)
                oRef.AddFeature(oScene.apoGeoms[i], oScene.adfBurn.data() + kBands * i);
            for (int nThreads : {1, 2, 7})
            {
                mrast_gdal::GeometryBatchBuilder oBuilder(kBands, b3D);
                for (std::size_t i = 0; i < nHeld; i++)
                    oBuilder.AddFeature(oScene.apoGeoms[i], oScene.adfBurn.data() + kBands * i);
                oBuilder.AddFeatures(oScene.apoGeoms.data() + nHeld, kCount - nHeld,
                                     oScene.adfBurn.data() + kBands * nHeld, nThreads);
                ExpectSameBatch(oRef.View(), oBuilder.View());
            }
        }
    }
}

/* Curves are linearised on the worker threads: with a thread-local
 * OGR_ARC_STEPSIZE (Python's gdal.config_option() default), they must
 * still linearise as the calling thread would. */
TEST(GeometryBatch, WorkersSeeThreadLocalConfigOptions)
{
    CPLSetThreadLocalConfigOption("OGR_ARC_STEPSIZE", "30");
    const Scene oScene = RandomScene(99, 20000, 1, false);
    ReferenceBuilder oRef(1, false);
    for (std::size_t i = 0; i < oScene.apoGeoms.size(); i++)
        oRef.AddFeature(oScene.apoGeoms[i], oScene.adfBurn.data() + i);
    mrast_gdal::GeometryBatchBuilder oBuilder(1, false);
    oBuilder.AddFeatures(oScene.apoGeoms.data(), oScene.apoGeoms.size(),
                         oScene.adfBurn.data(), 7);
    CPLSetThreadLocalConfigOption("OGR_ARC_STEPSIZE", nullptr);
    ExpectSameBatch(oRef.View(), oBuilder.View());
}

}  // namespace
