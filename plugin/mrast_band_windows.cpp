#include "mrast_band_windows.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal_priv.h"
#include "mrast_workers.h"

namespace mrast_gdal
{

bool ToPixelType(GDALDataType eType, mrast::PixelType &eOut)
{
    switch (eType)
    {
        case GDT_Byte: eOut = mrast::PixelType::UInt8; return true;
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
        case GDT_Int8: eOut = mrast::PixelType::Int8; return true;
#endif
        case GDT_UInt16: eOut = mrast::PixelType::UInt16; return true;
        case GDT_Int16: eOut = mrast::PixelType::Int16; return true;
        case GDT_UInt32: eOut = mrast::PixelType::UInt32; return true;
        case GDT_Int32: eOut = mrast::PixelType::Int32; return true;
        case GDT_UInt64: eOut = mrast::PixelType::UInt64; return true;
        case GDT_Int64: eOut = mrast::PixelType::Int64; return true;
        case GDT_Float32: eOut = mrast::PixelType::Float32; return true;
        case GDT_Float64: eOut = mrast::PixelType::Float64; return true;
        default: return false;
    }
}

/* MEM keeps each band in one block of memory that GDAL hands out through
 * GetInternalHandle("MEMORYn"): burn straight into it. Only the layouts MEM
 * creates itself are recognised (band-sequential or pixel-interleaved);
 * anything else goes through windows. */
bool MemBandBuffers(GDALDatasetH hDS, const std::vector<int> &anBands,
                    std::vector<mrast::BandBuffer> &aoOut)
{
    GDALDriverH hDriver = GDALGetDatasetDriver(hDS);
    if (hDriver == nullptr || !EQUAL(GDALGetDriverShortName(hDriver), "MEM"))
        return false;
    const int nBands = GDALGetRasterCount(hDS);
    const int nW = GDALGetRasterXSize(hDS), nH = GDALGetRasterYSize(hDS);
    GDALRasterBandH hFirst = GDALGetRasterBand(hDS, 1);
    const GDALDataType eType = GDALGetRasterDataType(hFirst);
    const int nSize = GDALGetDataTypeSizeBytes(eType);
    std::vector<unsigned char *> apData;
    for (int i = 1; i <= nBands; i++)
    {
        if (GDALGetRasterDataType(GDALGetRasterBand(hDS, i)) != eType)
            return false;
        auto *p = static_cast<unsigned char *>(
            GDALGetInternalHandle(hDS, CPLSPrintf("MEMORY%d", i)));
        if (p == nullptr)
            return false;
        // Blocks written through GDAL (GDALFillRaster, RasterIO) may still
        // sit dirty in the block cache: write them to the band memory first,
        // and drop them so that no stale block is read (or flushed over our
        // burn) afterwards.
        if (GDALFlushRasterCache(GDALGetRasterBand(hDS, i)) != CE_None)
            return false;
        apData.push_back(p);
    }
    std::int64_t nPixel = nSize;
    std::int64_t nLine = static_cast<std::int64_t>(nW) * nSize;
    if (nBands > 1 && apData[1] - apData[0] == nSize)
    {
        nPixel = static_cast<std::int64_t>(nSize) * nBands;
        nLine = nPixel * nW;
    }
    else if (nBands > 1 &&
             apData[1] - apData[0] != nLine * static_cast<std::int64_t>(nH))
    {
        return false;
    }
    mrast::PixelType ePixel;
    if (!ToPixelType(eType, ePixel))
        return false;
    for (int iBand : anBands)
    {
        mrast::BandBuffer oBuf;
        oBuf.data = apData[static_cast<std::size_t>(iBand - 1)];
        oBuf.type = ePixel;
        oBuf.width = nW;
        oBuf.height = nH;
        oBuf.pixel_spacing = nPixel;
        oBuf.line_spacing = nLine;
        aoOut.push_back(oBuf);
    }
    return true;
}

namespace
{

constexpr std::int32_t kBoundsMargin = 2;  // pixels, around the vertices

std::int32_t FloorToInt(double dfValue)
{
    // Kept away from the int limits so that the margin cannot overflow.
    constexpr double dfLimit = std::numeric_limits<std::int32_t>::max() - 16;
    return static_cast<std::int32_t>(
        std::floor(std::clamp(dfValue, -dfLimit, dfLimit)));
}

}  // namespace

void ComputeFeatureBounds(const mrast::GeometryBatch &oBatch,
                          std::vector<std::int32_t> &anBounds)
{
    constexpr std::int32_t kMin = std::numeric_limits<std::int32_t>::min();
    constexpr std::int32_t kMax = std::numeric_limits<std::int32_t>::max();
    anBounds.assign(4 * oBatch.feature_count, 0);
    for (std::size_t f = 0; f < oBatch.feature_count; f++)
    {
        std::int32_t *panBox = anBounds.data() + 4 * f;
        panBox[0] = panBox[2] = 0;
        panBox[1] = panBox[3] = -1;  // empty
        const std::size_t nPart0 = oBatch.feature_part_offsets[f];
        const std::size_t nPart1 = oBatch.feature_part_offsets[f + 1];
        if (nPart0 >= nPart1)
            continue;
        const std::size_t nV0 =
            oBatch.ring_vertex_offsets[oBatch.part_ring_offsets[nPart0]];
        const std::size_t nV1 =
            oBatch.ring_vertex_offsets[oBatch.part_ring_offsets[nPart1]];
        double dfXMin = std::numeric_limits<double>::infinity();
        double dfXMax = -dfXMin, dfYMin = dfXMin, dfYMax = -dfXMin;
        bool bXNaN = false;
        for (std::size_t v = nV0; v < nV1; v++)
        {
            const double dfX = oBatch.x[v], dfY = oBatch.y[v];
            bXNaN |= std::isnan(dfX);
            dfXMin = std::min(dfXMin, dfX);  // NaN is ignored by min/max
            dfXMax = std::max(dfXMax, dfX);
            dfYMin = std::min(dfYMin, dfY);
            dfYMax = std::max(dfYMax, dfY);
        }
        // The kernels skip features whose every y is NaN: so do we. Rows
        // follow their row range, widened; columns are only a filter, so
        // anything unusual (NaN x) keeps every column.
        if (!(dfYMin <= dfYMax))
            continue;
        panBox[2] = FloorToInt(dfYMin) - kBoundsMargin;
        panBox[3] = FloorToInt(dfYMax) + kBoundsMargin;
        if (bXNaN || !(dfXMin <= dfXMax))
        {
            panBox[0] = kMin;
            panBox[1] = kMax;
        }
        else
        {
            panBox[0] = FloorToInt(dfXMin) - kBoundsMargin;
            panBox[1] = FloorToInt(dfXMax) + kBoundsMargin;
        }
    }
}

namespace
{

/* A rectangle of raster pixels: [nX0, nX1] x [nY0, nY1], inclusive. */
struct PixelRect
{
    std::int32_t nX0, nY0, nX1, nY1;
    bool Touches(const std::int32_t *panBox) const
    {
        return panBox[0] <= nX1 && panBox[1] >= nX0 && panBox[2] <= nY1 &&
               panBox[3] >= nY0 && panBox[0] <= panBox[1] &&
               panBox[2] <= panBox[3];
    }
};

/* Features [nFirst, nLast) as a batch of their own: the offsets are
 * absolute indices, so only the per-feature arrays move. */
mrast::GeometryBatch SubBatch(const mrast::GeometryBatch &oBatch,
                              std::size_t nFirst, std::size_t nLast)
{
    mrast::GeometryBatch oSub = oBatch;
    oSub.feature_count = nLast - nFirst;
    oSub.feature_part_offsets += nFirst;
    oSub.burn += nFirst * static_cast<std::size_t>(oBatch.band_count);
    return oSub;
}

/* Runs of selected features closer than this are burnt as one run (the
 * kernels skip the features in between by their rows): fewer kernel calls. */
constexpr std::size_t kRunGap = 8;

/* Kernel progress inside one window (fine-grained when a single window
 * runs at a time, e.g. a MEM raster). */
struct SharedProgress;
struct KernelProgressArg
{
    SharedProgress *psShared = nullptr;
    double dfWindowBase = 0;  // windows done before this one
    bool bReport = false;     // else only check for cancellation
};

/* One window of the kernels: the same rectangle in every band. */
struct Window
{
    PixelRect oRect{};
    std::vector<mrast::BandBuffer> aoBuffers{};
    std::vector<GDALRasterBlock *> apoBlocks{};  // block windows only
    std::unique_ptr<mrast::Burner> poBurner{};  // begun on the first feature
    std::vector<std::size_t> anSelected{};      // scratch
    // The Burner keeps its options from begin(): the progress argument
    // lives as long as the window.
    KernelProgressArg sProgressArg{};
};

/* How a raster is cut into windows, and how a window's buffers are obtained
 * (Acquire) and handed back (Release). Windows are numbered in raster order
 * and processed in groups of consecutive windows. */
class WindowPlan
{
  public:
    virtual ~WindowPlan() = default;
    virtual int WindowCount() const = 0;
    virtual int WindowsPerGroup() const = 0;
    virtual bool Acquire(int iWindow, Window &oWindow) = 0;
    /* bModified: the window was burnt into (write it back). */
    virtual bool Release(Window &oWindow, bool bModified) = 0;
    /* After each group. */
    virtual bool EndGroup()
    {
        return true;
    }
};

/* The band memory of a MEM dataset: one window. */
class MemPlan final : public WindowPlan
{
  public:
    explicit MemPlan(std::vector<mrast::BandBuffer> aoBuffers)
        : m_aoBuffers(std::move(aoBuffers))
    {
    }
    int WindowCount() const override
    {
        return 1;
    }
    int WindowsPerGroup() const override
    {
        return 1;
    }
    bool Acquire(int, Window &oWindow) override
    {
        oWindow.aoBuffers = m_aoBuffers;
        oWindow.oRect = {0, 0, m_aoBuffers[0].width - 1,
                         m_aoBuffers[0].height - 1};
        return true;
    }
    bool Release(Window &, bool) override
    {
        return true;
    }

