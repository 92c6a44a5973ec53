/* The C API from C: two overlapping squares burnt into a 4x4 MEM raster
 * whose geotransform makes georeferenced = pixel coordinates (y up).
 *
 *   A = (0,0)-(3,3), burn 10: columns 0-2, rows 1-3
 *   B = (1,1)-(4,4), burn 30: columns 1-3, rows 0-2
 *
 * The band is filled with its nodata value -1, so untouched pixels are no
 * contributors and stay -1. Expected values are exact.
 *
 * usage: c_api_smoke   (exit 0 on success)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal.h"
#include "gdal_merge_rasterize.h"
#include "ogr_api.h"

static int g_nFailures = 0;

#define N 4
#define ND (-1.0)

static GDALDatasetH NewRaster(void)
{
    double adfGT[6] = {0, 1, 0, N, 0, -1};
    GDALDatasetH hDS =
        GDALCreate(GDALGetDriverByName("MEM"), "", N, N, 1, GDT_Float64, NULL);
    GDALRasterBandH hBand = GDALGetRasterBand(hDS, 1);
    GDALSetGeoTransform(hDS, adfGT);
    GDALSetRasterNoDataValue(hBand, ND);
    GDALFillRaster(hBand, ND, 0);
    return hDS;
}

/* Expected value at (col, row) from what covers it. */
static double Expect(int nCol, int nRow, double dfA, double dfB, double dfBoth)
{
    const int bA = nCol <= 2 && nRow >= 1;
    const int bB = nCol >= 1 && nRow <= 2;
    return bA && bB ? dfBoth : bA ? dfA : bB ? dfB : ND;
}

static void Check(const char *pszCase, GDALDatasetH hDS, double dfA, double dfB,
                  double dfBoth)
{
    double adfPix[N * N];
    int i;
    if (GDALRasterIO(GDALGetRasterBand(hDS, 1), GF_Read, 0, 0, N, N, adfPix,
                     N, N, GDT_Float64, 0, 0) != CE_None)
    {
        printf("FAIL %s: RasterIO\n", pszCase);
        g_nFailures++;
        return;
    }
    for (i = 0; i < N * N; i++)
    {
        const double dfWant = Expect(i % N, i / N, dfA, dfB, dfBoth);
        if (adfPix[i] != dfWant)
        {
            int j;
            printf("FAIL %s: pixel (%d,%d) = %g, expected %g; raster:\n",
                   pszCase, i % N, i / N, adfPix[i], dfWant);
            for (j = 0; j < N * N; j++)
                printf("%6g%s", adfPix[j], j % N == N - 1 ? "\n" : " ");
            g_nFailures++;
            return;
        }
    }
    printf("ok   %s\n", pszCase);
}

static void ExpectStatus(const char *pszCase, CPLErr eGot, CPLErr eWant)
{
    if (eGot != eWant)
    {
        printf("FAIL %s: returned %d, expected %d\n", pszCase, (int)eGot,
               (int)eWant);
        g_nFailures++;
    }
    else
        printf("ok   %s\n", pszCase);
}

static CPLErr BurnSquares(GDALDatasetH hDS, const char *pszOptions)
{
    OGRGeometryH ahGeoms[2] = {NULL, NULL};
    const double adfBurn[2] = {10.0, 30.0};
    const int anBands[1] = {1};
    char *apszWKT[2] = {"POLYGON((0 0,3 0,3 3,0 3,0 0))",
                        "POLYGON((1 1,4 1,4 4,1 4,1 1))"};
    char **papszOptions = CSLTokenizeString2(pszOptions, " ", 0);
    CPLErr eErr;
    int i;
    for (i = 0; i < 2; i++)
    {
        char *pszWKT = apszWKT[i];
        OGR_G_CreateFromWkt(&pszWKT, NULL, &ahGeoms[i]);
    }
    eErr = GDALMergeRasterizeGeometries(hDS, 1, anBands, 2, ahGeoms, NULL,
                                        NULL, adfBurn, papszOptions, NULL,
                                        NULL);
    for (i = 0; i < 2; i++)
        OGR_G_DestroyGeometry(ahGeoms[i]);
    CSLDestroy(papszOptions);
    return eErr;
}

static void GeometriesCase(const char *pszOptions, double dfA, double dfB,
                           double dfBoth)
{
    GDALDatasetH hDS = NewRaster();
    char szCase[128];
    snprintf(szCase, sizeof(szCase), "Geometries %s", pszOptions);
    if (BurnSquares(hDS, pszOptions) != CE_None)
    {
        printf("FAIL %s: %s\n", szCase, CPLGetLastErrorMsg());
        g_nFailures++;
    }
    else
        Check(szCase, hDS, dfA, dfB, dfBoth);
    GDALClose(hDS);
}

/* The same squares as two features of one memory layer, burnt from the
 * attribute "v" (GDALMergeRasterizeLayers with ATTRIBUTE=). */
