/* The C API (include/gdal_merge_rasterize.h): GDAL's rasterize signatures in,
 * the engine's burn step (BurnIntoDataset) out. Every entry point catches
 * everything: no C++ exception crosses the C boundary. */
#include "gdal_merge_rasterize.h"

#include <cstdlib>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "mrast_engine.h"
#include "mrast_geometry_batch.h"
#include "mrast_options.h"

namespace
{

using mrast_gdal::MergeRasterizeOptions;

/* The options both functions share, GDAL's (with GDAL's messages) and ours.
 * osAttribute receives ATTRIBUTE= (only GDALMergeRasterizeLayers uses it). */
bool ParseOptions(CSLConstList papszOptions, MergeRasterizeOptions &sOptions,
                  std::string &osAttribute)
{
    sOptions.bAllTouched = CPLFetchBool(papszOptions, "ALL_TOUCHED", false);

    const char *pszOpt = CSLFetchNameValue(papszOptions, "BURN_VALUE_FROM");
    if (pszOpt != nullptr)
    {
        if (!EQUAL(pszOpt, "Z"))
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Unrecognized value '%s' for BURN_VALUE_FROM.", pszOpt);
            return false;
        }
        sOptions.b3D = true;
    }

    const char *pszMergeAlg = CSLFetchNameValue(papszOptions, "MERGE_ALG");
    if (pszMergeAlg != nullptr)
    {
        if (EQUAL(pszMergeAlg, "ADD"))
            sOptions.eMerge = mrast::MergeMode::Sum;
        else if (EQUAL(pszMergeAlg, "REPLACE"))
            sOptions.eMerge = mrast::MergeMode::Last;
        else
        {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "Unrecognized value '%s' for MERGE_ALG.", pszMergeAlg);
            return false;
        }
    }
    pszOpt = CSLFetchNameValue(papszOptions, "MERGE");
    if (pszOpt != nullptr)
    {
        mrast::MergeMode eMerge;
        if (!mrast::parse_merge_mode(pszOpt, eMerge))
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "Unrecognized value '%s' for MERGE: expected last, "
                     "first, min, max, sum, count or mean.",
                     pszOpt);
            return false;
        }
        if (pszMergeAlg != nullptr && eMerge != sOptions.eMerge)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "MERGE=%s conflicts with MERGE_ALG=%s.", pszOpt,
                     pszMergeAlg);
            return false;
        }
        sOptions.eMerge = eMerge;
    }

    pszOpt = CSLFetchNameValue(papszOptions, "DEVICE");
    if (pszOpt != nullptr)
    {
        if (EQUAL(pszOpt, "auto"))
            sOptions.eDevice = mrast_gdal::Device::Auto;
        else if (EQUAL(pszOpt, "cpu"))
            sOptions.eDevice = mrast_gdal::Device::Cpu;
        else if (EQUAL(pszOpt, "cuda"))
            sOptions.eDevice = mrast_gdal::Device::Cuda;
        else
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "Unrecognized value '%s' for DEVICE: expected auto, cpu "
                     "or cuda.",
                     pszOpt);
            return false;
        }
    }

    pszOpt = CSLFetchNameValue(papszOptions, "NUM_THREADS");
    if (pszOpt != nullptr && !EQUAL(pszOpt, "ALL_CPUS"))
    {
        char *pszEnd = nullptr;
        const long nThreads = strtol(pszOpt, &pszEnd, 10);
        if (pszEnd == pszOpt || *pszEnd != '\0' || nThreads < 1 ||
            nThreads > 65536)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "Unrecognized value '%s' for NUM_THREADS: expected a "
                     "positive integer or ALL_CPUS.",
                     pszOpt);
            return false;
        }
        sOptions.nThreads = static_cast<int>(nThreads);
    }

    // OPTIM and CHUNKYSIZE tune GDAL's own rasterizer: accepted, checked as
    // GDAL checks them, without effect on the pixels.
    pszOpt = CSLFetchNameValue(papszOptions, "OPTIM");
    if (pszOpt != nullptr && !EQUAL(pszOpt, "AUTO") &&
        !EQUAL(pszOpt, "RASTER") && !EQUAL(pszOpt, "VECTOR"))
    {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "Unrecognized value '%s' for OPTIM.", pszOpt);
        return false;
    }

    pszOpt = CSLFetchNameValue(papszOptions, "ATTRIBUTE");
    if (pszOpt != nullptr)
        osAttribute = pszOpt;
    return true;
}

