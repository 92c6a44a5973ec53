/* C API example: the mean of the earthquake magnitudes in each 2-degree
 * cell, burnt in place into a MEM raster with GDALMergeRasterizeLayers(),
 * then the maximum of three hand-made overlapping squares with
 * GDALMergeRasterizeGeometries(). Build: link MergeRasterize::capi
 * (find_package(MergeRasterize)) or -lgdal_merge_rasterize_capi -lgdal.
 *
 * usage: capi_example SAMPLES_DIR     (exit 0 on success)
 */
#include <stdio.h>

#include "cpl_conv.h"
#include "cpl_string.h"
#include "gdal.h"
#include "gdal_merge_rasterize.h"
#include "ogr_api.h"
#include "ogr_srs_api.h"

int main(int argc, char **argv)
{
    if (argc < 2)
    {
        fprintf(stderr, "usage: capi_example SAMPLES_DIR\n");
        return 2;
    }
    GDALAllRegister();

    /* 1. A layer into a 180 x 90 world grid, mean of the field "mag".
     *    Filling the band with its nodata value makes untouched pixels
     *    non-contributors (they stay -9999). */
    char szPath[4096];
    snprintf(szPath, sizeof(szPath), "%s/earthquakes_usgs_week.geojson", argv[1]);
    GDALDatasetH hSrc = GDALOpenEx(szPath, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (hSrc == NULL)
        return 1;
    OGRLayerH hLayer = GDALDatasetGetLayer(hSrc, 0);

    GDALDatasetH hDS = GDALCreate(GDALGetDriverByName("MEM"), "", 180, 90, 1,
                                  GDT_Float32, NULL);
    double adfGT[6] = {-180, 2, 0, 90, 0, -2};
    GDALSetGeoTransform(hDS, adfGT);
    OGRSpatialReferenceH hSRS = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(hSRS, 4326);
    GDALSetSpatialRef(hDS, hSRS);
    GDALRasterBandH hBand = GDALGetRasterBand(hDS, 1);
    GDALSetRasterNoDataValue(hBand, -9999);
    GDALFillRaster(hBand, -9999, 0);

    int nBand = 1;
    char **papszOptions = NULL;
    papszOptions = CSLSetNameValue(papszOptions, "ATTRIBUTE", "mag");
    papszOptions = CSLSetNameValue(papszOptions, "MERGE", "mean");
    papszOptions = CSLSetNameValue(papszOptions, "NUM_THREADS", "ALL_CPUS");
    CPLErr eErr = GDALMergeRasterizeLayers(hDS, 1, &nBand, 1, &hLayer, NULL,
                                           NULL, NULL, papszOptions,
                                           GDALTermProgress, NULL);
    CSLDestroy(papszOptions);
    if (eErr != CE_None)
        return 1;
    double dfMin, dfMax, dfMean, dfStd;
    GDALComputeRasterStatistics(hBand, FALSE, &dfMin, &dfMax, &dfMean, &dfStd,
                                NULL, NULL);
    printf("mean magnitude per cell: %.2f .. %.2f\n", dfMin, dfMax);

    /* 2. Geometries: three overlapping squares, max of 1, 5, 3. */
    GDALDatasetH hSmall =
        GDALCreate(GDALGetDriverByName("MEM"), "", 4, 4, 1, GDT_Byte, NULL);
    double adfGT2[6] = {0, 1, 0, 4, 0, -1}; /* georeferenced = pixel, y up */
    GDALSetGeoTransform(hSmall, adfGT2);
    const char *apszWKT[3] = {"POLYGON ((0 0,0 3,3 3,3 0,0 0))",
                              "POLYGON ((1 1,1 4,4 4,4 1,1 1))",
                              "POLYGON ((2 0,2 2,4 2,4 0,2 0))"};
    OGRGeometryH ahGeom[3];
    double adfBurn[3] = {1, 5, 3};
    for (int i = 0; i < 3; i++)
    {
        char *pszWKT = (char *)apszWKT[i];
        OGR_G_CreateFromWkt(&pszWKT, NULL, &ahGeom[i]);
    }
    char **papszMax = CSLSetNameValue(NULL, "MERGE", "max");
    eErr = GDALMergeRasterizeGeometries(hSmall, 1, &nBand, 3, ahGeom, NULL,
                                        NULL, adfBurn, papszMax, NULL, NULL);
    CSLDestroy(papszMax);
    GByte abyPix[16];
    if (GDALRasterIO(GDALGetRasterBand(hSmall, 1), GF_Read, 0, 0, 4, 4,
                     abyPix, 4, 4, GDT_Byte, 0, 0) != CE_None)
        return 1;
    /* Row 0 is the top (y 3..4): only B (5) covers columns 1-3. Row 3 is
     * the bottom: A (1) at columns 0-1, C (3) at 2-3. */
    static const GByte abyExpected[16] = {0, 5, 5, 5, 1, 5, 5, 5,
                                          1, 5, 5, 5, 1, 1, 3, 3};
    int nBad = 0;
    for (int i = 0; i < 16; i++)
    {
        printf("%d%s", abyPix[i], i % 4 == 3 ? "\n" : " ");
        nBad += abyPix[i] != abyExpected[i];
    }

    for (int i = 0; i < 3; i++)
        OGR_G_DestroyGeometry(ahGeom[i]);
    GDALClose(hSmall);
    GDALClose(hDS);
    GDALClose(hSrc);
    OSRDestroySpatialReference(hSRS);
    GDALDestroyDriverManager();
    return eErr == CE_None && nBad == 0 && dfMax <= 6.4 && dfMin >= -0.8 ? 0 : 1;
}