  private:
    std::vector<mrast::BandBuffer> m_aoBuffers;
};

/* GDAL's block cache: one window per block, the blocks of all bands locked
 * together. A group's locked blocks take at most half of GDAL_CACHEMAX, so
 * that GDAL can keep writing older dirty blocks out with the other half. */
class BlockPlan final : public WindowPlan
{
  public:
    BlockPlan(GDALDatasetH hDS, const std::vector<int> &anBands,
              mrast::PixelType ePixel, int nBlockXSize, int nBlockYSize)
        : m_ePixel(ePixel), m_nBlockXSize(nBlockXSize),
          m_nBlockYSize(nBlockYSize)
    {
        auto *poDS = GDALDataset::FromHandle(hDS);
        for (int iBand : anBands)
            m_apoBands.push_back(poDS->GetRasterBand(iBand));
        m_nW = poDS->GetRasterXSize();
        m_nH = poDS->GetRasterYSize();
        m_nBlocksX = (m_nW + nBlockXSize - 1) / nBlockXSize;
        m_nBlocksY = (m_nH + nBlockYSize - 1) / nBlockYSize;
        m_nTypeSize = GDALGetDataTypeSizeBytes(
            m_apoBands[0]->GetRasterDataType());
        // A pixel-interleaved file caches the blocks of every band when one
        // is read: count them all.
        const char *pszInterleave =
            poDS->GetMetadataItem("INTERLEAVE", "IMAGE_STRUCTURE");
        const std::int64_t nBandsCached =
            pszInterleave && EQUAL(pszInterleave, "PIXEL")
                ? std::max<std::int64_t>(poDS->GetRasterCount(),
                                         static_cast<std::int64_t>(
                                             anBands.size()))
                : static_cast<std::int64_t>(anBands.size());
        const std::int64_t nWindowBytes =
            static_cast<std::int64_t>(nBlockXSize) * nBlockYSize *
            m_nTypeSize * nBandsCached;
        const std::int64_t nBudget =
            std::max<std::int64_t>(GDALGetCacheMax64() / 2, 1);
        m_nPerGroup = static_cast<int>(std::clamp<std::int64_t>(
            nBudget / std::max<std::int64_t>(nWindowBytes, 1), 1,
            static_cast<std::int64_t>(m_nBlocksX) * m_nBlocksY));
    }
    int WindowCount() const override
    {
        return m_nBlocksX * m_nBlocksY;
    }
    int WindowsPerGroup() const override
    {
        return m_nPerGroup;
    }
    bool Acquire(int iWindow, Window &oWindow) override
    {
        const int nBX = iWindow % m_nBlocksX, nBY = iWindow / m_nBlocksX;
        const int nX0 = nBX * m_nBlockXSize, nY0 = nBY * m_nBlockYSize;
        const int nValidX = std::min(m_nBlockXSize, m_nW - nX0);
        const int nValidY = std::min(m_nBlockYSize, m_nH - nY0);
        oWindow.oRect = {nX0, nY0, nX0 + nValidX - 1, nY0 + nValidY - 1};
        for (GDALRasterBand *poBand : m_apoBands)
        {
            // bJustInitialize = FALSE: a new output was filled with its init
            // value through the cache (or holds 0 / nodata, what the driver
            // reads for a block never written), so the block is read back.
            GDALRasterBlock *poBlock =
                poBand->GetLockedBlockRef(nBX, nBY, FALSE);
            if (poBlock == nullptr)
                return false;
            oWindow.apoBlocks.push_back(poBlock);
            mrast::BandBuffer oBuf;
            oBuf.data = poBlock->GetDataRef();
            oBuf.type = m_ePixel;
            oBuf.width = nValidX;
            oBuf.height = nValidY;
            oBuf.pixel_spacing = m_nTypeSize;
            oBuf.line_spacing =
                static_cast<std::int64_t>(m_nBlockXSize) * m_nTypeSize;
            oBuf.x_offset = nX0;
            oBuf.y_offset = nY0;
            oBuf.raster_width = m_nW;
            oBuf.raster_height = m_nH;
            oWindow.aoBuffers.push_back(oBuf);
        }
        return true;
    }
    bool Release(Window &oWindow, bool bModified) override
    {
        for (GDALRasterBlock *poBlock : oWindow.apoBlocks)
        {
            if (bModified)
                poBlock->MarkDirty();
            poBlock->DropLock();
        }
        oWindow.apoBlocks.clear();
        return true;
    }

