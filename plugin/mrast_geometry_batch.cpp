#include "mrast_geometry_batch.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "cpl_conv.h"
#include "cpl_string.h"
#include "mrast_workers.h"

namespace mrast_gdal
{

namespace
{

/* Types whose instances cannot hold curves (OGRPolygon's rings are linear
 * rings, OGRMultiPolygon holds OGRPolygons, ...): their hasCurveGeometry()
 * is FALSE, so that virtual call (and IsEmpty()'s) is skipped for them. */
bool IsLinearType(OGRwkbGeometryType eFlatType)
{
    switch (eFlatType)
    {
        case wkbPoint:
        case wkbLineString:
        case wkbPolygon:
        case wkbMultiPoint:
        case wkbMultiLineString:
        case wkbMultiPolygon:
            return true;
        default:
            return false;
    }
}

/* wkbFlatten() without its out-of-line OGR_GT_Flatten() call for the 2D
 * types (wkbUnknown .. wkbGeometryCollection), which are already flat. */
OGRwkbGeometryType FlatType(const OGRGeometry &oGeom)
{
    const OGRwkbGeometryType eType = oGeom.getGeometryType();
    if (eType >= wkbUnknown && eType <= wkbGeometryCollection)
        return eType;
    return wkbFlatten(eType);
}

/* The vertex count through OGRSimpleCurve's inline getter, not the virtual
 * one: IsEmpty() is "no vertex" for simple curves. */
int CurveSize(const OGRSimpleCurve &oCurve)
{
    return oCurve.OGRSimpleCurve::getNumPoints();
}

bool HasNonEmptyRing(const OGRPolygon &oPoly)
{
    for (const auto *poRing : oPoly)
        if (CurveSize(*poRing) > 0)
            return true;
    return false;
}

/* Walks a linear geometry in GDAL's order, handing its non-empty points,
 * line strings and polygons to oSink. Both passes (counting and writing)
 * walk through here, so they cannot disagree on what a feature adds. An
 * empty geometry adds nothing at any level, exactly as when each level
 * tested IsEmpty() first. */
template <class Sink>
void WalkGeometry(const OGRGeometry *poGeom, OGRwkbGeometryType eFlatType,
                  Sink &oSink)
{
    switch (eFlatType)
    {
        case wkbPoint:
        {
            const OGRPoint *poPoint = poGeom->toPoint();
            // Qualified: OGRPoint's inline flag test, no virtual call.
            if (!poPoint->OGRPoint::IsEmpty())
                oSink.Point(*poPoint);
            break;
        }
        case wkbLineString:
        {
            const OGRLineString *poLine = poGeom->toLineString();
            if (CurveSize(*poLine) > 0)
                oSink.Line(*poLine);
            break;
        }
        case wkbPolygon:
        {
            const OGRPolygon *poPoly = poGeom->toPolygon();
            if (HasNonEmptyRing(*poPoly))
                oSink.Polygon(*poPoly);
            break;
        }
        case wkbMultiPoint:
        case wkbMultiLineString:
        case wkbMultiPolygon:
        case wkbGeometryCollection:
            for (const auto *poPart : *poGeom->toGeometryCollection())
                WalkGeometry(poPart, FlatType(*poPart), oSink);
            break;
        default:
            // Surfaces, TINs: GDAL ignores them as well.
            break;
    }
}

/* What a feature burns as: the geometry itself, or (SPEC section 6: curves
 * are linearised) its linear copy, then owned by poLinear and flagged
 * bLinearised (poGeom is null if linearisation failed). */
struct WalkTarget
{
    const OGRGeometry *poGeom = nullptr;
    OGRwkbGeometryType eFlatType = wkbUnknown;
    bool bLinearised = false;
};

WalkTarget WalkTargetOf(const OGRGeometry *poGeom)
{
    WalkTarget oTarget;
    if (poGeom != nullptr)
    {
        oTarget.poGeom = poGeom;
        oTarget.eFlatType = FlatType(*poGeom);
    }
    return oTarget;
}

WalkTarget ResolveFeature(const OGRGeometry *poGeom,
                          std::unique_ptr<OGRGeometry> &poLinear)
{
    WalkTarget oTarget = WalkTargetOf(poGeom);
    if (poGeom == nullptr || IsLinearType(oTarget.eFlatType) ||
        poGeom->IsEmpty() || !poGeom->hasCurveGeometry())
        return oTarget;
    poLinear.reset(poGeom->getLinearGeometry());
    oTarget = WalkTargetOf(poLinear.get());
    oTarget.bLinearised = true;
    return oTarget;
}

/* Where a simple curve keeps its vertices, to prefetch them. The array is a
 * protected member of OGRSimpleCurve (in every GDAL 3 header), read through
 * a member pointer that only a derived class may name. */
const void *PointsOf(const OGRSimpleCurve &oCurve)
{
    struct Access : OGRSimpleCurve
    {
        static OGRRawPoint *OGRSimpleCurve::*Member()
        {
            return &Access::paoPoints;
        }
    };
    return oCurve.*Access::Member();
}

/* The memory pass 2 reads per feature beyond the geometry object itself (a
 * polygon's ring array, its rings and their vertices; a line's vertices),
 * noted by pass 1, which reaches it anyway, and asked for a few features
 * ahead in pass 2: each is a separate heap block behind a pointer, which
 * the hardware prefetcher cannot follow, and their misses were most of
 * pass 2 (polygons: isClockwise(), the first to read the vertices, was
 * its hottest function). Polygons: pass 2 10.4 -> 5 ms on 2 threads for
 * 100k, pass 1 2.5 -> 4.3 ms. */
class TouchList
{
  public:
    /* Room for nFeatures polygons of one ring (array, ring, vertices). */
    void Reserve(std::size_t nFeatures)
    {
        m_anBlocks.reserve(3 * nFeatures);
        m_anEnd.reserve(nFeatures);
    }
    void Add(const void *p, std::size_t nBytes)
    {
        // Up to 8 lines: enough to start the hardware prefetcher on a
        // long ring. The count (1 .. 8) is kept in the address's low 3
        // bits: heap blocks are 16-aligned, and a prefetch of a line
        // before an odd block's start would only be useless, never wrong.
        const std::size_t nLines = std::min<std::size_t>(8, (nBytes + 63) / 64);
        if (p != nullptr && nLines > 0)
            m_anBlocks.push_back((reinterpret_cast<std::uintptr_t>(p) & ~kLineBits) |
                                 (nLines - 1));
    }
    void EndFeature()
    {
        m_anEnd.push_back(m_anBlocks.size());
    }
    /* Feature k of the chunk (nothing past its end). */
    void Prefetch(std::size_t k) const
    {
        if (k >= m_anEnd.size())
            return;
        for (std::size_t i = k == 0 ? 0 : m_anEnd[k - 1]; i < m_anEnd[k]; i++)
        {
            const char *p = reinterpret_cast<const char *>(m_anBlocks[i] & ~kLineBits);
            for (std::uintptr_t j = 0; j <= (m_anBlocks[i] & kLineBits); j++)
                __builtin_prefetch(p + 64 * j);
        }
    }

