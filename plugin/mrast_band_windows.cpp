#include "mrast_band_windows.h"

#include <algorithm>
#include <cstdint>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

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

namespace
{

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

}  // namespace

bool ForEachWindow(GDALDatasetH hDS, const std::vector<int> &anBands,
                   const WindowBurner &fnBurn)
{
    std::vector<mrast::BandBuffer> aoBuffers;
    if (MemBandBuffers(hDS, anBands, aoBuffers))
        return fnBurn(aoBuffers, 0.0, 1.0);

    const int nW = GDALGetRasterXSize(hDS), nH = GDALGetRasterYSize(hDS);
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
    const int nSize = GDALGetDataTypeSizeBytes(eType);
    const std::int64_t nBandCount = static_cast<std::int64_t>(anBands.size());
    const std::int64_t nScanline = static_cast<std::int64_t>(nW) * nSize;
    /* The window and GDAL's block cache together stay near GDAL_CACHEMAX:
     * give the window half of it. */
    const std::int64_t nBudget = std::max<std::int64_t>(GDALGetCacheMax64() / 2, 1);
    int nRows = static_cast<int>(std::clamp<std::int64_t>(
        nBudget / (nScanline * nBandCount), 1, nH));
    unsigned char *pabyBuf = static_cast<unsigned char *>(VSI_MALLOC3_VERBOSE(
        static_cast<std::size_t>(nScanline), static_cast<std::size_t>(nRows),
        static_cast<std::size_t>(nBandCount)));
    if (pabyBuf == nullptr)
        return false;
    bool bOK = true;
    for (int iY = 0; iY < nH && bOK; iY += nRows)
    {
        const int nThis = std::min(nRows, nH - iY);
        const std::int64_t nBandSpace = nScanline * nThis;
        if (GDALDatasetRasterIOEx(hDS, GF_Read, 0, iY, nW, nThis, pabyBuf, nW,
                                  nThis, eType, static_cast<int>(nBandCount),
                                  const_cast<int *>(anBands.data()), nSize,
                                  nScanline, nBandSpace, nullptr) != CE_None)
        {
            bOK = false;
            break;
        }
        aoBuffers.clear();
        for (std::int64_t b = 0; b < nBandCount; b++)
        {
            mrast::BandBuffer oBuf;
            oBuf.data = pabyBuf + b * nBandSpace;
            oBuf.type = ePixel;
            oBuf.width = nW;
            oBuf.height = nThis;
            oBuf.pixel_spacing = nSize;
            oBuf.line_spacing = nScanline;
            oBuf.y_offset = iY;
            oBuf.raster_width = nW;
            oBuf.raster_height = nH;
            aoBuffers.push_back(oBuf);
        }
        bOK = fnBurn(aoBuffers, static_cast<double>(iY) / nH,
                     static_cast<double>(iY + nThis) / nH);
        if (bOK &&
            GDALDatasetRasterIOEx(hDS, GF_Write, 0, iY, nW, nThis, pabyBuf, nW,
                                  nThis, eType, static_cast<int>(nBandCount),
                                  const_cast<int *>(anBands.data()), nSize,
                                  nScanline, nBandSpace, nullptr) != CE_None)
            bOK = false;
    }
    VSIFree(pabyBuf);
    return bOK;
}

}  // namespace mrast_gdal