/* Runs fn, turning any exception into a CPLError and CE_Failure. */
template <class Fn> CPLErr CatchAll(const char *pszFunc, Fn &&fn) noexcept
{
    try
    {
        return fn();
    }
    catch (const std::bad_alloc &)
    {
        CPLError(CE_Failure, CPLE_OutOfMemory, "%s: out of memory.", pszFunc);
    }
    catch (const std::exception &e)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "%s: %s", pszFunc, e.what());
    }
    catch (...)
    {
        CPLError(CE_Failure, CPLE_AppDefined, "%s: unknown exception.",
                 pszFunc);
    }
    return CE_Failure;
}

/* The bands to burn, once the device and the bands are known to work. */
bool CheckTarget(GDALDatasetH hDS, const int *panBandList, int nBandCount,
                 const MergeRasterizeOptions &sOptions, std::vector<int> &anBands)
{
    anBands.assign(panBandList, panBandList + nBandCount);
    return mrast_gdal::CheckDevice(sOptions.eDevice) &&
           mrast_gdal::CheckBurnBands(hDS, anBands);
}

/* Both entry points merge into the caller's dataset as it is (update mode:
 * its values other than nodata are contributors), then report completion. */
CPLErr BurnInPlace(GDALDatasetH hDS, const std::vector<int> &anBands,
                   mrast_gdal::GeometryBatchBuilder &oBuilder,
                   GDALTransformerFunc pfnTransformer, void *pTransformArg,
                   const MergeRasterizeOptions &sOptions,
                   GDALProgressFunc pfnProgress, void *pProgressArg)
{
    if (!mrast_gdal::BurnIntoDataset(hDS, anBands, oBuilder, pfnTransformer,
                                     pTransformArg, sOptions,
                                     /*bUpdate=*/true, pfnProgress,
                                     pProgressArg))
        return CE_Failure;
    pfnProgress(1.0, "", pProgressArg);
    return CE_None;
}

}  // namespace

CPLErr GDALMergeRasterizeGeometries(
    GDALDatasetH hDS, int nBandCount, const int *panBandList, int nGeomCount,
    const OGRGeometryH *pahGeometries, GDALTransformerFunc pfnTransformer,
    void *pTransformArg, const double *padfGeomBurnValues,
    CSLConstList papszOptions, GDALProgressFunc pfnProgress,
    void *pProgressArg)
{
    return CatchAll(
        "GDALMergeRasterizeGeometries",
        [&]() -> CPLErr
        {
            VALIDATE_POINTER1(hDS, "GDALMergeRasterizeGeometries", CE_Failure);
            if (pfnProgress == nullptr)
                pfnProgress = GDALDummyProgress;
            if (nBandCount <= 0 || nGeomCount <= 0)
            {
                pfnProgress(1.0, "", pProgressArg);
                return CE_None;
            }
            VALIDATE_POINTER1(panBandList, "GDALMergeRasterizeGeometries",
                              CE_Failure);
            VALIDATE_POINTER1(pahGeometries, "GDALMergeRasterizeGeometries",
                              CE_Failure);

            MergeRasterizeOptions sOptions;
            std::string osIgnoredAttribute;
            if (!ParseOptions(papszOptions, sOptions, osIgnoredAttribute))
                return CE_Failure;
            // GDAL requires burn values; with BURN_VALUE_FROM=Z alone a NULL
            // array means "Z + 0".
            const std::size_t nGeoms = static_cast<std::size_t>(nGeomCount);
            std::vector<double> adfZeros;
            if (padfGeomBurnValues == nullptr)
            {
                if (!sOptions.b3D)
                {
                    CPLError(CE_Failure, CPLE_IllegalArg,
                             "GDALMergeRasterizeGeometries(): "
                             "padfGeomBurnValues is NULL.");
                    return CE_Failure;
                }
                adfZeros.assign(nGeoms * static_cast<std::size_t>(nBandCount),
                                0.0);
                padfGeomBurnValues = adfZeros.data();
            }

            std::vector<int> anBands;
            if (!CheckTarget(hDS, panBandList, nBandCount, sOptions, anBands))
                return CE_Failure;
            // The geometries are all here: build the arrays in bulk, with
            // the caller's NUM_THREADS (0: all cores), as the burn does.
            mrast_gdal::GeometryBatchBuilder oBuilder(nBandCount,
                                                      sOptions.b3D);
            oBuilder.AddFeatures(pahGeometries, nGeoms, padfGeomBurnValues,
                                 sOptions.nThreads);
            return BurnInPlace(hDS, anBands, oBuilder, pfnTransformer,
                               pTransformArg, sOptions, pfnProgress,
                               pProgressArg);
        });
}

