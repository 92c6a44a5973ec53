#include "mrast_engine.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal_alg.h"
#include "mrast/burn.hpp"
#include "mrast_band_windows.h"
#include "mrast_geometry_batch.h"
#include "mrast_output.h"
#include "ogr_api.h"
#include "ogr_geometry.h"
#include "ogr_srs_api.h"
#include "ogrsf_frmts.h"

namespace mrast_gdal
{

namespace
{

bool Fail(bool *pbUsageError, const char *pszMsg)
{
    CPLError(CE_Failure, CPLE_IllegalArg, "%s", pszMsg);
    if (pbUsageError)
        *pbUsageError = true;
    return false;
}

bool CheckOptions(const MergeRasterizeOptions &sOptions, bool *pbUsageError)
{
    const int nSources = (sOptions.adfBurnValues.empty() ? 0 : 1) +
                         (sOptions.osBurnAttribute.empty() ? 0 : 1);
    if (nSources == 0 && !sOptions.b3D)
        return Fail(pbUsageError,
                    "One of -burn, -a or -3d is required (what to burn).");
    if (nSources > 1)
        return Fail(pbUsageError, "-burn and -a cannot be used together.");
    if (sOptions.bInverse)
        return Fail(pbUsageError,
                    "-i (inverse rasterization) is not supported yet by "
                    "gdal_merge_rasterize.");
    return CheckDevice(sOptions.eDevice);
}

/* Layers to burn, in order, plus the SQL result set to release. */
struct SourceLayers
{
    GDALDatasetH hSrcDS = nullptr;
    OGRLayerH hSQLLayer = nullptr;
    std::vector<OGRLayerH> ahLayers{};
    ~SourceLayers()
    {
        if (hSQLLayer)
            GDALDatasetReleaseResultSet(hSrcDS, hSQLLayer);
    }
};

bool OpenLayers(GDALDatasetH hSrcDS, const MergeRasterizeOptions &sOptions,
                SourceLayers &oLayers, bool *pbUsageError)
{
    oLayers.hSrcDS = hSrcDS;
    if (!sOptions.osSQL.empty())
    {
        oLayers.hSQLLayer = GDALDatasetExecuteSQL(
            hSrcDS, sOptions.osSQL.c_str(), nullptr,
            sOptions.osDialect.empty() ? nullptr : sOptions.osDialect.c_str());
        if (oLayers.hSQLLayer == nullptr)
            return false;
        oLayers.ahLayers.push_back(oLayers.hSQLLayer);
    }
    else if (sOptions.aosLayers.empty())
    {
        if (GDALDatasetGetLayerCount(hSrcDS) != 1)
            return Fail(pbUsageError,
                        "Neither -sql nor -l are specified, but the source "
                        "dataset has not one single layer.");
        oLayers.ahLayers.push_back(GDALDatasetGetLayer(hSrcDS, 0));
    }
    for (const auto &osName : sOptions.aosLayers)
    {
        OGRLayerH hLayer = GDALDatasetGetLayerByName(hSrcDS, osName.c_str());
        if (hLayer == nullptr)
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Unable to find layer \"%s\".", osName.c_str());
            return false;
        }
        oLayers.ahLayers.push_back(hLayer);
    }
    if (!sOptions.osWhere.empty())
    {
        for (OGRLayerH hLayer : oLayers.ahLayers)
        {
            if (OGR_L_SetAttributeFilter(hLayer, sOptions.osWhere.c_str()) !=
                OGRERR_NONE)
            {
                CPLError(CE_Failure, CPLE_AppDefined,
                         "Invalid -where expression: %s",
                         sOptions.osWhere.c_str());
                return false;
            }
        }
    }
    return true;
}

/* The reprojection gdal_rasterize applies when the layer's CRS differs from
 * the output's (skipped with -a_srs, as it does). */