  private:
    static constexpr std::uintptr_t kLineBits = 7;
    std::vector<std::uintptr_t> m_anBlocks;
    std::vector<std::size_t> m_anEnd;  // per feature: end of its blocks
};

/* Pass 1: what a feature adds, and the blocks pass 2 will read. */
struct CountingSink
{
    mrast::GeometryCounts oCounts;
    TouchList &oTouch;

    void Point(const OGRPoint &)
    {
        oCounts.parts++;
        oCounts.rings++;
        oCounts.vertices++;
    }
    void Line(const OGRLineString &oLine)
    {
        oCounts.parts++;
        oCounts.rings++;
        oCounts.vertices += static_cast<std::size_t>(CurveSize(oLine));
        oTouch.Add(PointsOf(oLine),
                   sizeof(OGRRawPoint) * static_cast<std::size_t>(CurveSize(oLine)));
    }
    void Polygon(const OGRPolygon &oPoly)
    {
        oCounts.parts++;
        oTouch.Add(oPoly.begin(), sizeof(void *) * static_cast<std::size_t>(
                                      oPoly.end() - oPoly.begin()));
        for (const auto *poRing : oPoly)
        {
            const int nPoints = CurveSize(*poRing);
            oTouch.Add(poRing, sizeof(*poRing));
            if (nPoints == 0)
                continue;
            oCounts.rings++;
            oCounts.vertices += static_cast<std::size_t>(nPoints);
            oTouch.Add(PointsOf(*poRing),
                       sizeof(OGRRawPoint) * static_cast<std::size_t>(nPoints));
        }
    }
};

/* Where a ring's vertices go: nVertices slots, z null without Z. */
struct VertexSlots
{
    double *padfX, *padfY, *padfZ;
};

/* Output of FeatureWriter for AddFeatures(): writes into slots that pass 1
 * sized. Burn values are copied by the caller, a block at a time. */
class SlotOutput
{
  public:
    explicit SlotOutput(const mrast::GeometrySlots &oSlots) : m_oSlots(oSlots)
    {
    }