CPLErr GDALMergeRasterizeLayers(GDALDatasetH hDS, int nBandCount,
                                int *panBandList, int nLayerCount,
                                OGRLayerH *pahLayers,
                                GDALTransformerFunc pfnTransformer,
                                void *pTransformArg,
                                double *padfLayerBurnValues,
                                char **papszOptions,
                                GDALProgressFunc pfnProgress,
                                void *pProgressArg)
{
    return CatchAll(
        "GDALMergeRasterizeLayers",
        [&]() -> CPLErr
        {
            VALIDATE_POINTER1(hDS, "GDALMergeRasterizeLayers", CE_Failure);
            if (pfnProgress == nullptr)
                pfnProgress = GDALDummyProgress;
            if (nBandCount <= 0 || nLayerCount <= 0)
                return CE_None;
            VALIDATE_POINTER1(panBandList, "GDALMergeRasterizeLayers",
                              CE_Failure);
            VALIDATE_POINTER1(pahLayers, "GDALMergeRasterizeLayers",
                              CE_Failure);

            MergeRasterizeOptions sOptions;
            std::string osAttribute;
            if (!ParseOptions(papszOptions, sOptions, osAttribute))
                return CE_Failure;
            if (osAttribute.empty() && padfLayerBurnValues == nullptr &&
                !sOptions.b3D)
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "GDALMergeRasterizeLayers(): padfLayerBurnValues is "
                         "NULL and no ATTRIBUTE option is given.");
                return CE_Failure;
            }

            std::vector<int> anBands;
            if (!CheckTarget(hDS, panBandList, nBandCount, sOptions, anBands))
                return CE_Failure;
            mrast_gdal::GeometryBatchBuilder oBuilder(nBandCount,
                                                      sOptions.b3D);
            mrast_gdal::LayerBurnSource oSource;
            oSource.osAttribute = osAttribute;
            oSource.bMissingAttributeIsError = false;
            // A caller's transformer does the whole geo -> pixel mapping, as
            // in GDALRasterizeLayers(); without one, layers are reprojected.
            oSource.bReproject = pfnTransformer == nullptr;
            for (int iLayer = 0; iLayer < nLayerCount; iLayer++)
            {
                if (pahLayers[iLayer] == nullptr)
                {
                    CPLError(CE_Warning, CPLE_AppDefined,
                             "Layer element number %d is NULL, skipping.",
                             iLayer);
                    continue;
                }
                oSource.padfBurnValues =
                    osAttribute.empty() && padfLayerBurnValues != nullptr
                        ? padfLayerBurnValues +
                              static_cast<std::size_t>(iLayer) *
                                  static_cast<std::size_t>(nBandCount)
                        : nullptr;
                if (!mrast_gdal::CollectLayerFeatures(
                        pahLayers[iLayer], hDS, oSource, nBandCount, oBuilder))
                    return CE_Failure;
            }
            return BurnInPlace(hDS, anBands, oBuilder, pfnTransformer,
                               pTransformArg, sOptions, pfnProgress,
                               pProgressArg);
        });
}
