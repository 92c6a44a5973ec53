/******************************************************************************
 * "gdal vector merge-rasterize": the GDAL algorithm plugin (GDAL >= 3.11).
 *
 * Loaded by GDALAllRegister() from GDAL_DRIVER_PATH (or GDAL's plugin dir,
 * X.Y/ subdirectory) because the module is named gdal_merge_rasterize.so:
 * GDAL then calls GDALRegister_merge_rasterize(), which only declares the
 * algorithm. The constructor only declares arguments (GDAL instantiates
 * every declared algorithm to list "gdal vector" sub-commands): no device
 * or thread-pool set-up happens before RunImpl().
 *****************************************************************************/
#include "gdalalg_merge_rasterize.h"

#include <cstdlib>
#include <memory>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_vsi.h"
#include "gdal_priv.h"
#include "mrast_engine.h"
#include "mrast_options.h"

#if GDAL_VERSION_NUM < GDAL_COMPUTE_VERSION(3, 11, 0)
#error "The algorithm module needs GDAL >= 3.11 (gdalalgorithm.h)"
#endif

#ifndef _
#define _(x) (x)
#endif

/************************************************************************/
/*                    GDALMergeRasterizeAlgorithm()                     */
/************************************************************************/

GDALMergeRasterizeAlgorithm::GDALMergeRasterizeAlgorithm()
    : GDALAlgorithm(NAME, DESCRIPTION, HELP_URL)
{
    AddProgressArg();
    AddOutputFormatArg(&m_osFormat)
        .AddMetadataItem(GAAMDI_REQUIRED_CAPABILITIES,
                         {GDAL_DCAP_RASTER, GDAL_DCAP_CREATE})
        .AddMetadataItem(GAAMDI_VRT_COMPATIBLE, {"false"});
    AddOpenOptionsArg(&m_aosOpenOptions);
    AddInputFormatsArg(&m_aosInputFormats)
        .AddMetadataItem(GAAMDI_REQUIRED_CAPABILITIES, {GDAL_DCAP_VECTOR});
    AddInputDatasetArg(&m_oInputDataset, GDAL_OF_VECTOR);
    AddOutputDatasetArg(&m_oOutputDataset, GDAL_OF_RASTER)
        .SetDatasetInputFlags(GADV_NAME | GADV_OBJECT);
    AddCreationOptionsArg(&m_aosCreationOptions);
    AddOverwriteArg(&m_bOverwrite);

    AddBandArg(&m_anBands, _("The band(s) to burn values into (1-based index)"));
    AddArg("invert", 0, _("Invert the rasterization"), &m_bInvert)
        .SetDefault(false);
    AddArg("all-touched", 0, _("Enables the ALL_TOUCHED rasterization option"),
           &m_bAllTouched);
    AddArg("burn", 0, _("Burn value"), &m_adfBurnValues);
    AddArg("attribute-name", 'a', _("Attribute name"), &m_osAttributeName);
    AddArg("3d", 0,
           _("Indicates that a burn value should be extracted from the Z"
             " values of the feature"),
           &m_b3D);
    AddLayerNameArg(&m_osLayerName)
        .SetMutualExclusionGroup("layer-name-or-sql");
    AddArg("where", 0, _("SQL where clause"), &m_osWhere);
    AddArg("sql", 0, _("SQL select statement"), &m_osSQL)
        .SetMutualExclusionGroup("layer-name-or-sql");
    AddArg("dialect", 0, _("SQL dialect"), &m_osDialect);
    AddArg("nodata", 0, _("Assign a specified nodata value to output bands"),
           &m_dfNoData);
    AddArg("init", 0, _("Pre-initialize output bands with specified value"),
           &m_adfInitValues);
    AddArg("crs", 0, _("Override the projection for the output file"),
           &m_osCRS)
        .AddHiddenAlias("srs")
        .SetIsCRSArg(/*noneAllowed=*/false);
    AddArg("transformer-option", 0,
           _("Set a transformer option suitable to pass to "
             "GDALCreateGenImgProjTransformer2"),
           &m_aosTransformerOptions)
        .SetMetaVar("<NAME>=<VALUE>");
    AddArg("extent", 0, _("Set the target georeferenced extent"),
           &m_adfExtent)
        .SetMinCount(4)
        .SetMaxCount(4)
        .SetRepeatedArgAllowed(false)
        .SetMetaVar("<xmin>,<ymin>,<xmax>,<ymax>");
    auto &oResolutionArg =
        AddArg("resolution", 0, _("Set the target resolution"),
               &m_adfResolution)
            .SetMinCount(2)
            .SetMaxCount(2)
            .SetRepeatedArgAllowed(false)
            .SetMetaVar("<xres>,<yres>")
            .SetMutualExclusionGroup("size-or-resolution");
    AddArg("target-aligned-pixels", 0,
           _("(target aligned pixels) Align the coordinates of the extent of "
             "the output file to the values of the resolution"),
           &m_bTargetAlignedPixels)
        .AddAlias("tap")
        .AddDirectDependency(oResolutionArg);
    AddArg("size", 0, _("Set the target size in pixels and lines"), &m_anSize)
        .SetMinCount(2)
        .SetMaxCount(2)
        .SetRepeatedArgAllowed(false)
        .SetMetaVar("<xsize>,<ysize>")
        .SetMutualExclusionGroup("size-or-resolution");
    AddOutputDataTypeArg(&m_osOutputType);
    AddArg("optimization", 0,
           _("Force the algorithm used (results are identical)"),
           &m_osOptimization)
        .SetChoices("AUTO", "RASTER", "VECTOR")
        .SetDefault("AUTO");

    auto &oAddArg =
        AddArg("add", 0,
               _("Add to existing raster (same as --merge sum --update)"),
               &m_bAdd)
            .SetDefault(false);
    auto &oUpdateArg = AddUpdateArg(&m_bUpdate);
    oAddArg.AddValidationAction(
        [&oUpdateArg]()
        {
            oUpdateArg.Set(true);
            return true;
        });

    /* merge-rasterize's own arguments. */
    auto &oMergeArg =
        AddArg("merge", 0,
               _("How the contributors to a pixel combine (last = GDAL "
                 "REPLACE, sum = GDAL ADD)"),
               &m_osMerge)
            .SetChoices("last", "first", "min", "max", "sum", "count", "mean")
            .SetDefault("last");
    AddArg("device", 0,
           _("Where to run: auto (a GPU when present and worth it), cpu, "
             "cuda"),
           &m_osDevice)
        .SetChoices("auto", "cpu", "cuda")
        .SetDefault("auto");
    AddArg("threads", 0,
           _("Number of CPU worker threads (or ALL_CPUS); the output does "
             "not depend on it"),
           &m_osThreads)
        .AddAlias("num-threads")
        .SetMetaVar("<value>")
        .SetDefault("ALL_CPUS")
        .AddValidationAction(
            [this]()
            {
                if (EQUAL(m_osThreads.c_str(), "ALL_CPUS"))
                    return true;
                char *pszEnd = nullptr;
                const long nThreads = strtol(m_osThreads.c_str(), &pszEnd, 10);
                if (pszEnd == m_osThreads.c_str() || *pszEnd != '\0' ||
                    nThreads < 1 || nThreads > 65536)
                {
                    ReportError(CE_Failure, CPLE_IllegalArg,
                                "Invalid value '%s' for --threads: expected a "
                                "positive integer or ALL_CPUS.",
                                m_osThreads.c_str());
                    return false;
                }
                return true;
            });

    /* --add is --merge sum --update: any other --merge contradicts it. */
    AddValidationAction(
        [this, &oMergeArg]()
        {
            if (m_bAdd && oMergeArg.IsExplicitlySet() && m_osMerge != "sum")
            {
                ReportError(CE_Failure, CPLE_IllegalArg,
                            "--add means --merge sum --update: it conflicts "
                            "with --merge %s.",
                            m_osMerge.c_str());
                return false;
            }
            return true;
        });
}

