/******************************************************************************
 * "gdal vector merge-rasterize" / "gdal raster merge-rasterize": the GDAL
 * (>= 3.11) algorithm. Every argument of "gdal vector rasterize" (same
 * names, aliases, exclusion groups, defaults, validation) plus --merge,
 * --device and --threads; RunImpl() is glue that fills the shared
 * MergeRasterizeOptions and calls RunMergeRasterize().
 *****************************************************************************/
#ifndef GDALALG_MERGE_RASTERIZE_H
#define GDALALG_MERGE_RASTERIZE_H

#include <string>
#include <vector>

#include "gdalalgorithm.h"

class GDALMergeRasterizeAlgorithm final : public GDALAlgorithm
{
  public:
    static constexpr const char *NAME = "merge-rasterize";
    static constexpr const char *DESCRIPTION =
        "Burns vector geometries into a raster with a per-pixel merge mode "
        "(last, first, min, max, sum, count, mean).";
    static constexpr const char *HELP_URL = "";

    GDALMergeRasterizeAlgorithm();

  private:
    bool RunImpl(GDALProgressFunc pfnProgress, void *pProgressData) override;
    bool CheckUpdateConflicts();

    /* As gdal vector rasterize (standalone step). */
    GDALArgDatasetValue m_oInputDataset{};
    GDALArgDatasetValue m_oOutputDataset{};
    std::string m_osFormat{};
    std::vector<std::string> m_aosOpenOptions{};
    std::vector<std::string> m_aosInputFormats{};
    std::vector<std::string> m_aosCreationOptions{};
    bool m_bOverwrite = false;
    bool m_bUpdate = false;
    std::vector<int> m_anBands{};
    bool m_bInvert = false;
    bool m_bAllTouched = false;
    std::vector<double> m_adfBurnValues{};
    std::string m_osAttributeName{};
    bool m_b3D = false;
    bool m_bAdd = false;
    std::string m_osLayerName{};  // mutually exclusive with m_osSQL
    std::string m_osWhere{};
    std::string m_osSQL{};
    std::string m_osDialect{};
    double m_dfNoData = 0;
    std::vector<double> m_adfInitValues{};
    std::string m_osCRS{};
    std::vector<std::string> m_aosTransformerOptions{};
    std::vector<double> m_adfExtent{};
    std::vector<double> m_adfResolution{};  // exclusive with m_anSize
    bool m_bTargetAlignedPixels = false;
    std::vector<int> m_anSize{};
    std::string m_osOutputType{};
    std::string m_osOptimization{};

    /* merge-rasterize's own. */
    std::string m_osMerge{};
    std::string m_osDevice{};
    std::string m_osThreads{};
};

#endif
