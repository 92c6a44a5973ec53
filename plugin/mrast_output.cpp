#include "mrast_output.h"

#include <atomic>
#include <cmath>
#include <limits>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_multiproc.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal_priv.h"
#include "gdal_utils.h"
#include "ogr_srs_api.h"

namespace mrast_gdal
{

namespace
{

/* Recent gdal_rasterize versions give a new output a nodata value of 0 when
 * -a_nodata is absent (3.13 does; 3.6 does not). Ask the running GDAL what
 * its gdal_rasterize does, once, so the drop-in CLI matches it. */
bool GdalRasterizeSetsDefaultNoData()
{
    static const bool bSets = []
    {
        // MEM holds vector layers since GDAL 3.11 ("Memory" is deprecated).
        GDALDriverH hMem = GDALGetDriverByName(
            GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 11, 0) ? "MEM"
                                                                : "Memory");
        if (hMem == nullptr)
            return false;
        GDALDatasetH hVec = GDALCreate(hMem, "", 0, 0, 0, GDT_Unknown, nullptr);
        if (hVec == nullptr)
            return false;
        OGRLayerH hLayer =
            GDALDatasetCreateLayer(hVec, "probe", nullptr, wkbPoint, nullptr);
        OGRFeatureH hFeat = OGR_F_Create(OGR_L_GetLayerDefn(hLayer));
        OGRGeometryH hPoint = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(hPoint, 0, 0.5, 0.5);
        OGR_F_SetGeometryDirectly(hFeat, hPoint);
        CPL_IGNORE_RET_VAL(OGR_L_CreateFeature(hLayer, hFeat));
        OGR_F_Destroy(hFeat);
        const char *const apszArgs[] = {"-of", "MEM", "-burn", "1", "-te", "0",
                                        "0",   "1",   "1",     "-ts", "1", "1",
                                        nullptr};
        GDALRasterizeOptions *psOptions = GDALRasterizeOptionsNew(
            const_cast<char **>(apszArgs), nullptr);
        bool bResult = false;
        if (psOptions)
        {
            GDALDatasetH hOut =
                GDALRasterize("", nullptr, hVec, psOptions, nullptr);
            if (hOut)
            {
                int bHas = FALSE;
                GDALGetRasterNoDataValue(GDALGetRasterBand(hOut, 1), &bHas);
                bResult = bHas != FALSE;
                GDALClose(hOut);
            }
            GDALRasterizeOptionsFree(psOptions);
        }
        GDALClose(hVec);
        return bResult;
    }();
    return bSets;
}

/* The driver from -of, or guessed from the file extension as gdal_rasterize
 * does (GTiff when nothing matches). */
GDALDriverH PickDriver(const char *pszDest, const std::string &osFormat)
{
    if (!osFormat.empty())
    {
        GDALDriverH hDriver = GDALGetDriverByName(osFormat.c_str());
        if (hDriver == nullptr)
            CPLError(CE_Failure, CPLE_NotSupported,
                     "Output driver `%s' not recognised.", osFormat.c_str());
        return hDriver;
    }
    const std::string osExt = CPLGetExtension(pszDest);
    if (!osExt.empty())
    {
        for (int i = 0; i < GDALGetDriverCount(); i++)
        {
            GDALDriverH hDriver = GDALGetDriver(i);
            if (GDALGetMetadataItem(hDriver, GDAL_DCAP_RASTER, nullptr) ==
                nullptr)
                continue;
            if (GDALGetMetadataItem(hDriver, GDAL_DCAP_CREATE, nullptr) ==
                    nullptr &&
                GDALGetMetadataItem(hDriver, GDAL_DCAP_CREATECOPY, nullptr) ==
                    nullptr)
                continue;
            const char *pszExts =
                GDALGetMetadataItem(hDriver, GDAL_DMD_EXTENSIONS, nullptr);
            if (pszExts == nullptr)
                continue;
            const CPLStringList aosExts(CSLTokenizeString2(pszExts, " ", 0));
            for (int j = 0; j < aosExts.size(); j++)
            {
                if (EQUAL(aosExts[j], osExt.c_str()))
                    return hDriver;
            }
        }
    }
    return GDALGetDriverByName("GTiff");
}

/* Silences errors and keeps the last one (the cause of a failure) for the
 * scope; GDAL 3.6's CPLErrorStateBackuper takes no handler. */
struct QuietErrors
{
    CPLErrorStateBackuper oState{};
    CPLErrorHandlerPusher oQuiet{CPLQuietErrorHandler};
};

/* The temporary name a new output is written under (see NewOutput), or ""
 * to write the destination directly. */
std::string TemporaryPathFor(GDALDriverH hDriver, const char *pszDest)
{
    if (pszDest == nullptr || pszDest[0] == '\0' ||
        EQUAL(GDALGetDriverShortName(hDriver), "MEM"))
        return std::string();
    const std::string osDest = pszDest;
    if (STARTS_WITH_CI(pszDest, "/vsi") && !STARTS_WITH_CI(pszDest, "/vsimem/"))
        return std::string();  // object stores: no atomic rename
    std::string osDir = CPLGetPath(pszDest);
    VSIStatBufL sStat;
    if (VSIStatL(osDir.empty() ? "." : osDir.c_str(), &sStat) != 0 ||
        !VSI_ISDIR(sStat.st_mode))
        return std::string();  // let the driver report the missing directory
    static std::atomic<int> nCounter{0};
    const int nThis = nCounter++;
    std::string osStem = CPLGetBasename(pszDest);
    osStem += CPLSPrintf(".mrast-tmp-" CPL_FRMT_GIB,
                         static_cast<GIntBig>(CPLGetPID()));
    if (nThis > 0)
        osStem += CPLSPrintf("-%d", nThis);
    const std::string osExt = CPLGetExtension(pszDest);
    return CPLFormFilename(osDir.empty() ? nullptr : osDir.c_str(),
                           osStem.c_str(),
                           osExt.empty() ? nullptr : osExt.c_str());
}

/* Deletes a dataset and its side files, quietly (GDALDriver::QuietDelete
 * does not exist as such in the C API). */
void QuietDeleteDataset(GDALDriverH hDriver, const std::string &osPath)
{
    QuietErrors oQuiet;
    VSIStatBufL sStat;
    if (VSIStatL(osPath.c_str(), &sStat) != 0)
        return;
    GDALDriverH hFound = GDALIdentifyDriver(osPath.c_str(), nullptr);
    if (hFound == nullptr)
        hFound = hDriver;
    if (hFound == nullptr || GDALDeleteDataset(hFound, osPath.c_str()) != CE_None)
        VSIUnlink(osPath.c_str());
}

GDALDataType DefaultOutputType(const std::vector<OGRLayerH> &ahLayers,
                               const MergeRasterizeOptions &sOptions,
                               GDALDriverH hDriver)
{
    if (sOptions.eOutputType != GDT_Unknown)
        return sOptions.eOutputType;
    if (!sOptions.osBurnAttribute.empty() && !ahLayers.empty())
    {
        OGRFeatureDefnH hDefn = OGR_L_GetLayerDefn(ahLayers[0]);
        const int iField =
            OGR_FD_GetFieldIndex(hDefn, sOptions.osBurnAttribute.c_str());
        if (iField >= 0 &&
            OGR_Fld_GetType(OGR_FD_GetFieldDefn(hDefn, iField)) ==
                OFTInteger64)
        {
            const char *pszTypes = GDALGetMetadataItem(
                hDriver, GDAL_DMD_CREATIONDATATYPES, nullptr);
            if (pszTypes &&
                CPLStringList(CSLTokenizeString2(pszTypes, " ", 0))
                        .FindString("Int64") >= 0)
                return GDT_Int64;
        }
    }
    return GDT_Float64;
}

}  // namespace

