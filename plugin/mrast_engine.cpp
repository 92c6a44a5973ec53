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
#include "mrast_device.h"
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
    if ((sOptions.dfXRes != 0 || sOptions.dfYRes != 0) &&
        (sOptions.nXSize != 0 || sOptions.nYSize != 0))
        return Fail(pbUsageError,
                    "-tr and -ts options cannot be used at the same time.");
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
                          const std::string &osField, bool &bWarned)
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
                 "Failed to parse attribute value '%s' of field %s of feature "
                 CPL_FRMT_GIB " as a number. A value of zero will be burned "
                 "for this feature.",
                 pszValue, osField.c_str(),
                 static_cast<GIntBig>(OGR_F_GetFID(hFeat)));
    }
    return dfValue;
}

/* -i: the complement of a layer's polygons within a frame 2 pixels outside
 * the raster, burnt as one feature (gdal_rasterize's inverse
 * rasterization, same geometry so the same pixels). GDAL >= 3.8 with GEOS
 * subtracts each polygon from the frame (a polygon nested in another's hole
 * stays burnt-free, GDAL #8689); older GDAL, or no GEOS, makes every outer
 * ring a hole of the frame and every hole a polygon of its own, which the
 * even-odd fill turns into the same complement for disjoint polygons. */
std::unique_ptr<OGRGeometry>
InvertGeometries(GDALDatasetH hDstDS,
                 std::vector<std::unique_ptr<OGRGeometry>> &apoGeoms)
{
    double adfGT[6] = {0, 1, 0, 0, 0, 1};
    GDALGetGeoTransform(hDstDS, adfGT);
    const double dfRight = GDALGetRasterXSize(hDstDS) + 2.0;
    const double dfBottom = GDALGetRasterYSize(hDstDS) + 2.0;
    auto poFrameRing = std::make_unique<OGRLinearRing>();
    const double adfPixel[5][2] = {{-2, -2},
                                   {dfRight, -2},
                                   {dfRight, dfBottom},
                                   {-2, dfBottom},
                                   {-2, -2}};
    for (const auto &adfP : adfPixel)
        poFrameRing->addPoint(
            adfGT[0] + adfP[0] * adfGT[1] + adfP[1] * adfGT[2],
            adfGT[3] + adfP[0] * adfGT[4] + adfP[1] * adfGT[5]);
    auto poFrame = std::make_unique<OGRPolygon>();
    poFrame->addRingDirectly(poFrameRing.release());

    bool bWarned = false;
    auto IsPolygonal = [&bWarned](const OGRGeometry *poGeom)
    {
        const auto eType = wkbFlatten(poGeom->getGeometryType());
        if (eType == wkbPolygon || eType == wkbMultiPolygon)
            return true;
        if (!bWarned)
        {
            bWarned = true;
            CPLError(CE_Warning, CPLE_AppDefined,
                     "Ignoring non-polygon geometries in -i mode");
        }
        return false;
    };

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 8, 0)
    if (OGRGeometryFactory::haveGEOS())
    {
        std::unique_ptr<OGRGeometry> poResult = std::move(poFrame);
        for (const auto &poGeom : apoGeoms)
        {
            if (!IsPolygonal(poGeom.get()))
                continue;
            // A failed difference (invalid input) leaves the polygon out,
            // as in GDAL.
            std::unique_ptr<OGRGeometry> poDiff(
                poResult->Difference(poGeom.get()));
            if (poDiff)
                poResult = std::move(poDiff);
        }
        return poResult;
    }
#endif
    auto poMulti = std::make_unique<OGRMultiPolygon>();
    std::vector<std::unique_ptr<OGRPolygon>> apoHolesAsPolygons;
    auto AddPolygon = [&](const OGRPolygon *poPoly)
    {
        if (poPoly->getExteriorRing() == nullptr)
            return;
        poFrame->addRingDirectly(poPoly->getExteriorRing()->clone());
        for (int i = poPoly->getNumInteriorRings() - 1; i >= 0; --i)
        {
            auto poHole = std::make_unique<OGRPolygon>();
            poHole->addRingDirectly(poPoly->getInteriorRing(i)->clone());
            apoHolesAsPolygons.push_back(std::move(poHole));
        }
    };
    for (const auto &poGeom : apoGeoms)
    {
        if (!IsPolygonal(poGeom.get()))
            continue;
        if (wkbFlatten(poGeom->getGeometryType()) == wkbPolygon)
            AddPolygon(poGeom->toPolygon());
        else
            for (const OGRPolygon *poPoly : *poGeom->toMultiPolygon())
                AddPolygon(poPoly);
    }
    // GDAL's order: the frame with the outer rings, then the holes of the
    // polygons (each polygon's last hole first).
    poMulti->addGeometryDirectly(poFrame.release());
    for (auto &poHole : apoHolesAsPolygons)
        poMulti->addGeometryDirectly(poHole.release());
    return poMulti;
}

}  // namespace

