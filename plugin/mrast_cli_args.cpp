#include "mrast_cli_args.h"

#include <cstdlib>
#include <cstring>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

namespace mrast_gdal
{

const char *CliUsage()
{
    return "Usage: gdal_merge_rasterize [--help] [--help-general]\n"
           "       [-merge {last|first|min|max|sum|count|mean}]\n"
           "       [-device {auto|cpu|cuda}] [-threads <n>]\n"
           "       [-b <band>]... [-i] [-at]\n"
           "       [-oo <NAME>=<VALUE>]...\n"
           "       {[-burn <value>]... | [-a <attribute_name>] | [-3d]} "
           "[-add]\n"
           "       [-l <layername>]... [-where <expression>]\n"
           "       [-sql <select_statement>|@<filename>] [-dialect "
           "<dialect>]\n"
           "       [-of <format>] [-a_srs <srs_def>] [-to "
           "<NAME>=<VALUE>]...\n"
           "       [-co <NAME>=<VALUE>]... [-a_nodata <value>] [-init "
           "<value>]...\n"
           "       [-te <xmin> <ymin> <xmax> <ymax>] [-tr <xres> <yres>] "
           "[-tap]\n"
           "       [-ts <width> <height>] [-ot <type>] [-optim "
           "{AUTO|VECTOR|RASTER}]\n"
           "       [-chunkysize <n>] [-q]\n"
           "       <src_datasource> <dst_filename>\n"
           "\n"
           "Same options and pixels as gdal_rasterize (-add = -merge sum, "
           "the default is -merge last = REPLACE), plus:\n"
           "  -merge MODE   how a pixel combines its contributors: last, "
           "first, min, max, sum, count, mean\n"
           "  -device DEV   auto (GPU when present and worth it), cpu, cuda\n"
           "  -threads N    CPU worker threads (default: all cores); output "
           "is identical for any N\n";
}

namespace
{

/* A numeric argument, as gdal_rasterize accepts after -burn/-init/-b. */
bool IsNumeric(const std::string &os)
{
    if (os.empty())
        return false;
    char *pszEnd = nullptr;
    CPLStrtod(os.c_str(), &pszEnd);
    return pszEnd != nullptr && *pszEnd == '\0' && pszEnd != os.c_str();
}

bool ParseDouble(const std::string &osOpt, const std::string &os, double &dfOut)
{
    if (!IsNumeric(os))
    {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "%s expects a number, got '%s'.", osOpt.c_str(), os.c_str());
        return false;
    }
    dfOut = CPLAtof(os.c_str());
    return true;
}

}  // namespace