OGRCoordinateTransformationH LayerToOutputCT(OGRLayerH hLayer,
                                             GDALDatasetH hDstDS,
                                             bool bSRSIsSet)
{
    if (bSRSIsSet)
        return nullptr;
    OGRSpatialReferenceH hDstSRS = GDALGetSpatialRef(hDstDS);
    OGRSpatialReferenceH hSrcSRS = OGR_L_GetSpatialRef(hLayer);
    if (hDstSRS == nullptr || hSrcSRS == nullptr)
    {
        if (hDstSRS != nullptr || hSrcSRS != nullptr)
            CPLError(CE_Warning, CPLE_AppDefined,
                     "One of the output raster and the input layer %s has no "
                     "SRS: assuming they match. Results might be incorrect.",
                     OGR_L_GetName(hLayer));
        return nullptr;
    }
    if (OSRIsSame(hSrcSRS, hDstSRS))
        return nullptr;
    OGRCoordinateTransformationH hCT =
        OCTNewCoordinateTransformation(hSrcSRS, hDstSRS);
    if (hCT == nullptr)
        CPLError(CE_Warning, CPLE_AppDefined,
                 "The output raster dataset and the input vector layer do "
                 "not have the same SRS, and reprojection did not work. "
                 "Results might be incorrect.");
    return hCT;
}

/* Burn value of one feature for -a: numbers as doubles, strings parsed
 * (zero with a warning when not numeric, as gdal_rasterize). */
double AttributeBurnValue(OGRFeatureH hFeat, int iField, OGRFieldType eType,
                          bool &bWarned)
{
    if (eType == OFTInteger || eType == OFTReal || eType == OFTInteger64)
        return OGR_F_GetFieldAsDouble(hFeat, iField);
    const char *pszValue = OGR_F_GetFieldAsString(hFeat, iField);
    char *pszEnd = nullptr;
    const double dfValue = CPLStrtod(pszValue, &pszEnd);
    while (*pszEnd == ' ' || *pszEnd == '\t')
        pszEnd++;
    if (*pszEnd != '\0' && !bWarned)
    {
        bWarned = true;  // once per layer, as GDAL's CPLErrorOnce
        CPLError(CE_Warning, CPLE_AppDefined,
                     "Failed to parse attribute value %s of feature " CPL_FRMT_GIB
                     " as a number. A value of zero will be burned for this "
                     "feature.",
                     pszValue, static_cast<GIntBig>(OGR_F_GetFID(hFeat)));
    }
    return dfValue;
}

}  // namespace

bool CollectLayerFeatures(OGRLayerH hLayer, GDALDatasetH hDstDS,
                          const LayerBurnSource &oSource, int nBandCount,
                          GeometryBatchBuilder &oBuilder)
{
    int iField = -1;
    OGRFieldType eFieldType = OFTReal;
    if (!oSource.osAttribute.empty())
    {
        OGRFeatureDefnH hDefn = OGR_L_GetLayerDefn(hLayer);
        iField = OGR_FD_GetFieldIndex(hDefn, oSource.osAttribute.c_str());
        if (iField < 0)
        {
            if (!oSource.bMissingAttributeIsError)
            {
                // GDALRasterizeLayers() warns and skips the layer.
                CPLError(CE_Warning, CPLE_AppDefined,
                         "Failed to find field %s on layer %s, skipping.",
                         oSource.osAttribute.c_str(), OGR_FD_GetName(hDefn));
                return true;
            }
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Failed to find field %s on layer %s.",
                     oSource.osAttribute.c_str(), OGR_FD_GetName(hDefn));
            return false;
        }
        eFieldType = OGR_Fld_GetType(OGR_FD_GetFieldDefn(hDefn, iField));
    }
    OGRCoordinateTransformationH hCT =
        LayerToOutputCT(hLayer, hDstDS, !oSource.bReproject);
    std::vector<double> adfBurn(static_cast<std::size_t>(nBandCount), 0.0);
    bool bWarnedNonNumeric = false;
    OGR_L_ResetReading(hLayer);
    OGRFeatureH hFeat;
    while ((hFeat = OGR_L_GetNextFeature(hLayer)) != nullptr)
    {
        OGRGeometry *poGeom =
            OGRGeometry::FromHandle(OGR_F_GetGeometryRef(hFeat));
        if (poGeom == nullptr ||
            (hCT != nullptr &&
             poGeom->transform(OGRCoordinateTransformation::FromHandle(hCT)) !=
                 OGRERR_NONE))
        {
            // gdal_rasterize skips features without (transformable) geometry.
            OGR_F_Destroy(hFeat);
            continue;
        }
        for (int b = 0; b < nBandCount; b++)
        {
            const std::size_t ub = static_cast<std::size_t>(b);
            if (oSource.padfBurnValues != nullptr)
                adfBurn[ub] = oSource.padfBurnValues[ub];
            else if (iField >= 0)
                adfBurn[ub] = AttributeBurnValue(hFeat, iField, eFieldType,
                                                 bWarnedNonNumeric);
            else
                adfBurn[ub] = 0.0;  // -3d alone: burn Z
        }
        oBuilder.AddFeature(poGeom, adfBurn.data());
        OGR_F_Destroy(hFeat);
    }
    if (hCT)
        OCTDestroyCoordinateTransformation(hCT);
    return true;
}