bool CreateOutputRaster(const std::vector<OGRLayerH> &ahLayers,
                        const char *pszDest,
                        const MergeRasterizeOptions &sOptions, int nBandCount,
                        NewOutput &oOut)
{
    GDALDriverH hDriver = PickDriver(pszDest, sOptions.osFormat);
    if (hDriver == nullptr)
        return false;
    oOut.hDriver = hDriver;
    oOut.osDest = pszDest ? pszDest : "";
    {
        VSIStatBufL sStat;
        oOut.bDestExisted =
            !oOut.osDest.empty() && VSIStatL(pszDest, &sStat) == 0;
    }
    if (GDALGetMetadataItem(hDriver, GDAL_DCAP_RASTER, nullptr) == nullptr)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "Output driver `%s' is not a raster driver.",
                 GDALGetDriverShortName(hDriver));
        return false;
    }
    const bool bCanCreate =
        GDALGetMetadataItem(hDriver, GDAL_DCAP_CREATE, nullptr) != nullptr;
    if (!bCanCreate &&
        GDALGetMetadataItem(hDriver, GDAL_DCAP_CREATECOPY, nullptr) == nullptr)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "Output driver `%s' can neither create nor copy rasters.",
                 GDALGetDriverShortName(hDriver));
        return false;
    }

    /* Extent: -te, else the union of the layer extents, grown by half a
     * pixel when -tr is given without -tap (gdal_rasterize does this so that
     * points on the border are not missed). */
    double dfMinX = 0, dfMinY = 0, dfMaxX = 0, dfMaxY = 0;
    double dfXRes = sOptions.dfXRes, dfYRes = sOptions.dfYRes;
    int nXSize = sOptions.nXSize, nYSize = sOptions.nYSize;
    bool bInit = false;
    if (sOptions.bHasExtent)
    {
        dfMinX = sOptions.adfExtent[0];
        dfMinY = sOptions.adfExtent[1];
        dfMaxX = sOptions.adfExtent[2];
        dfMaxY = sOptions.adfExtent[3];
        bInit = true;
    }
    else
    {
        for (OGRLayerH hLayer : ahLayers)
        {
            OGREnvelope sEnv;
            if (OGR_L_GetExtent(hLayer, &sEnv, TRUE) != OGRERR_NONE)
            {
                CPLError(CE_Failure, CPLE_AppDefined,
                         "Cannot get layer extent of layer %s (no feature "
                         "with a geometry?): give the extent with -te.",
                         OGR_L_GetName(hLayer));
                return false;
            }
            if (!sOptions.bTargetAlignedPixels && dfXRes != 0 && dfYRes != 0)
            {
                sEnv.MinX -= dfXRes / 2;
                sEnv.MaxX += dfXRes / 2;
                sEnv.MinY -= dfYRes / 2;
                sEnv.MaxY += dfYRes / 2;
            }
            if (!bInit)
            {
                dfMinX = sEnv.MinX;
                dfMinY = sEnv.MinY;
                dfMaxX = sEnv.MaxX;
                dfMaxY = sEnv.MaxY;
                bInit = true;
            }
            else
            {
                dfMinX = std::min(dfMinX, sEnv.MinX);
                dfMinY = std::min(dfMinY, sEnv.MinY);
                dfMaxX = std::max(dfMaxX, sEnv.MaxX);
                dfMaxY = std::max(dfMaxY, sEnv.MaxY);
            }
        }
    }
    if (!bInit)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "Could not determine bounds");
        return false;
    }

    /* One of -ts given: the other follows the extent's aspect ratio. */
    if ((nXSize == 0) != (nYSize == 0))
    {
        const double dfW = dfMaxX - dfMinX, dfH = dfMaxY - dfMinY;
        const double dfOther = nXSize == 0 ? dfW / (dfH / nYSize)
                                           : dfH / (dfW / nXSize);
        if (!(dfW > 0 && dfH > 0) || std::isnan(dfOther) || dfOther < 1 ||
            dfOther > std::numeric_limits<int>::max())
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Cannot calculate size from layer extent");
            return false;
        }
        (nXSize == 0 ? nXSize : nYSize) = static_cast<int>(dfOther);
    }

    if (dfXRes == 0 && dfYRes == 0)
    {
        if (nXSize == 0 || nYSize == 0)
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Size and resolution are missing");
            return false;
        }
        dfXRes = (dfMaxX - dfMinX) / nXSize;
        dfYRes = (dfMaxY - dfMinY) / nYSize;
    }
    else if (sOptions.bTargetAlignedPixels)
    {
        dfMinX = std::floor(dfMinX / dfXRes) * dfXRes;
        dfMaxX = std::ceil(dfMaxX / dfXRes) * dfXRes;
        dfMinY = std::floor(dfMinY / dfYRes) * dfYRes;
        dfMaxY = std::ceil(dfMaxY / dfYRes) * dfYRes;
    }
    if (dfXRes == 0 || dfYRes == 0)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "Could not determine bounds");
        return false;
    }
    if (nXSize == 0 && nYSize == 0)
    {
        const double dfXSize = 0.5 + (dfMaxX - dfMinX) / dfXRes;
        const double dfYSize = 0.5 + (dfMaxY - dfMinY) / dfYRes;
        if (!(dfXSize >= 1 && dfXSize <= std::numeric_limits<int>::max() &&
              dfYSize >= 1 && dfYSize <= std::numeric_limits<int>::max()))
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Invalid computed output raster size: %f x %f", dfXSize,
                     dfYSize);
            return false;
        }
        nXSize = static_cast<int>(dfXSize);
        nYSize = static_cast<int>(dfYSize);
    }

    const GDALDataType eType = DefaultOutputType(ahLayers, sOptions, hDriver);
    CPLStringList aosCO;
    for (const auto &osCO : sOptions.aosCreationOptions)
        aosCO.AddString(osCO.c_str());

    // Checked before anything is written.
    OGRSpatialReference oSRS;
    if (!sOptions.osOutputSRS.empty() &&
        oSRS.SetFromUserInput(sOptions.osOutputSRS.c_str()) != OGRERR_NONE)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "Invalid -a_srs: %s",
                 sOptions.osOutputSRS.c_str());
        return false;
    }

    oOut.osTempPath = TemporaryPathFor(hDriver, pszDest);
    const char *pszCreatePath =
        oOut.osTempPath.empty() ? pszDest : oOut.osTempPath.c_str();
    GDALDatasetH hDS = nullptr;
    if (bCanCreate)
    {
        hDS = GDALCreate(hDriver, pszCreatePath, nXSize, nYSize, nBandCount,
                         eType, aosCO.List());
    }
    else
    {
        // Burn into MEM (in place in its band memory), CreateCopy at the end.
        hDS = GDALCreate(GDALGetDriverByName("MEM"), "", nXSize, nYSize,
                         nBandCount, eType, nullptr);
        oOut.bCreateCopy = true;
        oOut.aosCreationOptions = sOptions.aosCreationOptions;
    }
    if (hDS == nullptr)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "Cannot create %s", pszDest);
        return false;
    }
    oOut.hDS = hDS;
    double adfGT[6] = {dfMinX, dfXRes, 0.0, dfMaxY, 0.0, -dfYRes};
    GDALSetGeoTransform(hDS, adfGT);

    if (!sOptions.osOutputSRS.empty())
        GDALSetSpatialRef(hDS, OGRSpatialReference::ToHandle(&oSRS));
    else if (!ahLayers.empty() && OGR_L_GetSpatialRef(ahLayers[0]) != nullptr)
        GDALSetSpatialRef(hDS, OGR_L_GetSpatialRef(ahLayers[0]));

    const bool bSetNoData =
        sOptions.bHasNoData || GdalRasterizeSetsDefaultNoData();
    for (int iBand = 0; iBand < nBandCount; iBand++)
    {
        GDALRasterBandH hBand = GDALGetRasterBand(hDS, iBand + 1);
        if (bSetNoData)
        {
            // An empty -a_nodata reads as 0, as in gdal_rasterize.
            if (eType == GDT_Int64)
                GDALSetRasterNoDataValueAsInt64(
                    hBand, CPLAtoGIntBig(sOptions.osNoData.c_str()));
            else
                GDALSetRasterNoDataValue(hBand,
                                         CPLAtof(sOptions.osNoData.c_str()));
        }
        /* SPEC section 4: a new output starts at --init, by default the
         * nodata value when given, else 0 (what Create gives). */
        const auto &adfInit = sOptions.adfInitValues;
        if (!adfInit.empty())
        {
            // As gdal_rasterize: one value fills every band, otherwise value
            // i fills band i and bands beyond the list stay as created.
            if (adfInit.size() == 1 ||
                static_cast<std::size_t>(iBand) < adfInit.size())
                GDALFillRaster(
                    hBand, adfInit[adfInit.size() == 1 ? 0 : iBand], 0);
        }
        else if (bSetNoData && CPLAtof(sOptions.osNoData.c_str()) != 0.0)
        {
            GDALFillRaster(hBand, CPLAtof(sOptions.osNoData.c_str()), 0);
        }
    }
    return true;
}