static void LayersCase(const char *pszOptions, double dfA, double dfB,
                       double dfBoth)
{
    /* GDAL >= 3.11 creates vector layers in MEM; older ones in Memory. */
    GDALDriverH hDrv = GDALGetDriverByName("MEM");
    GDALDatasetH hVec, hDS = NewRaster();
    OGRLayerH hLayer;
    OGRFieldDefnH hFld;
    char szCase[128];
    int anBands[1] = {1};
    char **papszOptions;
    int i;
    const char *apszWKT[2] = {"POLYGON((0 0,3 0,3 3,0 3,0 0))",
                              "POLYGON((1 1,4 1,4 4,1 4,1 1))"};
    const double adfValues[2] = {10.0, 30.0};
    if (GDALGetMetadataItem(hDrv, GDAL_DCAP_VECTOR, NULL) == NULL)
        hDrv = GDALGetDriverByName("Memory");
    hVec = GDALCreate(hDrv, "", 0, 0, 0, GDT_Unknown, NULL);
    hLayer = GDALDatasetCreateLayer(hVec, "squares", NULL, wkbPolygon, NULL);
    hFld = OGR_Fld_Create("v", OFTReal);
    OGR_L_CreateField(hLayer, hFld, TRUE);
    OGR_Fld_Destroy(hFld);
    for (i = 0; i < 2; i++)
    {
        OGRFeatureH hFeat = OGR_F_Create(OGR_L_GetLayerDefn(hLayer));
        OGRGeometryH hGeom = NULL;
        char *pszWKT = (char *)apszWKT[i];
        OGR_G_CreateFromWkt(&pszWKT, NULL, &hGeom);
        OGR_F_SetGeometryDirectly(hFeat, hGeom);
        OGR_F_SetFieldDouble(hFeat, 0, adfValues[i]);
        if (OGR_L_CreateFeature(hLayer, hFeat) != OGRERR_NONE)
            g_nFailures++;
        OGR_F_Destroy(hFeat);
    }
    snprintf(szCase, sizeof(szCase), "Layers ATTRIBUTE=v %s", pszOptions);
    papszOptions = CSLTokenizeString2(pszOptions, " ", 0);
    papszOptions = CSLSetNameValue(papszOptions, "ATTRIBUTE", "v");
    if (GDALMergeRasterizeLayers(hDS, 1, anBands, 1, &hLayer, NULL, NULL, NULL,
                                 papszOptions, NULL, NULL) != CE_None)
    {
        printf("FAIL %s: %s\n", szCase, CPLGetLastErrorMsg());
        g_nFailures++;
    }
    else
        Check(szCase, hDS, dfA, dfB, dfBoth);
    CSLDestroy(papszOptions);
    GDALClose(hVec);
    GDALClose(hDS);
}

int main(void)
{
    GDALDatasetH hDS;
    GDALAllRegister();

    GeometriesCase("MERGE=max", 10, 30, 30);
    GeometriesCase("MERGE=min", 10, 30, 10);
    GeometriesCase("MERGE=mean", 10, 30, 20);
    GeometriesCase("MERGE=count", 1, 1, 2);
    GeometriesCase("MERGE=first NUM_THREADS=2", 10, 30, 10);
    GeometriesCase("MERGE_ALG=ADD", 10, 30, 40);
    GeometriesCase("MERGE_ALG=REPLACE DEVICE=cpu", 10, 30, 30);
    GeometriesCase("MERGE=sum MERGE_ALG=ADD ALL_TOUCHED=NO CHUNKYSIZE=1 "
                   "OPTIM=RASTER",
                   10, 30, 40);
    LayersCase("MERGE=max", 10, 30, 30);
    LayersCase("MERGE=mean", 10, 30, 20);

    /* Bad options: CE_Failure with a CPLError, raster untouched. */
    CPLPushErrorHandler(CPLQuietErrorHandler);
    hDS = NewRaster();
    ExpectStatus("MERGE=median is refused", BurnSquares(hDS, "MERGE=median"),
                 CE_Failure);
    ExpectStatus("MERGE=max MERGE_ALG=ADD is refused",
                 BurnSquares(hDS, "MERGE=max MERGE_ALG=ADD"), CE_Failure);
    ExpectStatus("DEVICE=tpu is refused", BurnSquares(hDS, "DEVICE=tpu"),
                 CE_Failure);
    ExpectStatus("NUM_THREADS=0 is refused", BurnSquares(hDS, "NUM_THREADS=0"),
                 CE_Failure);
    CPLPopErrorHandler();
    Check("refused calls leave the raster untouched", hDS, ND, ND, ND);
    GDALClose(hDS);

    GDALDestroyDriverManager();
    if (g_nFailures)
        printf("%d failure(s)\n", g_nFailures);
    return g_nFailures ? 1 : 0;
}