namespace
{

/* GDAL's own geo -> pixel transformer for the output (with -to options),
 * so the kernels see exactly the coordinates gdal_rasterize would. */
void *CreatePixelTransformer(GDALDatasetH hDstDS,
                             const MergeRasterizeOptions &sOptions)
{
    CPLStringList aosTO;
    for (const auto &osTO : sOptions.aosTransformerOptions)
        aosTO.AddString(osTO.c_str());
    double adfGT[6];
    if (GDALGetGeoTransform(hDstDS, adfGT) != CE_None &&
        GDALGetGCPCount(hDstDS) == 0 &&
        GDALGetMetadata(hDstDS, "RPC") == nullptr)
        aosTO.SetNameValue("DST_METHOD", "NO_GEOTRANSFORM");
    return GDALCreateGenImgProjTransformer2(nullptr, hDstDS, aosTO.List());
}

struct ProgressScale
{
    GDALProgressFunc pfn;
    void *pData;
    double dfStart, dfEnd;
};

bool KernelProgress(double dfFraction, void *pArg)
{
    auto *p = static_cast<ProgressScale *>(pArg);
    return p->pfn(p->dfStart + (p->dfEnd - p->dfStart) * dfFraction, "",
                  p->pData) != FALSE;
}

}  // namespace

bool CheckDevice(Device eDevice)
{
    if (eDevice == Device::Cuda)
    {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "CUDA requested (device cuda) but this build of "
                 "merge-rasterize has no usable CUDA device.");
        return false;
    }
    return true;
}

bool CheckBurnBands(GDALDatasetH hDstDS, const std::vector<int> &anBands)
{
    for (int iBand : anBands)
    {
        GDALRasterBandH hBand =
            iBand >= 1 && iBand <= GDALGetRasterCount(hDstDS)
                ? GDALGetRasterBand(hDstDS, iBand)
                : nullptr;
        mrast::PixelType eIgnored;
        if (hBand == nullptr)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "Band %d does not exist on %s.", iBand,
                     GDALGetDescription(hDstDS));
            return false;
        }
        if (!ToPixelType(GDALGetRasterDataType(hBand), eIgnored))
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "Band %d has type %s, which merge-rasterize does not "
                     "support (complex).",
                     iBand, GDALGetDataTypeName(GDALGetRasterDataType(hBand)));
            return false;
        }
    }
    return true;
}