    bool WithZ() const
    {
        return m_oSlots.z != nullptr;
    }
    void BeginPart(mrast::PartKind eKind)
    {
        m_oSlots.part_kind[m_iPart] = eKind;
    }
    void EndPart()
    {
        m_oSlots.part_ring_ends[m_iPart++] = m_oSlots.first.rings + m_iRing;
    }
    VertexSlots Vertices(std::size_t nVertices)
    {
        const std::size_t i = m_iVertex;
        m_iVertex += nVertices;
        return {m_oSlots.x + i, m_oSlots.y + i,
                m_oSlots.z != nullptr ? m_oSlots.z + i : nullptr};
    }
    void EndRing()
    {
        m_oSlots.ring_vertex_ends[m_iRing++] =
            m_oSlots.first.vertices + m_iVertex;
    }
    void EndFeature()
    {
        m_oSlots.feature_part_ends[m_iFeature++] =
            m_oSlots.first.parts + m_iPart;
    }

  private:
    mrast::GeometrySlots m_oSlots;
    std::size_t m_iFeature = 0, m_iPart = 0, m_iRing = 0, m_iVertex = 0;
};

/* Output of FeatureWriter for AddFeature(): appends through
 * GeometryArrays' own steps. One feature at a time, a counting pass and
 * one grow() per feature cost more than these inline appends (1M points:
 * 50 ms against 33 ms). */
class AppendOutput
{
  public:
    AppendOutput(mrast::GeometryArrays &oArrays, bool bWithZ)
        : m_oArrays(oArrays), m_bWithZ(bWithZ)
    {
    }

    bool WithZ() const
    {
        return m_bWithZ;
    }
    void BeginPart(mrast::PartKind eKind)
    {
        m_oArrays.begin_part(eKind);
    }
    void EndPart()
    {
    }
    VertexSlots Vertices(std::size_t nVertices)
    {
        const std::size_t i = m_oArrays.add_vertices(nVertices, m_bWithZ);
        return {m_oArrays.x().data() + i, m_oArrays.y().data() + i,
                m_bWithZ ? m_oArrays.z().data() + i : nullptr};
    }
    void EndRing()
    {
        m_oArrays.end_ring();
    }