std::size_t GeometryBatchBudget()
{
    const char *pszValue =
        CPLGetConfigOption("MRAST_GEOMETRY_BATCH_BYTES", nullptr);
    const GIntBig nValue =
        pszValue ? CPLAtoGIntBig(pszValue) : GIntBig(256) * 1024 * 1024;
    return static_cast<std::size_t>(std::max<GIntBig>(nValue, 1));
}

bool CollectLayerFeatures(OGRLayerH hLayer, GDALDatasetH hDstDS,
                          const LayerBurnSource &oSource, int nBandCount,
                          GeometryBatchBuilder &oBuilder,
                          std::size_t nBudgetBytes,
                          const std::function<bool()> &fnBudgetReached)
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
    /* -i: the layer's geometries are kept, inverted at the end and burnt as
     * one feature with the first feature's burn values (gdal_rasterize). */
    std::vector<std::unique_ptr<OGRGeometry>> apoInverse;
    std::vector<double> adfInverseBurn;
    bool bWarnedNonNumeric = false;
    bool bOK = true;
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
                                                 oSource.osAttribute,
                                                 bWarnedNonNumeric);
            else
                adfBurn[ub] = 0.0;  // -3d alone: burn Z
        }
        if (oSource.bInverse)
        {
            if (apoInverse.empty())
                adfInverseBurn = adfBurn;
            apoInverse.emplace_back(OGRGeometry::FromHandle(
                OGR_F_StealGeometry(hFeat)));
            OGR_F_Destroy(hFeat);
            continue;
        }
        oBuilder.AddFeature(poGeom, adfBurn.data());
        OGR_F_Destroy(hFeat);
        if (nBudgetBytes != 0 && fnBudgetReached &&
            oBuilder.MemoryBytes() > nBudgetBytes && !fnBudgetReached())
        {
            bOK = false;
            break;
        }
    }
    if (hCT)
        OCTDestroyCoordinateTransformation(hCT);
    if (bOK && oSource.bInverse)
    {
        if (apoInverse.empty())
        {
            // No feature: the burn values given, else 0 (as GDAL).
            for (int b = 0; b < nBandCount; b++)
                adfBurn[static_cast<std::size_t>(b)] =
                    oSource.padfBurnValues
                        ? oSource.padfBurnValues[static_cast<std::size_t>(b)]
                        : 0.0;
            adfInverseBurn = adfBurn;
        }
        const std::unique_ptr<OGRGeometry> poInverted =
            InvertGeometries(hDstDS, apoInverse);
        oBuilder.AddFeature(poInverted.get(), adfInverseBurn.data());
    }
    return bOK;
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

}  // namespace