GDALDatasetH FinishOutputRaster(NewOutput &oOut, GDALProgressFunc pfnProgress,
                                void *pProgressData)
{
    if (!oOut.bCreateCopy && oOut.osTempPath.empty())
        return oOut.hDS;  // written directly (MEM, object stores): as is
    const std::string osWritten =
        oOut.osTempPath.empty() ? oOut.osDest : oOut.osTempPath;
    bool bOK = true;
    if (oOut.bCreateCopy)
    {
        CPLStringList aosCO;
        for (const auto &osCO : oOut.aosCreationOptions)
            aosCO.AddString(osCO.c_str());
        GDALDatasetH hCopy =
            GDALCreateCopy(oOut.hDriver, osWritten.c_str(), oOut.hDS, FALSE,
                           aosCO.List(), pfnProgress, pProgressData);
        bOK = hCopy != nullptr;
        if (hCopy)
        {
            CPLErrorReset();
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
            bOK = GDALClose(hCopy) == CE_None;
#else
            GDALClose(hCopy);
            bOK = CPLGetLastErrorType() != CE_Failure;
#endif
        }
    }
    if (!bOK)
    {
        // Keep the copy's error (a cancellation) as the last one.
        AbandonOutputRaster(oOut);
        return nullptr;
    }
    // Closing writes the last blocks: a failure there is a failure.
    CPLErrorReset();
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
    bOK = GDALClose(oOut.hDS) == CE_None;
#else
    GDALClose(oOut.hDS);
    bOK = CPLGetLastErrorType() != CE_Failure;
#endif
    oOut.hDS = nullptr;
    if (bOK && !oOut.osTempPath.empty())
    {
        // Create / CreateCopy replace an existing destination: so do we,
        // only now that the new one is complete.
        if (oOut.bDestExisted)
            QuietDeleteDataset(nullptr, oOut.osDest);
        if (GDALRenameDataset(oOut.hDriver, oOut.osDest.c_str(),
                              oOut.osTempPath.c_str()) != CE_None)
        {
            CPLError(CE_Failure, CPLE_FileIO,
                     "Cannot rename %s to %s: %s not written.",
                     oOut.osTempPath.c_str(), oOut.osDest.c_str(),
                     oOut.osDest.c_str());
            bOK = false;
        }
    }
    if (!bOK)
    {
        AbandonOutputRaster(oOut);
        return nullptr;
    }
    oOut.osTempPath.clear();
    GDALDatasetH hDS = nullptr;
    if (!oOut.bCreateCopy)
    {
        QuietErrors oQuiet;
        hDS = GDALOpenEx(oOut.osDest.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE,
                         nullptr, nullptr, nullptr);
    }
    if (hDS == nullptr)
        hDS = GDALOpenEx(oOut.osDest.c_str(),
                         GDAL_OF_RASTER | GDAL_OF_VERBOSE_ERROR, nullptr,
                         nullptr, nullptr);
    return hDS;
}

void AbandonOutputRaster(NewOutput &oOut)
{
    QuietErrors oQuiet;
    if (oOut.hDS != nullptr)
    {
        GDALClose(oOut.hDS);
        oOut.hDS = nullptr;
    }
    // Written under a temporary name: remove that. Written directly (MEM,
    // object stores), by Create or by an interrupted CreateCopy: remove the
    // destination, unless it was there before we started.
    if (!oOut.osTempPath.empty())
        QuietDeleteDataset(oOut.hDriver, oOut.osTempPath);
    else if (!oOut.bDestExisted && !oOut.osDest.empty())
        QuietDeleteDataset(oOut.hDriver, oOut.osDest);
    oOut.osTempPath.clear();
}

}  // namespace mrast_gdal