namespace
{

bool BurnBands(GDALDatasetH hDstDS, const std::vector<int> &anBands,
               const mrast::GeometryBatch &oBatch,
               const MergeRasterizeOptions &sOptions, bool bUpdate,
               GDALProgressFunc pfnProgress, void *pProgressData)
{
    /* Bands of one type share a kernel pass; mixed types go band by band,
     * each with its own column of burn values. */
    GDALDataType eFirst =
        GDALGetRasterDataType(GDALGetRasterBand(hDstDS, anBands[0]));
    bool bSameType = true;
    for (int iBand : anBands)
        bSameType &=
            GDALGetRasterDataType(GDALGetRasterBand(hDstDS, iBand)) == eFirst;
    std::vector<std::vector<int>> aanGroups;
    if (bSameType)
        aanGroups.push_back(anBands);
    else
        for (int iBand : anBands)
            aanGroups.push_back({iBand});

    std::vector<double> adfColumn;
    for (std::size_t iGroup = 0; iGroup < aanGroups.size(); iGroup++)
    {
        const auto &anGroup = aanGroups[iGroup];
        mrast::GeometryBatch oGroupBatch = oBatch;
        if (!bSameType)
        {
            adfColumn.resize(oBatch.feature_count);
            for (std::size_t f = 0; f < oBatch.feature_count; f++)
                adfColumn[f] =
                    oBatch.burn[f * static_cast<std::size_t>(oBatch.band_count) +
                                iGroup];
            oGroupBatch.burn = adfColumn.data();
            oGroupBatch.band_count = 1;
        }
        GDALRasterBandH hBand = GDALGetRasterBand(hDstDS, anGroup[0]);
        int bHasNoData = FALSE;
        const double dfNoData = GDALGetRasterNoDataValue(hBand, &bHasNoData);

        mrast::BurnOptions oOpt;
        oOpt.mode = sOptions.eMerge;
        oOpt.all_touched = sOptions.bAllTouched;
        oOpt.update = bUpdate;
        oOpt.has_nodata = bHasNoData != FALSE;
        oOpt.nodata = dfNoData;
        oOpt.max_features = oBatch.feature_count;
        oOpt.threads = sOptions.nThreads;

        const double dfGroupStart =
            static_cast<double>(iGroup) / static_cast<double>(aanGroups.size());
        const double dfGroupEnd = static_cast<double>(iGroup + 1) /
                                  static_cast<double>(aanGroups.size());
        auto fnWindow = [&](const std::vector<mrast::BandBuffer> &aoBufs,
                            double dfStart, double dfEnd)
        {
            ProgressScale sScale{
                pfnProgress, pProgressData,
                dfGroupStart + (dfGroupEnd - dfGroupStart) * dfStart,
                dfGroupStart + (dfGroupEnd - dfGroupStart) * dfEnd};
            oOpt.progress = KernelProgress;
            oOpt.progress_arg = &sScale;
            mrast::Burner oBurner;
            mrast::Status eStatus = oBurner.begin(
                aoBufs.data(), static_cast<int>(aoBufs.size()), oOpt);
            if (eStatus == mrast::Status::Ok)
                eStatus = oBurner.burn(oGroupBatch);
            if (eStatus == mrast::Status::Ok)
                eStatus = oBurner.finish();
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
        };
        if (!ForEachWindow(hDstDS, anGroup, fnWindow))
            return false;
    }
    return true;
}

}  // namespace

bool BurnIntoDataset(GDALDatasetH hDstDS, const std::vector<int> &anBands,
                     GeometryBatchBuilder &oBuilder,
                     GDALTransformerFunc pfnTransformer, void *pTransformArg,
                     const MergeRasterizeOptions &sOptions, bool bUpdate,
                     GDALProgressFunc pfnProgress, void *pProgressData)
{
    if (pfnProgress == nullptr)
        pfnProgress = GDALDummyProgress;
    if (anBands.empty())
        return true;
    if (!CheckDevice(sOptions.eDevice) || !CheckBurnBands(hDstDS, anBands))
        return false;
    if (pfnTransformer != nullptr)
    {
        oBuilder.TransformToPixels(pfnTransformer, pTransformArg);
    }
    else
    {
        void *pDefaultTransformArg = CreatePixelTransformer(hDstDS, sOptions);
        if (pDefaultTransformArg == nullptr)
            return false;
        oBuilder.TransformToPixels(GDALGenImgProjTransform,
                                   pDefaultTransformArg);
        GDALDestroyTransformer(pDefaultTransformArg);
    }
    return BurnBands(hDstDS, anBands, oBuilder.View(), sOptions, bUpdate,
                     pfnProgress, pProgressData);
}