  private:
    mrast::GeometryArrays &m_oArrays;
    bool m_bWithZ;
};

/* Writes the parts of features in GDAL's vertex order to an Output (the
 * two above): the one place that knows that order. */
template <class Output> class FeatureWriter
{
  public:
    explicit FeatureWriter(Output &oOutput) : m_oOutput(oOutput)
    {
    }

    /* The feature's parts; the caller then closes the feature. */
    void Parts(const WalkTarget &oTarget)
    {
        if (oTarget.poGeom != nullptr)
            WalkGeometry(oTarget.poGeom, oTarget.eFlatType, *this);
    }

    void Point(const OGRPoint &oPoint)
    {
        m_oOutput.BeginPart(mrast::PartKind::Points);
        const VertexSlots oV = m_oOutput.Vertices(1);
        oV.padfX[0] = oPoint.getX();
        oV.padfY[0] = oPoint.getY();
        if (oV.padfZ != nullptr)
            oV.padfZ[0] = oPoint.getZ();
        m_oOutput.EndRing();
        m_oOutput.EndPart();
    }

    void Line(const OGRLineString &oLine)
    {
        // GDALCollectRingsFromGeometry walks line strings backwards; the
        // Bresenham pixels depend on the direction.
        m_oOutput.BeginPart(mrast::PartKind::Line);
        Ring(oLine, /*bReverse=*/true);
        m_oOutput.EndPart();
    }

    void Polygon(const OGRPolygon &oPoly)
    {
        // GDAL makes every ring clockwise (in georeferenced space): the
        // bottom-horizontal-edge rule depends on the orientation. GDAL's own
        // isClockwise() decides, as in GDALCollectRingsFromGeometry.
        m_oOutput.BeginPart(mrast::PartKind::Polygon);
        for (const auto *poRing : oPoly)
        {
            if (CurveSize(*poRing) > 0)
                Ring(*poRing, !poRing->isClockwise());
        }
        m_oOutput.EndPart();
    }

  private:
    /* One pass through OGRSimpleCurve's inline getters, reversing on the
     * fly: no getPoints() copy followed by std::reverse. */
    void Ring(const OGRSimpleCurve &oCurve, bool bReverse)
    {
        const int nPoints = CurveSize(oCurve);
        const VertexSlots oV =
            m_oOutput.Vertices(static_cast<std::size_t>(nPoints));
        if (bReverse)
        {
            for (int k = 0, i = nPoints - 1; k < nPoints; k++, i--)
            {
                oV.padfX[k] = oCurve.getX(i);
                oV.padfY[k] = oCurve.getY(i);
            }
        }
        else
        {
            for (int k = 0; k < nPoints; k++)
            {
                oV.padfX[k] = oCurve.getX(k);
                oV.padfY[k] = oCurve.getY(k);
            }
        }
        if (oV.padfZ != nullptr)
        {
            for (int k = 0; k < nPoints; k++)
                oV.padfZ[k] = oCurve.getZ(bReverse ? nPoints - 1 - k : k);
        }
        m_oOutput.EndRing();
    }

    Output &m_oOutput;
};

/* The caller's geometries: C++ pointers or C handles, read in place. */
class GeometryList
{
  public:
    explicit GeometryList(const OGRGeometry *const *papoGeoms)
        : m_papoGeoms(papoGeoms)
    {
    }
    explicit GeometryList(const OGRGeometryH *pahGeoms) : m_pahGeoms(pahGeoms)
    {
    }

    const OGRGeometry *operator[](std::size_t i) const
    {
        return m_papoGeoms != nullptr
                   ? m_papoGeoms[i]
                   : OGRGeometry::FromHandle(m_pahGeoms[i]);
    }