  private:
    std::vector<GDALRasterBand *> m_apoBands{};
    mrast::PixelType m_ePixel;
    int m_nBlockXSize, m_nBlockYSize;
    int m_nW = 0, m_nH = 0, m_nBlocksX = 0, m_nBlocksY = 0;
    int m_nTypeSize = 1;
    int m_nPerGroup = 1;
};

/* Fallback when the bands' blocks differ: row windows read with RasterIO
 * into a buffer of at most half of GDAL_CACHEMAX; the bands' cached blocks
 * are written and dropped after each window, so that the window plus the
 * cache stay within GDAL_CACHEMAX. */
class RowIOPlan final : public WindowPlan
{
  public:
    RowIOPlan(GDALDatasetH hDS, const std::vector<int> &anBands,
              mrast::PixelType ePixel)
        : m_hDS(hDS), m_anBands(anBands), m_ePixel(ePixel)
    {
        m_nW = GDALGetRasterXSize(hDS);
        m_nH = GDALGetRasterYSize(hDS);
        m_eType = GDALGetRasterDataType(GDALGetRasterBand(hDS, anBands[0]));
        m_nSize = GDALGetDataTypeSizeBytes(m_eType);
        m_nScanline = static_cast<std::int64_t>(m_nW) * m_nSize;
        const std::int64_t nBudget =
            std::max<std::int64_t>(GDALGetCacheMax64() / 2, 1);
        m_nRows = static_cast<int>(std::clamp<std::int64_t>(
            nBudget / (m_nScanline * static_cast<std::int64_t>(anBands.size())),
            1, m_nH));
    }
    int WindowCount() const override
    {
        return (m_nH + m_nRows - 1) / m_nRows;
    }
    int WindowsPerGroup() const override
    {
        return 1;
    }
    bool Acquire(int iWindow, Window &oWindow) override
    {
        const int nY0 = iWindow * m_nRows;
        const int nThis = std::min(m_nRows, m_nH - nY0);
        const std::int64_t nBandSpace = m_nScanline * nThis;
        m_abyBuffer.resize(static_cast<std::size_t>(
            m_nScanline * m_nRows * static_cast<std::int64_t>(m_anBands.size())));
        oWindow.oRect = {0, nY0, m_nW - 1, nY0 + nThis - 1};
        if (GDALDatasetRasterIOEx(
                m_hDS, GF_Read, 0, nY0, m_nW, nThis, m_abyBuffer.data(), m_nW,
                nThis, m_eType, static_cast<int>(m_anBands.size()),
                m_anBands.data(), m_nSize, m_nScanline, nBandSpace,
                nullptr) != CE_None)
            return false;
        for (std::size_t b = 0; b < m_anBands.size(); b++)
        {
            mrast::BandBuffer oBuf;
            oBuf.data = m_abyBuffer.data() + static_cast<std::int64_t>(b) * nBandSpace;
            oBuf.type = m_ePixel;
            oBuf.width = m_nW;
            oBuf.height = nThis;
            oBuf.pixel_spacing = m_nSize;
            oBuf.line_spacing = m_nScanline;
            oBuf.y_offset = nY0;
            oBuf.raster_width = m_nW;
            oBuf.raster_height = m_nH;
            oWindow.aoBuffers.push_back(oBuf);
        }
        return true;
    }
    bool Release(Window &oWindow, bool bModified) override
    {
        const int nY0 = oWindow.oRect.nY0;
        const int nThis = oWindow.oRect.nY1 - nY0 + 1;
        if (bModified &&
            GDALDatasetRasterIOEx(
                m_hDS, GF_Write, 0, nY0, m_nW, nThis, m_abyBuffer.data(), m_nW,
                nThis, m_eType, static_cast<int>(m_anBands.size()),
                m_anBands.data(), m_nSize, m_nScanline, m_nScanline * nThis,
                nullptr) != CE_None)
            return false;
        return true;
    }
    bool EndGroup() override
    {
        for (int iBand : m_anBands)
            if (GDALFlushRasterCache(GDALGetRasterBand(m_hDS, iBand)) !=
                CE_None)
                return false;
        return true;
    }

