/* Running one work loop on several threads, the caller's included: the
 * start-and-join that the builder's tasks (mrast_geometry_batch.cpp) and the
 * band windows (mrast_band_windows.cpp) share. Not installed. */
#pragma once

#include <exception>
#include <thread>
#include <vector>

#include "cpl_conv.h"
#include "cpl_string.h"

namespace mrast_gdal
{

/* Runs fnLoop() on nWorkers threads, the caller's one of them, and returns
 * once all have returned. fnLoop takes its work from a shared counter, so a
 * thread that cannot be started only costs time: those running share its
 * work. The started threads see the caller's thread-local config options
 * (OGR_ARC_STEPSIZE and the like, which curve linearisation reads; Python's
 * gdal.config_option() sets them thread-locally), so the result does not
 * depend on the thread count. fnLoop must not throw. */
template <class Loop> void RunOnWorkers(int nWorkers, const Loop &fnLoop)
{
    const CPLStringList aosConfig(CPLGetThreadLocalConfigOptions(),
                                  /*bTakeOwnership=*/TRUE);
    const auto fnStarted = [&]()
    {
        CPLSetThreadLocalConfigOptions(aosConfig.List());
        fnLoop();
    };
    std::vector<std::thread> aoThreads;
    try
    {
        for (int i = 1; i < nWorkers; i++)
            aoThreads.emplace_back(fnStarted);
    }
    catch (const std::exception &)
    {
        // Could not start more threads: those running share the work.
    }
    fnLoop();
    for (auto &oThread : aoThreads)
        oThread.join();
}

}  // namespace mrast_gdal
