/* SPEC section 6 through the C API: each bad call returns CE_Failure with a
 * CPLError naming the problem and leaves the raster untouched; a progress
 * callback returning FALSE cancels with CPLE_UserInterrupt. GDAL's own
 * behaviour is kept where GDALRasterizeLayers() has one: a missing ATTRIBUTE
 * field warns and skips the layer, a non-numeric one warns and burns 0.
 *
 * Table: case -> options / raster -> expected status -> message substring
 * -> raster untouched?
 *
 * usage: c_api_bad_input   (exit 0 on success)
 */
#include <stdio.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal.h"
#include "gdal_merge_rasterize.h"
#include "ogr_api.h"

#define N 4
#define ND (-1.0)

static int g_nFailures = 0;
static char g_szMessages[4096];

static void CPL_STDCALL RecordError(CPLErr eErr, CPLErrorNum nNum,
                                    const char *pszMsg)
{
    (void)nNum;
    if (eErr >= CE_Warning &&
        strlen(g_szMessages) + strlen(pszMsg) + 2 < sizeof(g_szMessages))
    {
        strcat(g_szMessages, pszMsg);
        strcat(g_szMessages, "\n");
    }
}

static GDALDatasetH NewRaster(GDALDataType eType)
{
    double adfGT[6] = {0, 1, 0, N, 0, -1};
    GDALDatasetH hDS =
        GDALCreate(GDALGetDriverByName("MEM"), "", N, N, 1, eType, NULL);
    GDALSetGeoTransform(hDS, adfGT);
    GDALSetRasterNoDataValue(GDALGetRasterBand(hDS, 1), ND);
    GDALFillRaster(GDALGetRasterBand(hDS, 1), ND, 0);
    return hDS;
}

static int Untouched(GDALDatasetH hDS)
{
    double adf[N * N];
    int i;
    if (GDALRasterIO(GDALGetRasterBand(hDS, 1), GF_Read, 0, 0, N, N, adf, N,
                     N, GDT_Float64, 0, 0) != CE_None)
        return 0;
    for (i = 0; i < N * N; i++)
        if (adf[i] != ND)
            return 0;
    return 1;
}

static void Expect(const char *pszCase, CPLErr eGot, CPLErr eWant,
                   const char *pszMessage, int bUntouched, GDALDatasetH hDS)
{
    const int bStatus = eGot == eWant;
    const int bMessage = strstr(g_szMessages, pszMessage) != NULL;
    const int bRaster = !bUntouched || Untouched(hDS);
    if (bStatus && bMessage && bRaster)
        printf("ok   %s\n", pszCase);
    else
    {
        printf("FAIL %s: status %d (want %d), message %s(want '%s'), "
               "raster %s\n",
               pszCase, (int)eGot, (int)eWant, g_szMessages, pszMessage,
               bRaster ? "ok" : "changed");
        g_nFailures++;
    }
}

static int CPL_STDCALL Cancel(double dfComplete, const char *pszMsg,
                              void *pData)
{
    (void)dfComplete;
    (void)pszMsg;
    (void)pData;
    return FALSE;
}

static CPLErr BurnSquare(GDALDatasetH hDS, int nBand, const char *pszOptions,
                         GDALProgressFunc pfnProgress)
{
    OGRGeometryH hGeom = NULL;
    char *pszWKT = "POLYGON((0 0,3 0,3 3,0 3,0 0))";
    const double dfBurn = 10.0;
    char **papszOptions = CSLTokenizeString2(pszOptions, " ", 0);
    CPLErr eErr;
    OGR_G_CreateFromWkt(&pszWKT, NULL, &hGeom);
    g_szMessages[0] = '\0';
    CPLErrorReset();
    eErr = GDALMergeRasterizeGeometries(hDS, 1, &nBand, 1, &hGeom, NULL, NULL,
                                        &dfBurn, papszOptions, pfnProgress,
                                        NULL);
    OGR_G_DestroyGeometry(hGeom);
    CSLDestroy(papszOptions);
    return eErr;
}