  private:
    GDALDatasetH m_hDS;
    std::vector<int> m_anBands;
    mrast::PixelType m_ePixel;
    GDALDataType m_eType = GDT_Byte;
    int m_nW = 0, m_nH = 0, m_nSize = 1, m_nRows = 1;
    std::int64_t m_nScanline = 0;
    std::vector<unsigned char> m_abyBuffer{};
};

std::unique_ptr<WindowPlan> MakePlan(GDALDatasetH hDS,
                                     const std::vector<int> &anBands,
                                     mrast::PixelType ePixel)
{
    std::vector<mrast::BandBuffer> aoMem;
    if (MemBandBuffers(hDS, anBands, aoMem))
        return std::make_unique<MemPlan>(std::move(aoMem));
    if (CPLTestBool(CPLGetConfigOption("MRAST_FORCE_RASTERIO_WINDOWS", "NO")))
        return std::make_unique<RowIOPlan>(hDS, anBands, ePixel);
    int nBlockXSize = 0, nBlockYSize = 0;
    for (int iBand : anBands)
    {
        int nX = 0, nY = 0;
        GDALGetBlockSize(GDALGetRasterBand(hDS, iBand), &nX, &nY);
        if (nBlockXSize == 0)
        {
            nBlockXSize = nX;
            nBlockYSize = nY;
        }
        if (nX != nBlockXSize || nY != nBlockYSize || nX <= 0 || nY <= 0)
            return std::make_unique<RowIOPlan>(hDS, anBands, ePixel);
    }
    return std::make_unique<BlockPlan>(hDS, anBands, ePixel, nBlockXSize,
                                       nBlockYSize);
}

/* Progress shared by the worker threads: monotonic, serialised, and the
 * first FALSE from the user's function cancels everything. */
struct SharedProgress
{
    GDALProgressFunc pfn = nullptr;
    void *pData = nullptr;
    double dfStart = 0, dfEnd = 1;
    double dfTotalWindows = 1;
    std::mutex oMutex{};
    double dfLast = 0;
    std::atomic<bool> bCancelled{false};

