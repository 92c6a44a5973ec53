/* gdal_merge_rasterize: the drop-in replacement for gdal_rasterize with
 * per-pixel merge modes. Any GDAL >= 3.6. */
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "gdal.h"
#include "mrast_cli_args.h"
#include "mrast_engine.h"

namespace
{

/* Ctrl-C (SIGINT) or SIGTERM: the next progress call returns FALSE, so the
 * run stops at the next window and removes its temporary output (SPEC 6).
 * The handler resets itself: a second Ctrl-C kills at once. */
volatile std::sig_atomic_t g_nInterrupted = 0;

extern "C" void OnInterrupt(int)
{
    g_nInterrupted = 1;
}

void InstallInterruptHandler()
{
    struct sigaction sAction = {};
    sAction.sa_handler = OnInterrupt;
    sAction.sa_flags = SA_RESETHAND;
    sigemptyset(&sAction.sa_mask);
    sigaction(SIGINT, &sAction, nullptr);
    sigaction(SIGTERM, &sAction, nullptr);
}

/* pProgressData: non-null to draw GDAL's terminal progress bar. */
int CPL_STDCALL InterruptibleProgress(double dfComplete,
                                      const char *pszMessage,
                                      void *pProgressData)
{
    if (g_nInterrupted)
        return FALSE;
    if (pProgressData != nullptr)
        return GDALTermProgress(dfComplete, pszMessage, nullptr);
    return TRUE;
}

}  // namespace

int main(int argc, char **argv)
{
    GDALAllRegister();
    argc = GDALGeneralCmdLineProcessor(argc, &argv, 0);
    if (argc < 1)
        return -argc;

    std::vector<std::string> aosArgs;
    for (int i = 1; i < argc; i++)
        aosArgs.emplace_back(argv[i]);
    CSLDestroy(argv);

    mrast_gdal::CliArguments oArgs;
    const bool bParsed = mrast_gdal::ParseCliArguments(aosArgs, oArgs);
    if (oArgs.bHelp)
    {
        printf("%s", mrast_gdal::CliUsage());
        return 0;
    }
    if (!bParsed)
    {
        fprintf(stderr, "\n%s", mrast_gdal::CliUsage());
        GDALDestroyDriverManager();
        return 1;
    }

    CPLStringList aosOO;
    for (const auto &osOO : oArgs.sOptions.aosOpenOptions)
        aosOO.AddString(osOO.c_str());
    GDALDatasetH hSrcDS =
        GDALOpenEx(oArgs.osSource.c_str(), GDAL_OF_VECTOR | GDAL_OF_VERBOSE_ERROR,
                   nullptr, aosOO.List(), nullptr);
    if (hSrcDS == nullptr)
    {
        GDALDestroyDriverManager();
        return 1;
    }
    static int nDrawProgress = 1;
    oArgs.sOptions.pfnProgress = InterruptibleProgress;
    oArgs.sOptions.pProgressData =
        oArgs.sOptions.bQuiet ? nullptr : &nDrawProgress;
    InstallInterruptHandler();

    bool bUsageError = false;
    GDALDatasetH hOut = mrast_gdal::RunMergeRasterize(
        oArgs.osDest.c_str(), nullptr, hSrcDS, oArgs.sOptions, &bUsageError);
    int nRet = hOut == nullptr ? 1 : 0;
    if (hOut != nullptr)
    {
        // Closing flushes the last blocks: a failure there is a failure.
        CPLErrorReset();
        GDALClose(hOut);
        if (CPLGetLastErrorType() == CE_Failure)
            nRet = 1;
    }
    GDALClose(hSrcDS);
    if (g_nInterrupted && nRet != 0)
    {
        fprintf(stderr, "\n");  // after the progress bar
        nRet = 130;              // 128 + SIGINT, as shells report it
    }
    if (bUsageError)
        fprintf(stderr, "\n%s", mrast_gdal::CliUsage());
    GDALDestroyDriverManager();
    return nRet;
}