/* A one-feature layer whose string field "s" holds pszValue. */
static CPLErr BurnLayer(GDALDatasetH hDS, const char *pszValue,
                        const char *pszAttribute)
{
    GDALDriverH hDrv = GDALGetDriverByName("MEM");
    GDALDatasetH hVec;
    OGRLayerH hLayer;
    OGRFieldDefnH hFld;
    OGRFeatureH hFeat;
    OGRGeometryH hGeom = NULL;
    char *pszWKT = "POLYGON((0 0,3 0,3 3,0 3,0 0))";
    int nBand = 1;
    char **papszOptions = NULL;
    CPLErr eErr;
    if (GDALGetMetadataItem(hDrv, GDAL_DCAP_VECTOR, NULL) == NULL)
        hDrv = GDALGetDriverByName("Memory");
    hVec = GDALCreate(hDrv, "", 0, 0, 0, GDT_Unknown, NULL);
    hLayer = GDALDatasetCreateLayer(hVec, "strings", NULL, wkbPolygon, NULL);
    hFld = OGR_Fld_Create("s", OFTString);
    OGR_L_CreateField(hLayer, hFld, TRUE);
    OGR_Fld_Destroy(hFld);
    hFeat = OGR_F_Create(OGR_L_GetLayerDefn(hLayer));
    OGR_G_CreateFromWkt(&pszWKT, NULL, &hGeom);
    OGR_F_SetGeometryDirectly(hFeat, hGeom);
    OGR_F_SetFieldString(hFeat, 0, pszValue);
    if (OGR_L_CreateFeature(hLayer, hFeat) != OGRERR_NONE)
        g_nFailures++;
    OGR_F_Destroy(hFeat);
    papszOptions = CSLSetNameValue(papszOptions, "ATTRIBUTE", pszAttribute);
    papszOptions = CSLSetNameValue(papszOptions, "MERGE", "max");
    g_szMessages[0] = '\0';
    CPLErrorReset();
    eErr = GDALMergeRasterizeLayers(hDS, 1, &nBand, 1, &hLayer, NULL, NULL,
                                    NULL, papszOptions, NULL, NULL);
    CSLDestroy(papszOptions);
    GDALClose(hVec);
    return eErr;
}

int main(void)
{
    GDALDatasetH hDS;
    double dfPixel = 0;
    GDALAllRegister();
    CPLPushErrorHandler(RecordError);

    hDS = NewRaster(GDT_Float64);
    Expect("MERGE=median", BurnSquare(hDS, 1, "MERGE=median", NULL),
           CE_Failure, "'median' for MERGE", 1, hDS);
    Expect("DEVICE=tpu", BurnSquare(hDS, 1, "DEVICE=tpu", NULL), CE_Failure,
           "'tpu' for DEVICE", 1, hDS);
    Expect("MERGE=max with MERGE_ALG=ADD",
           BurnSquare(hDS, 1, "MERGE=max MERGE_ALG=ADD", NULL), CE_Failure,
           "MERGE=max conflicts with MERGE_ALG=ADD", 1, hDS);
    Expect("DEVICE=cuda without a GPU",
           BurnSquare(hDS, 1, "DEVICE=cuda", NULL), CE_Failure,
           "CUDA requested", 1, hDS);
    Expect("band 2 of a 1-band raster", BurnSquare(hDS, 2, "", NULL),
           CE_Failure, "Band 2 does not exist", 1, hDS);
    Expect("progress callback returning FALSE cancels",
           BurnSquare(hDS, 1, "MERGE=max", Cancel), CE_Failure,
           "User terminated", 0, hDS);
    if (CPLGetLastErrorNo() != CPLE_UserInterrupt)
    {
        printf("FAIL cancel: last error number %d, expected "
               "CPLE_UserInterrupt\n",
               CPLGetLastErrorNo());
        g_nFailures++;
    }
    /* A cancelled burn may have merged the bands already done (the other
     * thread can finish one before the cancel is seen): start clean. */
    GDALClose(hDS);
    hDS = NewRaster(GDT_Float64);
    Expect("missing ATTRIBUTE field: warning, layer skipped (as GDAL)",
           BurnLayer(hDS, "5", "nosuchfield"), CE_None,
           "Failed to find field nosuchfield", 1, hDS);
    Expect("non-numeric ATTRIBUTE: warning naming the field, burns 0",
           BurnLayer(hDS, "abc", "s"), CE_None, "'abc' of field s", 0, hDS);
    if (GDALRasterIO(GDALGetRasterBand(hDS, 1), GF_Read, 0, 3, 1, 1, &dfPixel,
                     1, 1, GDT_Float64, 0, 0) != CE_None ||
        dfPixel != 0.0)
    {
        printf("FAIL non-numeric ATTRIBUTE burns 0: got %g\n", dfPixel);
        g_nFailures++;
    }
    GDALClose(hDS);

    hDS = NewRaster(GDT_CFloat32);
    Expect("CFloat32 band", BurnSquare(hDS, 1, "", NULL), CE_Failure,
           "CFloat32", 0, hDS);
    GDALClose(hDS);

    /* A dataset opened read-only. */
    {
        const char *pszPath = "/vsimem/c_api_bad_input_ro.tif";
        GDALDatasetH hMem = NewRaster(GDT_Float64);
        GDALClose(GDALCreateCopy(GDALGetDriverByName("GTiff"), pszPath, hMem,
                                 FALSE, NULL, NULL, NULL));
        GDALClose(hMem);
        hDS = GDALOpen(pszPath, GA_ReadOnly);
        Expect("dataset opened read-only", BurnSquare(hDS, 1, "", NULL),
               CE_Failure, "read-only", 1, hDS);
        GDALClose(hDS);
        VSIUnlink(pszPath);
    }

    CPLPopErrorHandler();
    GDALDestroyDriverManager();
    if (g_nFailures)
        printf("%d failure(s)\n", g_nFailures);
    return g_nFailures ? 1 : 0;
}
