/* gdal_rasterize's command line (every option, same meaning) plus -merge,
 * -device and -threads, parsed into the shared options structure. */
#ifndef MRAST_CLI_ARGS_H
#define MRAST_CLI_ARGS_H

#include <string>
#include <vector>

#include "mrast_options.h"

namespace mrast_gdal
{

struct CliArguments
{
    MergeRasterizeOptions sOptions{};
    std::string osSource{};
    std::string osDest{};
    bool bHelp = false;
};

/* Parses argv (without the program name, after GDALGeneralCmdLineProcessor).
 * Returns false after a CPLError naming the bad option. */
bool ParseCliArguments(const std::vector<std::string> &aosArgs,
                       CliArguments &oOut);

const char *CliUsage();

}  // namespace mrast_gdal

#endif