/************************************************************************/
/*                        CheckUpdateConflicts()                        */
/************************************************************************/

/* Options that only make sense for a new raster, rejected when burning into
 * an existing one (gdal vector rasterize rejects them too). */
bool GDALMergeRasterizeAlgorithm::CheckUpdateConflicts()
{
    for (const char *pszArg :
         {"nodata", "crs", "resolution", "size", "output-data-type", "init",
          "extent", "target-aligned-pixels", "output-format",
          "creation-option"})
    {
        const auto poArg = GetArg(pszArg);
        if (poArg != nullptr && poArg->IsExplicitlySet())
        {
            ReportError(CE_Failure, CPLE_AppDefined,
                        "Cannot specify --%s when updating an existing raster.",
                        pszArg);
            return false;
        }
    }
    return true;
}

/************************************************************************/
/*                              RunImpl()                               */
/************************************************************************/

bool GDALMergeRasterizeAlgorithm::RunImpl(GDALProgressFunc pfnProgress,
                                          void *pProgressData)
{
    GDALDataset *poSrcDS = m_oInputDataset.GetDatasetRef();
    CPLAssert(poSrcDS);
    // The framework opened the output for --update / --add (and refused an
    // existing one without --overwrite, or deleted it with --overwrite).
    GDALDataset *poDstDS = m_oOutputDataset.GetDatasetRef();
    const bool bUpdate = poDstDS != nullptr;

    mrast_gdal::MergeRasterizeOptions sOptions;

    /* What to burn, checked here so that the messages name our flags. */
    if (m_adfBurnValues.empty() && m_osAttributeName.empty() && !m_b3D)
    {
        ReportError(CE_Failure, CPLE_IllegalArg,
                    "One of --burn, --attribute-name (-a) or --3d is "
                    "required.");
        return false;
    }
    if (!m_adfBurnValues.empty() && !m_osAttributeName.empty())
    {
        ReportError(CE_Failure, CPLE_IllegalArg,
                    "--burn and --attribute-name (-a) cannot be used "
                    "together.");
        return false;
    }
    sOptions.adfBurnValues = m_adfBurnValues;
    sOptions.osBurnAttribute = m_osAttributeName;
    sOptions.b3D = m_b3D;
    sOptions.bInverse = m_bInvert;
    sOptions.bAllTouched = m_bAllTouched;
    sOptions.anBands = m_anBands;
    if (!mrast::parse_merge_mode(m_bAdd ? "sum" : m_osMerge.c_str(),
                                 sOptions.eMerge))
    {
        ReportError(CE_Failure, CPLE_IllegalArg,
                    "Unknown merge mode '%s' for --merge.", m_osMerge.c_str());
        return false;
    }
    sOptions.eDevice = EQUAL(m_osDevice.c_str(), "cuda")
                           ? mrast_gdal::Device::Cuda
                       : EQUAL(m_osDevice.c_str(), "cpu")
                           ? mrast_gdal::Device::Cpu
                           : mrast_gdal::Device::Auto;
    sOptions.nThreads = EQUAL(m_osThreads.c_str(), "ALL_CPUS")
                            ? 0
                            : atoi(m_osThreads.c_str());

    /* What to read. */
    if (!m_osLayerName.empty())
        sOptions.aosLayers.push_back(m_osLayerName);
    sOptions.osWhere = m_osWhere;
    sOptions.osSQL = m_osSQL;
    sOptions.osDialect = m_osDialect;
    sOptions.aosOpenOptions = m_aosOpenOptions;
    sOptions.aosTransformerOptions = m_aosTransformerOptions;

    if (bUpdate)
    {
        if (!CheckUpdateConflicts())
            return false;
    }
    else
    {
        /* A new raster. */
        if (m_adfResolution.empty() && m_anSize.empty())
        {
            ReportError(CE_Failure, CPLE_AppDefined,
                        "Must specify output resolution (--resolution) or "
                        "size (--size) when writing rasterized features to a "
                        "new dataset.");
            return false;
        }
        if (!m_anBands.empty())
        {
            ReportError(CE_Failure, CPLE_AppDefined,
                        "Cannot specify --band when creating a new raster.");
            return false;
        }
        sOptions.bCreateOutput = true;
        sOptions.osFormat = m_osFormat;
        sOptions.aosCreationOptions = m_aosCreationOptions;
        if (!m_osOutputType.empty())
            sOptions.eOutputType = GDALGetDataTypeByName(m_osOutputType.c_str());
        const auto poNoDataArg = GetArg("nodata");
        if (poNoDataArg && poNoDataArg->IsExplicitlySet())
        {
            sOptions.bHasNoData = true;
            sOptions.osNoData = CPLSPrintf("%.17g", m_dfNoData);
        }
        sOptions.adfInitValues = m_adfInitValues;
        if (m_adfExtent.size() == 4)
        {
            sOptions.bHasExtent = true;
            for (int i = 0; i < 4; i++)
                sOptions.adfExtent[i] = m_adfExtent[static_cast<size_t>(i)];
        }
        if (m_adfResolution.size() == 2)
        {
            if (!(m_adfResolution[0] > 0 && m_adfResolution[1] > 0))
            {
                ReportError(CE_Failure, CPLE_IllegalArg,
                            "--resolution values must be strictly positive.");
                return false;
            }
            sOptions.dfXRes = m_adfResolution[0];
            sOptions.dfYRes = m_adfResolution[1];
        }
        if (m_anSize.size() == 2)
        {
            if (m_anSize[0] < 0 || m_anSize[1] < 0 ||
                (m_anSize[0] == 0 && m_anSize[1] == 0))
            {
                ReportError(CE_Failure, CPLE_IllegalArg,
                            "--size: at least one of the values must be "
                            "greater than zero, and none negative.");
                return false;
            }
            sOptions.nXSize = m_anSize[0];
            sOptions.nYSize = m_anSize[1];
        }
        sOptions.bTargetAlignedPixels = m_bTargetAlignedPixels;
        sOptions.osOutputSRS = m_osCRS;
    }

    sOptions.pfnProgress = pfnProgress;
    sOptions.pProgressData = pProgressData;

    // SPEC 6: a failed or cancelled run leaves no half-written new output
    // behind: the engine writes under a temporary name and cleans up.
    const std::string osDest = m_oOutputDataset.GetName();
    GDALDatasetH hRet = mrast_gdal::RunMergeRasterize(
        osDest.c_str(), GDALDataset::ToHandle(poDstDS),
        GDALDataset::ToHandle(poSrcDS), sOptions, nullptr);
    if (hRet == nullptr)
        return false;
    if (!bUpdate)
        m_oOutputDataset.Set(
            std::unique_ptr<GDALDataset>(GDALDataset::FromHandle(hRet)));
    return true;
}

/************************************************************************/
/*                    GDALRegister_merge_rasterize()                    */
/************************************************************************/

extern "C" __attribute__((visibility("default"))) void
GDALRegister_merge_rasterize()
{
    // A module built for another GDAL X.Y must not declare C++ classes into
    // this one (GDAL looks for plugins in a versioned X.Y/ subdirectory for
    // the same reason).
    if (!GDAL_CHECK_VERSION("merge-rasterize"))
        return;
    auto &oRegistry = GDALGlobalAlgorithmRegistry::GetSingleton();
    const auto fnInstantiate = []() -> std::unique_ptr<GDALAlgorithm>
    { return std::make_unique<GDALMergeRasterizeAlgorithm>(); };
    oRegistry.DeclareAlgorithm({"vector", GDALMergeRasterizeAlgorithm::NAME},
                               fnInstantiate);
    oRegistry.DeclareAlgorithm({"raster", GDALMergeRasterizeAlgorithm::NAME},
                               fnInstantiate);
}