bool ParseCliArguments(const std::vector<std::string> &aosArgs,
                       CliArguments &oOut)
{
    MergeRasterizeOptions &s = oOut.sOptions;
    std::vector<std::string> aosPositional;
    const std::size_t n = aosArgs.size();
    bool bMergeGiven = false, bAdd = false;

    auto NeedArgs = [&](std::size_t i, std::size_t nCount) -> bool
    {
        if (i + nCount >= n)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "%s expects %d argument(s).", aosArgs[i].c_str(),
                     static_cast<int>(nCount));
            return false;
        }
        return true;
    };
    /* -burn, -init, -b: one quoted list, or numbers up to the next
     * non-number (as gdal_rasterize). */
    auto NumberList = [&](std::size_t &i, auto &&fnPush) -> bool
    {
        if (!NeedArgs(i, 1))
            return false;
        const std::string &osNext = aosArgs[i + 1];
        if (osNext.find(' ') != std::string::npos)
        {
            const CPLStringList aosTok(CSLTokenizeString(osNext.c_str()));
            for (int k = 0; k < aosTok.size(); k++)
                fnPush(aosTok[k]);
            i++;
            return true;
        }
        if (!IsNumeric(osNext))
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "%s expects a number, got '%s'.", aosArgs[i].c_str(),
                     osNext.c_str());
            return false;
        }
        while (i + 1 < n && IsNumeric(aosArgs[i + 1]))
            fnPush(aosArgs[++i].c_str());
        return true;
    };

    for (std::size_t i = 0; i < n; i++)
    {
        const std::string &a = aosArgs[i];
        const char *o = a.c_str();
        if (EQUAL(o, "--help") || EQUAL(o, "-h") || EQUAL(o, "-help"))
            oOut.bHelp = true;
        else if (EQUAL(o, "-merge"))
        {
            if (!NeedArgs(i, 1))
                return false;
            if (!mrast::parse_merge_mode(aosArgs[++i].c_str(), s.eMerge))
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "Unknown merge mode '%s' for -merge: expected one of "
                         "last, first, min, max, sum, count, mean.",
                         aosArgs[i].c_str());
                return false;
            }
            bMergeGiven = true;
        }
        else if (EQUAL(o, "-device"))
        {
            if (!NeedArgs(i, 1))
                return false;
            const char *v = aosArgs[++i].c_str();
            if (EQUAL(v, "auto"))
                s.eDevice = Device::Auto;
            else if (EQUAL(v, "cpu"))
                s.eDevice = Device::Cpu;
            else if (EQUAL(v, "cuda"))
                s.eDevice = Device::Cuda;
            else
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "Unknown device '%s' for -device: expected auto, cpu "
                         "or cuda.",
                         v);
                return false;
            }
        }
        else if (EQUAL(o, "-threads"))
        {
            if (!NeedArgs(i, 1))
                return false;
            const std::string &v = aosArgs[++i];
            if (EQUAL(v.c_str(), "ALL_CPUS"))
                s.nThreads = 0;
            else if (!IsNumeric(v) || atoi(v.c_str()) < 1)
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "-threads expects a positive integer or ALL_CPUS, "
                         "got '%s'.",
                         v.c_str());
                return false;
            }
            else
                s.nThreads = atoi(v.c_str());
        }
        else if (EQUAL(o, "-burn"))
        {
            if (!NumberList(i, [&](const char *v)
                            { s.adfBurnValues.push_back(CPLAtof(v)); }))
                return false;
        }
        else if (EQUAL(o, "-init"))
        {
            if (!NumberList(i, [&](const char *v)
                            { s.adfInitValues.push_back(CPLAtof(v)); }))
                return false;
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-b"))
        {
            if (!NumberList(i, [&](const char *v)
                            { s.anBands.push_back(atoi(v)); }))
                return false;
        }
        else if (EQUAL(o, "-a"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osBurnAttribute = aosArgs[++i];
        }
        else if (EQUAL(o, "-3d"))
            s.b3D = true;
        else if (EQUAL(o, "-add"))
            bAdd = true;
        else if (EQUAL(o, "-i"))
            s.bInverse = true;
        else if (EQUAL(o, "-at"))
            s.bAllTouched = true;
        else if (EQUAL(o, "-q") || EQUAL(o, "-quiet"))
            s.bQuiet = true;
        else if (EQUAL(o, "-l"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.aosLayers.push_back(aosArgs[++i]);
        }
        else if (EQUAL(o, "-where"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osWhere = aosArgs[++i];
        }
        else if (EQUAL(o, "-sql"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osSQL = aosArgs[++i];
            if (!s.osSQL.empty() && s.osSQL[0] == '@')
            {
                GByte *pabyRet = nullptr;
                if (!VSIIngestFile(nullptr, s.osSQL.c_str() + 1, &pabyRet,
                                   nullptr, 10 * 1024 * 1024))
                {
                    CPLError(CE_Failure, CPLE_FileIO,
                             "Cannot read SQL from %s.", s.osSQL.c_str() + 1);
                    return false;
                }
                s.osSQL = reinterpret_cast<const char *>(pabyRet);
                VSIFree(pabyRet);
            }
        }
        else if (EQUAL(o, "-dialect"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osDialect = aosArgs[++i];
        }
        else if (EQUAL(o, "-of") || EQUAL(o, "-f"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osFormat = aosArgs[++i];
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-co"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.aosCreationOptions.push_back(aosArgs[++i]);
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-oo"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.aosOpenOptions.push_back(aosArgs[++i]);
        }
        else if (EQUAL(o, "-to"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.aosTransformerOptions.push_back(aosArgs[++i]);
        }
        else if (EQUAL(o, "-a_srs"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osOutputSRS = aosArgs[++i];
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-a_nodata"))
        {
            if (!NeedArgs(i, 1))
                return false;
            s.osNoData = aosArgs[++i];
            s.bHasNoData = true;
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-ot"))
        {
            if (!NeedArgs(i, 1))
                return false;
            const char *v = aosArgs[++i].c_str();
            s.eOutputType = GDALGetDataTypeByName(v);
            if (s.eOutputType == GDT_Unknown)
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "Unknown output pixel type for -ot: %s", v);
                return false;
            }
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-te"))
        {
            if (!NeedArgs(i, 4))
                return false;
            for (int k = 0; k < 4; k++)
                if (!ParseDouble(a, aosArgs[++i], s.adfExtent[k]))
                    return false;
            s.bHasExtent = true;
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-tr"))
        {
            if (!NeedArgs(i, 2) || !ParseDouble(a, aosArgs[i + 1], s.dfXRes) ||
                !ParseDouble(a, aosArgs[i + 2], s.dfYRes))
                return false;
            i += 2;
            if (s.dfXRes <= 0 || s.dfYRes <= 0)
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "Wrong value for -tr parameter.");
                return false;
            }
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-ts"))
        {
            double dfW = 0, dfH = 0;
            if (!NeedArgs(i, 2) || !ParseDouble(a, aosArgs[i + 1], dfW) ||
                !ParseDouble(a, aosArgs[i + 2], dfH))
                return false;
            i += 2;
            s.nXSize = static_cast<int>(dfW);
            s.nYSize = static_cast<int>(dfH);
            if (!(s.nXSize > 0 || s.nYSize > 0))
            {
                CPLError(CE_Failure, CPLE_IllegalArg,
                         "Wrong value for -ts parameter: at least one of the "
                         "arguments must be greater than zero.");
                return false;
            }
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-tap"))
        {
            s.bTargetAlignedPixels = true;
            s.bCreateOutput = true;
        }
        else if (EQUAL(o, "-optim") || EQUAL(o, "-chunkysize"))
        {
            // Accepted for compatibility: they tune GDAL's own rasterizer
            // and have no effect on the pixels.
            if (!NeedArgs(i, 1))
                return false;
            i++;
        }
        else if (o[0] == '-' && o[1] != '\0' && !IsNumeric(a))
        {
            CPLError(CE_Failure, CPLE_IllegalArg, "Unknown option name '%s'.",
                     o);
            return false;
        }
        else
            aosPositional.push_back(a);
    }
    if (oOut.bHelp)
        return true;
    if (bAdd)
    {
        if (bMergeGiven && s.eMerge != mrast::MergeMode::Sum)
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "-add means -merge sum: it conflicts with -merge %s.",
                     mrast::merge_mode_name(s.eMerge));
            return false;
        }
        s.eMerge = mrast::MergeMode::Sum;
    }
    if (aosPositional.size() != 2)
    {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "Expected <src_datasource> <dst_filename>, got %d "
                 "positional argument(s).",
                 static_cast<int>(aosPositional.size()));
        return false;
    }
    oOut.osSource = aosPositional[0];
    oOut.osDest = aosPositional[1];
    if (s.bCreateOutput)
    {
        if (s.dfXRes == 0 && s.dfYRes == 0 && s.nXSize == 0 && s.nYSize == 0)
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "'-tr xres yres' or '-ts xsize ysize' is required.");
            return false;
        }
        if ((s.dfXRes != 0 || s.dfYRes != 0) && (s.nXSize != 0 || s.nYSize != 0))
        {
            CPLError(CE_Failure, CPLE_IllegalArg,
                     "-tr and -ts options cannot be used at the same time.");
            return false;
        }
        if (s.bTargetAlignedPixels && s.dfXRes == 0 && s.dfYRes == 0)
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "-tap option cannot be used without using -tr.");
            return false;
        }
        if (!s.anBands.empty())
        {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "-b option cannot be used when creating a GDAL dataset.");
            return false;
        }
    }
    return true;
}

}  // namespace mrast_gdal