GDALDatasetH RunMergeRasterize(const char *pszDest, GDALDatasetH hDstDS,
                               GDALDatasetH hSrcDS,
                               const MergeRasterizeOptions &sOptions,
                               bool *pbUsageError)
{
    if (pbUsageError)
        *pbUsageError = false;
    if (!CheckOptions(sOptions, pbUsageError))
        return nullptr;
    GDALProgressFunc pfnProgress =
        sOptions.pfnProgress ? sOptions.pfnProgress : GDALDummyProgress;
    void *pProgressData = sOptions.pProgressData;

    SourceLayers oLayers;
    if (!OpenLayers(hSrcDS, sOptions, oLayers, pbUsageError))
        return nullptr;

    NewOutput oNew;
    const bool bCreate = hDstDS == nullptr && sOptions.bCreateOutput;
    if (hDstDS == nullptr && !bCreate)
    {
        hDstDS = GDALOpenEx(pszDest, GDAL_OF_RASTER | GDAL_OF_UPDATE, nullptr,
                            nullptr, nullptr);
        if (hDstDS == nullptr)
        {
            CPLError(CE_Failure, CPLE_OpenFailed,
                     "Cannot open %s for update (to create a new raster, "
                     "give -tr or -ts).",
                     pszDest);
            return nullptr;
        }
    }
    int nBandCount = static_cast<int>(
        std::max<std::size_t>({1, sOptions.adfBurnValues.size(),
                               sOptions.adfInitValues.size(),
                               sOptions.anBands.size()}));
    if (bCreate)
    {
        if (!CreateOutputRaster(oLayers.ahLayers, pszDest, sOptions,
                                nBandCount, oNew))
            return nullptr;
        hDstDS = oNew.hDS;
    }

    std::vector<int> anBands = sOptions.anBands;
    if (anBands.empty())
        for (int i = 1; i <= (bCreate ? nBandCount : 1); i++)
            anBands.push_back(i);
    if (!CheckBurnBands(hDstDS, anBands))
        return nullptr;

    GeometryBatchBuilder oBuilder(static_cast<int>(anBands.size()),
                                  sOptions.b3D);
    /* gdal_rasterize: -burn gives band b the b-th value (the last one for
     * bands beyond the list). */
    LayerBurnSource oSource;
    std::vector<double> adfBurn;
    for (std::size_t b = 0;
         b < anBands.size() && !sOptions.adfBurnValues.empty(); b++)
        adfBurn.push_back(sOptions.adfBurnValues[std::min(
            b, sOptions.adfBurnValues.size() - 1)]);
    oSource.padfBurnValues = adfBurn.empty() ? nullptr : adfBurn.data();
    oSource.osAttribute = sOptions.osBurnAttribute;
    oSource.bReproject = sOptions.osOutputSRS.empty();  // as -a_srs does
    for (OGRLayerH hLayer : oLayers.ahLayers)
    {
        if (!CollectLayerFeatures(hLayer, hDstDS, oSource,
                                  static_cast<int>(anBands.size()), oBuilder))
            return nullptr;
    }
    const bool bOK = BurnIntoDataset(hDstDS, anBands, oBuilder, nullptr,
                                     nullptr, sOptions, !bCreate, pfnProgress,
                                     pProgressData);
    if (!bOK)
    {
        if (bCreate)
            GDALClose(hDstDS);
        return nullptr;
    }
    if (oNew.hFinalDriver != nullptr)
    {
        if (!FinishOutputRaster(oNew, pfnProgress, pProgressData))
            return nullptr;
        hDstDS = GDALOpenEx(pszDest, GDAL_OF_RASTER, nullptr, nullptr, nullptr);
    }
    pfnProgress(1.0, "", pProgressData);
    return hDstDS;
}

}  // namespace mrast_gdal