bool CheckBurnBands(GDALDatasetH hDstDS, const std::vector<int> &anBands)
{
    if (GDALGetAccess(hDstDS) != GA_Update)
    {
        CPLError(CE_Failure, CPLE_NoWriteAccess,
                 "%s is opened read-only: it cannot be burnt into.",
                 GDALGetDescription(hDstDS));
        return false;
    }
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

/* The kernels' options for anBands (one type; nodata of the first band).
 * nMaxFeatures sizes the mean counter (0: unknown, 32 bits). */
mrast::BurnOptions BurnOptionsFor(GDALDatasetH hDstDS,
                                  const std::vector<int> &anBands,
                                  const MergeRasterizeOptions &sOptions,
                                  bool bUpdate, std::size_t nMaxFeatures)
{
    int bHasNoData = FALSE;
    const double dfNoData = GDALGetRasterNoDataValue(
        GDALGetRasterBand(hDstDS, anBands[0]), &bHasNoData);
    mrast::BurnOptions oOpt;
    oOpt.mode = sOptions.eMerge;
    oOpt.all_touched = sOptions.bAllTouched;
    oOpt.update = bUpdate;
    oOpt.has_nodata = bHasNoData != FALSE;
    oOpt.nodata = dfNoData;
    oOpt.max_features = nMaxFeatures;
    oOpt.threads = sOptions.nThreads;
    return oOpt;
}

/* Burns every batch of fnSource (band_count = anBands.size()) into anBands.
 * nMaxFeatures sizes the mean counter (0: unknown, 32 bits). */
bool BurnBands(GDALDatasetH hDstDS, const std::vector<int> &anBands,
               const BatchSource &fnSource, std::size_t nMaxFeatures,
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

    for (std::size_t iGroup = 0; iGroup < aanGroups.size(); iGroup++)
    {
        const auto &anGroup = aanGroups[iGroup];
        const mrast::BurnOptions oOpt =
            BurnOptionsFor(hDstDS, anGroup, sOptions, bUpdate, nMaxFeatures);

        std::vector<double> adfColumn;
        const BatchSource fnGroupSource = [&](const BatchConsumer &fnConsumer)
        {
            if (bSameType)
                return fnSource(fnConsumer);
            return fnSource(
                [&](const mrast::GeometryBatch &oBatch,
                    const std::vector<std::int32_t> &anBounds)
                {
                    adfColumn.resize(oBatch.feature_count);
                    for (std::size_t f = 0; f < oBatch.feature_count; f++)
                        adfColumn[f] =
                            oBatch.burn[f * static_cast<std::size_t>(
                                                oBatch.band_count) +
                                        iGroup];
                    mrast::GeometryBatch oColumn = oBatch;
                    oColumn.burn = adfColumn.data();
                    oColumn.band_count = 1;
                    return fnConsumer(oColumn, anBounds);
                });
        };
        const double dfGroupStart =
            static_cast<double>(iGroup) / static_cast<double>(aanGroups.size());
        const double dfGroupEnd = static_cast<double>(iGroup + 1) /
                                  static_cast<double>(aanGroups.size());
        if (!BurnWindows(hDstDS, anGroup, fnGroupSource, oOpt, pfnProgress,
                         pProgressData, dfGroupStart, dfGroupEnd))
            return false;
    }
    return true;
}

/* The pixel transformer given, or GDAL's own for hDstDS (destroyed with
 * this object). */
class PixelTransformer
{
  public:
    PixelTransformer(GDALTransformerFunc pfn, void *pArg, GDALDatasetH hDstDS,
                     const MergeRasterizeOptions &sOptions)
        : m_pfn(pfn), m_pArg(pArg)
    {
        if (m_pfn == nullptr)
        {
            m_pArg = m_pOwned = CreatePixelTransformer(hDstDS, sOptions);
            m_pfn = GDALGenImgProjTransform;
        }
    }
    ~PixelTransformer()
    {
        if (m_pOwned)
            GDALDestroyTransformer(m_pOwned);
    }
    PixelTransformer(const PixelTransformer &) = delete;
    PixelTransformer &operator=(const PixelTransformer &) = delete;
    bool IsValid() const
    {
        return m_pArg != nullptr || m_pfn != GDALGenImgProjTransform;
    }
    void Apply(GeometryBatchBuilder &oBuilder) const
    {
        oBuilder.TransformToPixels(m_pfn, m_pArg);
    }

  private:
    GDALTransformerFunc m_pfn;
    void *m_pArg;
    void *m_pOwned = nullptr;
};

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
    {
        PixelTransformer oTransformer(pfnTransformer, pTransformArg, hDstDS,
                                      sOptions);
        if (!oTransformer.IsValid())
            return false;
        oTransformer.Apply(oBuilder);
    }
    /* Everything is in memory: every group of windows replays one batch. */
    const mrast::GeometryBatch oBatch = oBuilder.View();
    switch (TryBurnOnGpu(hDstDS, anBands, oBatch,
                         BurnOptionsFor(hDstDS, anBands, sOptions, bUpdate,
                                        oBatch.feature_count),
                         sOptions.eDevice))
    {
        case GpuOutcome::Done:
            pfnProgress(1.0, "", pProgressData);
            return true;
        case GpuOutcome::Failed:
            return false;
        case GpuOutcome::NotTried:
            break;
    }
    std::vector<std::int32_t> anBounds;
    ComputeFeatureBounds(oBatch, anBounds);
    const BatchSource fnSource = [&](const BatchConsumer &fnConsumer)
    { return fnConsumer(oBatch, anBounds); };
    return BurnBands(hDstDS, anBands, fnSource, oBatch.feature_count,
                     sOptions, bUpdate, pfnProgress, pProgressData);
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
    /* -a: the field must exist on every layer, checked before any output is
     * created or opened. */
    if (!sOptions.osBurnAttribute.empty())
    {
        for (OGRLayerH hLayer : oLayers.ahLayers)
        {
            OGRFeatureDefnH hDefn = OGR_L_GetLayerDefn(hLayer);
            if (OGR_FD_GetFieldIndex(hDefn, sOptions.osBurnAttribute.c_str()) <
                0)
            {
                CPLError(CE_Failure, CPLE_AppDefined,
                         "Failed to find field %s on layer %s (-a).",
                         sOptions.osBurnAttribute.c_str(),
                         OGR_FD_GetName(hDefn));
                return nullptr;
            }
        }
    }

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
        {
            AbandonOutputRaster(oNew);
            return nullptr;
        }
        hDstDS = oNew.hDS;
    }

    std::vector<int> anBands = sOptions.anBands;
    if (anBands.empty())
        for (int i = 1; i <= (bCreate ? nBandCount : 1); i++)
            anBands.push_back(i);
    if (!CheckBurnBands(hDstDS, anBands))
    {
        if (bCreate)
            AbandonOutputRaster(oNew);
        return nullptr;
    }

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
    oSource.bInverse = sOptions.bInverse;
    /* Feature input larger than the geometry budget streams: the windows
     * (bounded groups of blocks, see mrast_band_windows.h) stay the outer
     * loop, so that every window keeps one Burner across all the batches
     * (first/min/max need their touched state, mean its counts, until the
     * last feature), and the layers are read again for each group of
     * windows, one budget-sized batch at a time. The trade-off: input that
     * fits (the usual case) is read once and its geometries held once;
     * input beyond the budget costs one read of the layers per group of
     * windows (rasters within GDAL_CACHEMAX / 2 are one group), never more
     * memory than the budget plus GDAL_CACHEMAX. */
    // -i burns one inverted geometry per layer: never streamed.
    const std::size_t nBudget = sOptions.bInverse ? 0 : GeometryBatchBudget();
    const int nBurnBands = static_cast<int>(anBands.size());
    bool bOverflow = false;
    bool bOK = true;
    for (OGRLayerH hLayer : oLayers.ahLayers)
    {
        if (!CollectLayerFeatures(hLayer, hDstDS, oSource, nBurnBands,
                                  oBuilder, nBudget,
                                  [&]
                                  {
                                      bOverflow = true;
                                      return false;
                                  }))
        {
            bOK = bOverflow;
            break;
        }
    }
    if (bOK && !bOverflow)
    {
        bOK = BurnIntoDataset(hDstDS, anBands, oBuilder, nullptr, nullptr,
                              sOptions, !bCreate, pfnProgress, pProgressData);
    }
    else if (bOK)
    {
        CPLDebug("MRAST",
                 "Geometries exceed MRAST_GEOMETRY_BATCH_BYTES=%llu: "
                 "streaming the layers once per group of windows",
                 static_cast<unsigned long long>(nBudget));
        oBuilder.Clear();
        PixelTransformer oTransformer(nullptr, nullptr, hDstDS, sOptions);
        bOK = oTransformer.IsValid();
        std::vector<std::int32_t> anBounds;
        const BatchSource fnSource = [&](const BatchConsumer &fnConsumer)
        {
            oBuilder.Clear();
            auto fnFlush = [&]
            {
                oTransformer.Apply(oBuilder);
                const mrast::GeometryBatch oBatch = oBuilder.View();
                ComputeFeatureBounds(oBatch, anBounds);
                const bool bBurnt = fnConsumer(oBatch, anBounds);
                oBuilder.Clear();
                return bBurnt;
            };
            for (OGRLayerH hLayer : oLayers.ahLayers)
                if (!CollectLayerFeatures(hLayer, hDstDS, oSource, nBurnBands,
                                          oBuilder, nBudget, fnFlush))
                    return false;
            return oBuilder.FeatureCount() == 0 || fnFlush();
        };
        // The feature count is not known before the end: 32-bit counters.
        bOK = bOK && BurnBands(hDstDS, anBands, fnSource, 0, sOptions,
                               !bCreate, pfnProgress, pProgressData);
    }
    if (bOK && bCreate)
    {
        // The copy for drivers without Create, the close, the rename of the
        // temporary file.
        hDstDS = FinishOutputRaster(oNew, pfnProgress, pProgressData);
        bOK = hDstDS != nullptr;
    }
    if (!bOK)
    {
        if (bCreate)
        {
            const bool bInterrupted =
                CPLGetLastErrorNo() == CPLE_UserInterrupt;
            AbandonOutputRaster(oNew);
            // SPEC 6: nothing half-written is left behind, and the user is
            // told so.
            if (bInterrupted)
                CPLError(CE_Failure, CPLE_UserInterrupt,
                         "Interrupted: %s not written.", pszDest);
        }
        return nullptr;
    }
    pfnProgress(1.0, "", pProgressData);
    return hDstDS;
}

}  // namespace mrast_gdal