  private:
    const OGRGeometry *const *m_papoGeoms = nullptr;
    const OGRGeometryH *m_pahGeoms = nullptr;
};

/* A contiguous range of features built by one task in each pass. */
struct FeatureChunk
{
    std::size_t iBegin = 0, iEnd = 0;
    mrast::GeometryCounts oCounts;  // what it adds (pass 1)
    mrast::GeometryCounts oStart;   // where, within the append (prefix sum)
    // Linear copies of its curved features, by feature index, in order:
    // linearised once in pass 1, written in pass 2.
    std::vector<std::pair<std::size_t, std::unique_ptr<OGRGeometry>>>
        aoLinear;
    TouchList oTouch;  // pass 1 notes, pass 2 prefetches
};

/* Geometries are separate heap objects reached through pointers, which the
 * hardware prefetcher cannot follow: the vptr load of each was the hottest
 * instruction of both passes. Ask for the object nAhead features ahead
 * (10% off 1M points). */
void PrefetchAhead(const GeometryList &oGeoms, std::size_t i,
                   std::size_t iEnd, std::size_t nAhead = 8)
{
    if (i + nAhead < iEnd)
        __builtin_prefetch(oGeoms[i + nAhead]);
}

/* Pass 1's prefetch: the object further ahead, and for a polygon nearer
 * ahead (its object arrived by then) its ring objects, where pass 1 reads
 * the vertex counts: that read was two thirds of pass 1's time on star
 * polygons (100k: 4.3 -> 3.4 ms on 2 threads). Pass 2 has the blocks
 * noted in its TouchList. */
void PrefetchRingsAhead(const GeometryList &oGeoms, std::size_t i,
                        std::size_t iEnd)
{
    constexpr std::size_t kFar = 16, kNear = 6;
    PrefetchAhead(oGeoms, i, iEnd, kFar);
    if (i + kNear < iEnd)
    {
        const OGRGeometry *poGeom = oGeoms[i + kNear];
        if (poGeom != nullptr && FlatType(*poGeom) == wkbPolygon)
        {
            const OGRPolygon *poPoly = poGeom->toPolygon();
            for (const auto *poRing : *poPoly)
                __builtin_prefetch(poRing);
        }
    }
}

void CountChunk(const GeometryList &oGeoms, FeatureChunk &oChunk)
{
    CountingSink oSink{{}, oChunk.oTouch};
    oChunk.oTouch.Reserve(oChunk.iEnd - oChunk.iBegin);
    for (std::size_t i = oChunk.iBegin; i < oChunk.iEnd; i++)
    {
        PrefetchRingsAhead(oGeoms, i, oChunk.iEnd);
        std::unique_ptr<OGRGeometry> poLinear;
        const WalkTarget oTarget = ResolveFeature(oGeoms[i], poLinear);
        if (oTarget.bLinearised)
            oChunk.aoLinear.emplace_back(i, std::move(poLinear));
        if (oTarget.poGeom != nullptr)
            WalkGeometry(oTarget.poGeom, oTarget.eFlatType, oSink);
        oChunk.oTouch.EndFeature();
    }
    oChunk.oCounts = oSink.oCounts;
    oChunk.oCounts.features = oChunk.iEnd - oChunk.iBegin;
}

void WriteChunk(const GeometryList &oGeoms, const double *padfBurn,
                const FeatureChunk &oChunk, const mrast::GeometrySlots &oSlots)
{
    const std::size_t nBands = static_cast<std::size_t>(oSlots.band_count);
    std::copy(padfBurn + oChunk.iBegin * nBands,
              padfBurn + oChunk.iEnd * nBands, oSlots.burn);
    SlotOutput oOutput(oSlots);
    FeatureWriter<SlotOutput> oWriter(oOutput);
    std::size_t iLinear = 0;
    constexpr std::size_t kTouchAhead = 4;
    for (std::size_t k = 0; k < kTouchAhead; k++)
        oChunk.oTouch.Prefetch(k);
    for (std::size_t i = oChunk.iBegin; i < oChunk.iEnd; i++)
    {
        PrefetchAhead(oGeoms, i, oChunk.iEnd);
        oChunk.oTouch.Prefetch(i - oChunk.iBegin + kTouchAhead);
        if (iLinear < oChunk.aoLinear.size() &&
            oChunk.aoLinear[iLinear].first == i)
        {
            oWriter.Parts(
                WalkTargetOf(oChunk.aoLinear[iLinear++].second.get()));
        }
        else
        {
            oWriter.Parts(WalkTargetOf(oGeoms[i]));
        }
        oOutput.EndFeature();
    }
}

/* Threads worth starting: below kMinFeaturesPerThread features each,
 * starting a thread costs more than it saves. */
int BuilderThreadCount(std::size_t nCount, int nThreads)
{
    constexpr std::size_t kMinFeaturesPerThread = 2048;
    if (nThreads <= 0)
        nThreads = std::max(1, static_cast<int>(
                                   std::thread::hardware_concurrency()));
    const std::size_t nUseful =
        std::max<std::size_t>(1, nCount / kMinFeaturesPerThread);
    return static_cast<int>(
        std::min(static_cast<std::size_t>(nThreads), nUseful));
}

/* Several chunks per thread, taken dynamically: feature sizes vary. */
std::vector<FeatureChunk> SplitIntoChunks(std::size_t nCount, int nWorkers)
{
    const std::size_t nChunks =
        nWorkers <= 1 ? 1 : static_cast<std::size_t>(nWorkers) * 8;
    std::vector<FeatureChunk> aoChunks(nChunks);
    for (std::size_t i = 0; i < nChunks; i++)
    {
        aoChunks[i].iBegin = nCount * i / nChunks;
        aoChunks[i].iEnd = nCount * (i + 1) / nChunks;
    }
    return aoChunks;
}

/* Runs fnTask(0 .. nTasks-1) on nWorkers threads (the caller's included,
 * RunOnWorkers). The first exception a task throws is rethrown here once
 * every thread has joined; the remaining tasks are then skipped. */
template <class Fn>
void RunTasks(int nWorkers, std::size_t nTasks, const Fn &fnTask)
{
    if (nWorkers <= 1)
    {
        for (std::size_t i = 0; i < nTasks; i++)
            fnTask(i);
        return;
    }
    std::atomic<std::size_t> nNext{0};
    std::mutex oErrorMutex;
    std::exception_ptr pError;
    const auto Work = [&]()
    {
        try
        {
            for (std::size_t i; (i = nNext.fetch_add(1)) < nTasks;)
                fnTask(i);
        }
        catch (...)
        {
            std::lock_guard<std::mutex> oLock(oErrorMutex);
            if (!pError)
                pError = std::current_exception();
            nNext.store(nTasks);
        }
    };
    RunOnWorkers(nWorkers, Work);
    if (pError)
        std::rethrow_exception(pError);
}

/* A geometry that is one non-empty point: one part, one ring, one vertex,
 * exactly what WalkGeometry() makes of it. */
const OGRPoint *LonePoint(const OGRGeometry *poGeom)
{
    if (poGeom == nullptr || FlatType(*poGeom) != wkbPoint)
        return nullptr;
    const OGRPoint *poPoint = poGeom->toPoint();
    return poPoint->OGRPoint::IsEmpty() ? nullptr : poPoint;
}

/* Input made of points only (a point layer): feature i is part, ring and
 * vertex i of the append, so one pass writes every array, without the
 * counting pass (over 1M points, each pass is a walk over 1M heap objects).
 * Returns false, with the arrays as they were, once a feature turns out to
 * be anything else; the two passes then take over. */
bool AppendLonePoints(mrast::GeometryArrays &oArrays, bool bWithZ,
                      const GeometryList &oGeoms, std::size_t nCount,
                      const double *padfBurn, int nWorkers,
                      const std::vector<FeatureChunk> &aoChunks)
{
    const mrast::GeometryArrays::Sizes oBefore = oArrays.sizes();
    const mrast::GeometrySlots oSlots =
        oArrays.grow(mrast::GeometryCounts{nCount, nCount, nCount, nCount}, bWithZ);
    const std::size_t nBands = static_cast<std::size_t>(oSlots.band_count);
    std::atomic<bool> bAllPoints{true};
    RunTasks(nWorkers, aoChunks.size(),
             [&](std::size_t iChunk)
             {
                 const FeatureChunk &oChunk = aoChunks[iChunk];
                 std::copy(padfBurn + oChunk.iBegin * nBands,
                           padfBurn + oChunk.iEnd * nBands,
                           oSlots.burn + oChunk.iBegin * nBands);
                 for (std::size_t i = oChunk.iBegin; i < oChunk.iEnd; i++)
                 {
                     PrefetchAhead(oGeoms, i, oChunk.iEnd);
                     const OGRPoint *poPoint = LonePoint(oGeoms[i]);
                     if (poPoint == nullptr ||
                         ((i & 1023) == 0 &&
                          !bAllPoints.load(std::memory_order_relaxed)))
                     {
                         bAllPoints.store(false, std::memory_order_relaxed);
                         return;
                     }
                     // As FeatureWriter::Point() and SlotOutput write it.
                     oSlots.feature_part_ends[i] = oSlots.first.parts + i + 1;
                     oSlots.part_kind[i] = mrast::PartKind::Points;
                     oSlots.part_ring_ends[i] = oSlots.first.rings + i + 1;
                     oSlots.ring_vertex_ends[i] = oSlots.first.vertices + i + 1;
                     oSlots.x[i] = poPoint->getX();
                     oSlots.y[i] = poPoint->getY();
                     if (oSlots.z != nullptr)
                         oSlots.z[i] = poPoint->getZ();
                 }
             });
    if (bAllPoints.load())
        return true;
    oArrays.rollback(oBefore);
    return false;
}

/* AddFeatures(): count the chunks (in parallel), place them (prefix sum),
 * grow every array once, write the chunks in place (in parallel). Points
 * only: one pass (AppendLonePoints). */
void AppendInBulk(mrast::GeometryArrays &oArrays, bool bWithZ,
                  const GeometryList &oGeoms, std::size_t nCount,
                  const double *padfBurn, int nThreads)
{
    if (nCount == 0)
        return;
    const int nWorkers = BuilderThreadCount(nCount, nThreads);
    std::vector<FeatureChunk> aoChunks = SplitIntoChunks(nCount, nWorkers);
    // The first and last features decide whether the one pass is tried.
    if (LonePoint(oGeoms[0]) != nullptr &&
        LonePoint(oGeoms[nCount - 1]) != nullptr &&
        AppendLonePoints(oArrays, bWithZ, oGeoms, nCount, padfBurn, nWorkers,
                         aoChunks))
        return;
    RunTasks(nWorkers, aoChunks.size(),
             [&](std::size_t i) { CountChunk(oGeoms, aoChunks[i]); });
    mrast::GeometryCounts oTotal;
    for (auto &oChunk : aoChunks)
    {
        oChunk.oStart = oTotal;
        oTotal += oChunk.oCounts;
    }
    // One allocation per array for the whole append (no growth copies),
    // left unwritten: each page is first touched by the thread writing it.
    const mrast::GeometrySlots oSlots = oArrays.grow(oTotal, bWithZ);
    RunTasks(nWorkers, aoChunks.size(),
             [&](std::size_t i)
             {
                 WriteChunk(oGeoms, padfBurn, aoChunks[i],
                            oSlots.advanced(aoChunks[i].oStart));
             });
}

}  // namespace

GeometryBatchBuilder::GeometryBatchBuilder(int nBandCount, bool bWithZ)
    : m_bWithZ(bWithZ), m_oArrays(nBandCount)
{
}

void GeometryBatchBuilder::AddFeature(const OGRGeometry *poGeom,
                                      const double *padfBurn)
{
    std::unique_ptr<OGRGeometry> poLinear;
    AppendOutput oOutput(m_oArrays, m_bWithZ);
    FeatureWriter<AppendOutput>(oOutput).Parts(
        ResolveFeature(poGeom, poLinear));
    m_oArrays.end_feature(padfBurn);
}

void GeometryBatchBuilder::AddFeatures(const OGRGeometry *const *papoGeoms,
                                       std::size_t nCount,
                                       const double *padfBurn, int nThreads)
{
    AppendInBulk(m_oArrays, m_bWithZ, GeometryList(papoGeoms), nCount,
                 padfBurn, nThreads);
}

void GeometryBatchBuilder::AddFeatures(const OGRGeometryH *pahGeoms,
                                       std::size_t nCount,
                                       const double *padfBurn, int nThreads)
{
    AppendInBulk(m_oArrays, m_bWithZ, GeometryList(pahGeoms), nCount,
                 padfBurn, nThreads);
}

bool GeometryBatchBuilder::TransformToPixels(GDALTransformerFunc pfnTransformer,
                                             void *pTransformArg)
{
    auto &adfX = m_oArrays.x();
    auto &adfY = m_oArrays.y();
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