    bool Report(double dfWindowsDone)
    {
        std::lock_guard<std::mutex> oLock(oMutex);
        if (bCancelled)
            return false;
        const double dfFrac =
            std::clamp(dfWindowsDone / dfTotalWindows, 0.0, 1.0);
        dfLast = std::max(dfLast, dfStart + (dfEnd - dfStart) * dfFrac);
        if (!pfn(dfLast, "", pData))
            bCancelled = true;
        return !bCancelled;
    }
};

bool KernelProgress(double dfFraction, void *pArg)
{
    auto *p = static_cast<KernelProgressArg *>(pArg);
    if (!p->bReport)
        return !p->psShared->bCancelled;
    return p->psShared->Report(p->dfWindowBase + dfFraction);
}

/* Burns the features of oBatch selected by anCandidates (indices, in
 * order) that touch the window, into the window's Burner. */
mrast::Status BurnIntoWindow(Window &oWindow, const mrast::GeometryBatch &oBatch,
                             const std::vector<std::int32_t> &anBounds,
                             const std::vector<std::size_t> &anCandidates,
                             mrast::BurnOptions oOptions)
{
    auto &anSel = oWindow.anSelected;
    anSel.clear();
    for (std::size_t f : anCandidates)
        if (oWindow.oRect.Touches(anBounds.data() + 4 * f))
            anSel.push_back(f);
    if (anSel.empty())
        return mrast::Status::Ok;
    if (!oWindow.poBurner)
    {
        oWindow.poBurner = std::make_unique<mrast::Burner>();
        const mrast::Status eStatus = oWindow.poBurner->begin(
            oWindow.aoBuffers.data(),
            static_cast<int>(oWindow.aoBuffers.size()), oOptions);
        if (eStatus != mrast::Status::Ok)
            return eStatus;
    }
    std::size_t i = 0;
    while (i < anSel.size())
    {
        std::size_t j = i + 1;
        while (j < anSel.size() && anSel[j] - anSel[j - 1] <= kRunGap)
            j++;
        const mrast::Status eStatus = oWindow.poBurner->burn(
            SubBatch(oBatch, anSel[i], anSel[j - 1] + 1));
        if (eStatus != mrast::Status::Ok)
            return eStatus;
        i = j;
    }
    return mrast::Status::Ok;
}

bool ReportStatus(mrast::Status eStatus)
{
    if (eStatus == mrast::Status::Cancelled)
    {
        CPLError(CE_Failure, CPLE_UserInterrupt, "User terminated");
        return false;
    }
    if (eStatus != mrast::Status::Ok)
    {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "merge-rasterize kernel failed: %s",
                 mrast::status_name(eStatus));
        return false;
    }
    return true;
}

/* Runs fnWork(iWindow, nKernelThreads) for every window on up to nThreads
 * threads; the caller's thread works too. Every window is independent (a
 * pixel lives in exactly one window), so the result is the same for any
 * thread count. */
template <class Work>
mrast::Status ForEachWindowParallel(int nWindows, int nThreads,
                                    const Work &fnWork)
{
    const int nWorkers = std::max(1, std::min(nThreads, nWindows));
    const int nKernelThreads = std::max(1, nThreads / nWorkers);
    std::atomic<int> nNext{0};
    std::atomic<int> nError{static_cast<int>(mrast::Status::Ok)};
    auto fnLoop = [&]
    {
        for (;;)
        {
            const int i = nNext.fetch_add(1);
            if (i >= nWindows ||
                nError.load() != static_cast<int>(mrast::Status::Ok))
                return;
            mrast::Status eStatus;
            try
            {
                eStatus = fnWork(i, nKernelThreads);
            }
            catch (const std::bad_alloc &)
            {
                eStatus = mrast::Status::OutOfMemory;
            }
            if (eStatus != mrast::Status::Ok)
            {
                int nExpected = static_cast<int>(mrast::Status::Ok);
                nError.compare_exchange_strong(nExpected,
                                               static_cast<int>(eStatus));
            }
        }
    };
    RunOnWorkers(nWorkers, fnLoop);
    return static_cast<mrast::Status>(nError.load());
}

}  // namespace

bool BurnWindows(GDALDatasetH hDS, const std::vector<int> &anBands,
                 const BatchSource &fnSource,
                 const mrast::BurnOptions &oOptions,
                 GDALProgressFunc pfnProgress, void *pProgressData,
                 double dfStart, double dfEnd)
{
    const GDALDataType eType =
        GDALGetRasterDataType(GDALGetRasterBand(hDS, anBands[0]));
    mrast::PixelType ePixel;
    if (!ToPixelType(eType, ePixel))
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "Unsupported band data type %s (complex types cannot be "
                 "merge-rasterized)",
                 GDALGetDataTypeName(eType));
        return false;
    }
    std::unique_ptr<WindowPlan> poPlan = MakePlan(hDS, anBands, ePixel);
    int nThreads = oOptions.threads;
    if (nThreads <= 0)
        nThreads = static_cast<int>(std::thread::hardware_concurrency());
    nThreads = std::max(nThreads, 1);

    SharedProgress sProgress;
    sProgress.pfn = pfnProgress ? pfnProgress : GDALDummyProgress;
    sProgress.pData = pProgressData;
    sProgress.dfStart = dfStart;
    sProgress.dfEnd = dfEnd;
    sProgress.dfTotalWindows = poPlan->WindowCount();

    const int nWindows = poPlan->WindowCount();
    const int nPerGroup = poPlan->WindowsPerGroup();
    std::vector<Window> aoWindows;
    std::vector<std::size_t> anCandidates;
    bool bOK = true;
    for (int iFirst = 0; iFirst < nWindows && bOK; iFirst += nPerGroup)
    {
        const int nGroup = std::min(nPerGroup, nWindows - iFirst);
        aoWindows.clear();
        aoWindows.resize(static_cast<std::size_t>(nGroup));
        int nAcquired = 0;
        for (; nAcquired < nGroup && bOK; nAcquired++)
            bOK = poPlan->Acquire(iFirst + nAcquired,
                                  aoWindows[static_cast<std::size_t>(nAcquired)]);
        // A window that failed to be acquired is released too: it holds
        // the blocks it locked before the failure.
        PixelRect oGroupRect = aoWindows[0].oRect;
        for (int i = 0; i < nAcquired; i++)
        {
            const PixelRect &o = aoWindows[static_cast<std::size_t>(i)].oRect;
            oGroupRect = {std::min(oGroupRect.nX0, o.nX0),
                          std::min(oGroupRect.nY0, o.nY0),
                          std::max(oGroupRect.nX1, o.nX1),
                          std::max(oGroupRect.nY1, o.nY1)};
        }

        auto fnConsumer = [&](const mrast::GeometryBatch &oBatch,
                              const std::vector<std::int32_t> &anBounds)
        {
            anCandidates.clear();
            for (std::size_t f = 0; f < oBatch.feature_count; f++)
                if (oGroupRect.Touches(anBounds.data() + 4 * f))
                    anCandidates.push_back(f);
            if (anCandidates.empty())
                return true;
            std::atomic<int> nDone{0};
            const bool bOneAtATime = std::min(nThreads, nGroup) <= 1;
            const mrast::Status eStatus = ForEachWindowParallel(
                nGroup, nThreads,
                [&](int i, int nKernelThreads)
                {
                    Window &oWindow = aoWindows[static_cast<std::size_t>(i)];
                    oWindow.sProgressArg = {&sProgress,
                                            static_cast<double>(iFirst + i),
                                            bOneAtATime};
                    mrast::BurnOptions oWindowOptions = oOptions;
                    oWindowOptions.threads = nKernelThreads;
                    oWindowOptions.progress = KernelProgress;
                    oWindowOptions.progress_arg = &oWindow.sProgressArg;
                    const mrast::Status eWindow = BurnIntoWindow(
                        oWindow, oBatch,
                        anBounds, anCandidates, oWindowOptions);
                    if (eWindow != mrast::Status::Ok)
                        return eWindow;
                    const int nNowDone = ++nDone;
                    if (!sProgress.Report(iFirst + nNowDone))
                        return mrast::Status::Cancelled;
                    return mrast::Status::Ok;
                });
            return ReportStatus(eStatus);
        };
        if (bOK)
            bOK = fnSource(fnConsumer);
        for (int i = 0; i < nAcquired; i++)
        {
            Window &oWindow = aoWindows[static_cast<std::size_t>(i)];
            bool bModified = false;
            if (oWindow.poBurner)
            {
                bModified = true;
                // Mean divides here: every contribution to the window's
                // pixels has been burnt (each pixel lives in one window).
                const mrast::Status eStatus = oWindow.poBurner->finish();
                if (bOK)
                    bOK = ReportStatus(eStatus);
                oWindow.poBurner.reset();
            }
            if (!poPlan->Release(oWindow, bModified))
                bOK = false;
        }
        if (bOK)
            bOK = poPlan->EndGroup();
        if (bOK)
            bOK = sProgress.Report(iFirst + nGroup) ||
                  ReportStatus(mrast::Status::Cancelled);
    }
    return bOK;
}

}  // namespace mrast_gdal
