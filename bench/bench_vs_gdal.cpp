// Ours against GDAL's rasterizer, same geometries, same process.
//
//   bench_vs_gdal [--size N] [--polygons N] [--lines N] [--points N]
//                 [--repeat R] [--threads T] [--workloads a,b,...]
//                 [--ours-only 1]   (skips GDAL: for A/B runs of our side)
//                 [--prefault-gdal 0]  (GDAL's fresh buffer faults in on its clock)
//                 [--alternate 1]  (GDAL and ours take turns)
//
// For each workload it times GDALRasterizeGeometries into a MEM dataset
// (REPLACE = last, ADD = sum) and our Burner into a plain buffer of the same
// type (all GDAL runs, then all of ours; with --alternate 1 they take
// turns: GDAL, ours, GDAL, ours, ...), checks that the pixels agree where GDAL has the mode, and prints the
// median times, the ratio, and our peak bytes per output pixel (the output
// itself plus the scratch our allocation counter saw). Fixed seeds.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gdal.h"
#include "gdal_alg.h"
#include "mrast/burn.hpp"
#include "mrast_geometry_batch.h"
#include "star_polygon.hpp"
#include "ogr_api.h"
#include "ogr_geometry.h"

// ---- allocation counter: bytes live during our burn, and their peak.
namespace
{
std::atomic<bool> g_counting{false};
std::atomic<long long> g_live{0};
std::atomic<long long> g_peak{0};
}  // namespace

void *operator new(std::size_t n)
{
    void *p = std::malloc(n + 16);
    if (!p)
        throw std::bad_alloc();
    *static_cast<std::size_t *>(p) = n;
    if (g_counting.load(std::memory_order_relaxed))
    {
        const long long live = g_live.fetch_add(static_cast<long long>(n)) + static_cast<long long>(n);
        long long peak = g_peak.load();
        while (live > peak && !g_peak.compare_exchange_weak(peak, live))
        {
        }
    }
    return static_cast<char *>(p) + 16;
}
void operator delete(void *p) noexcept
{
    if (!p)
        return;
    char *base = static_cast<char *>(p) - 16;
    if (g_counting.load(std::memory_order_relaxed))
        g_live.fetch_sub(static_cast<long long>(*reinterpret_cast<std::size_t *>(base)));
    std::free(base);
}
void operator delete(void *p, std::size_t) noexcept
{
    operator delete(p);
}
void *operator new[](std::size_t n)
{
    return operator new(n);
}
void operator delete[](void *p) noexcept
{
    operator delete(p);
}
void operator delete[](void *p, std::size_t) noexcept
{
    operator delete(p);
}

namespace
{

using Clock = std::chrono::steady_clock;

struct Scene
{
    std::string name;
    std::vector<OGRGeometryH> geoms;
};

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

OGRGeometryH star_polygon(std::mt19937_64 &rng, int size)
{
    OGRLinearRing ring;
    mrast_bench::star_polygon(rng, size, [&](double x, double y) { ring.addPoint(x, y); });
    ring.closeRings();
    auto *poly = new OGRPolygon();
    poly->addRing(&ring);
    return OGRGeometry::ToHandle(poly);
}

OGRGeometryH polyline(std::mt19937_64 &rng, int size)
{
    std::uniform_real_distribution<double> c(0, size), step(-40, 40);
    std::uniform_int_distribution<int> nv(2, 12);
    auto *line = new OGRLineString();
    double x = c(rng), y = c(rng);
    const int n = nv(rng);
    for (int i = 0; i < n; i++)
    {
        line->addPoint(x, y);
        x += step(rng);
        y += step(rng);
    }
    return OGRGeometry::ToHandle(line);
}

OGRGeometryH point(std::mt19937_64 &rng, int size)
{
    std::uniform_real_distribution<double> c(0, size);
    return OGRGeometry::ToHandle(new OGRPoint(c(rng), c(rng)));
}

struct Workload
{
    std::string name;
    const Scene *scene;
    mrast::MergeMode mode;
    bool all_touched;
};

// GDAL's MEM dataset is fresh (calloc'ed, not yet faulted in) when it is
// created, ours is a buffer filled before the clock: by default GDAL's is
// faulted in before its clock too, so both sides start alike (before
// 2026-11-25 22:50 GDAL's page faults were timed: up to 20% of its time).
bool g_prefault_gdal = true;

/* Diagnostics of the state our runs start in: --idle-ms N sleeps N ms
 * before each of our runs (the machine idle, as after a pause), --spin-ms N
 * keeps one thread busy for N ms first (as GDAL's single-threaded run does
 * under --alternate 1). */
int g_idle_ms = 0;
int g_spin_ms = 0;

void settle_before_ours()
{
    if (g_idle_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(g_idle_ms));
    if (g_spin_ms > 0)
    {
        const auto until = Clock::now() + std::chrono::milliseconds(g_spin_ms);
        volatile unsigned long spins = 0;
        while (Clock::now() < until)
            spins = spins + 1;
    }
}

/* One GDALRasterizeGeometries run; its output goes to `out` when asked. */
double time_gdal(const Workload &w, int size, std::vector<double> *out)
{
    const char *merge = w.mode == mrast::MergeMode::Sum ? "ADD" : "REPLACE";
    std::vector<double> burn(w.scene->geoms.size(), 1.0);
    double seconds = 0.0;
    {
        GDALDatasetH ds = GDALCreate(GDALGetDriverByName("MEM"), "", size, size, 1, GDT_Float64, nullptr);
        double gt[6] = {0, 1, 0, 0, 0, 1};
        GDALSetGeoTransform(ds, gt);
        char **opts = nullptr;
        opts = CSLSetNameValue(opts, "MERGE_ALG", merge);
        if (w.all_touched)
            opts = CSLSetNameValue(opts, "ALL_TOUCHED", "TRUE");
        int band = 1;
        if (g_prefault_gdal)
        {
            // Fault GDAL's fresh MEM buffer in before the clock, as ours is.
            static std::vector<double> zeros;  // one for the whole run
            zeros.assign(static_cast<std::size_t>(size) * size, 0.0);
            if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, size, size, zeros.data(), size, size,
                             GDT_Float64, 0, 0) != CE_None)
                std::exit(1);
        }
        const auto t0 = Clock::now();
        GDALRasterizeGeometries(ds, 1, &band, static_cast<int>(w.scene->geoms.size()), w.scene->geoms.data(),
                                nullptr, nullptr, burn.data(), opts, nullptr, nullptr);
        seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        CSLDestroy(opts);
        if (out != nullptr)
        {
            out->assign(static_cast<std::size_t>(size) * size, 0.0);
            if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, size, size, out->data(), size, size,
                             GDT_Float64, 0, 0) != CE_None)
            {
                std::fprintf(stderr, "reading GDAL's output failed\n");
                std::exit(1);
            }
        }
        GDALClose(ds);
    }
    return seconds;
}

struct OursResult
{
    double seconds_total;   // batch building + pixel transform + burn
    double seconds_kernel;  // burn only
    long long scratch_peak;
};

/* One run of ours (end to end, kernel, peak scratch bytes). */
OursResult time_ours(const Workload &w, int size, int threads, std::vector<double> &buf)
{
    OursResult result{};
    // One burn value per feature, as GDALRasterizeGeometries takes them.
    const std::vector<double> burn(w.scene->geoms.size(), 1.0);
    {
        std::fill(buf.begin(), buf.end(), 0.0);
        const auto t0 = Clock::now();
        // Built in bulk on the bench's threads, as the C API does.
        mrast_gdal::GeometryBatchBuilder builder(1, false);
        builder.AddFeatures(w.scene->geoms.data(), w.scene->geoms.size(), burn.data(), threads);
        // Geotransform (0,1,0,0,0,1): georeferenced = pixel coordinates.
        const auto t1 = Clock::now();
        mrast::BandBuffer band;
        band.data = buf.data();
        band.type = mrast::PixelType::Float64;
        band.width = size;
        band.height = size;
        band.pixel_spacing = 8;
        band.line_spacing = 8LL * size;
        mrast::BurnOptions opt;
        opt.mode = w.mode;
        opt.all_touched = w.all_touched;
        opt.threads = threads;
        opt.max_features = w.scene->geoms.size();
        g_live = 0;
        g_peak = 0;
        g_counting = true;
        mrast::Burner burner;
        if (burner.begin(&band, 1, opt) != mrast::Status::Ok || burner.burn(builder.View()) != mrast::Status::Ok ||
            burner.finish() != mrast::Status::Ok)
        {
            std::fprintf(stderr, "burn failed\n");
            std::exit(1);
        }
        g_counting = false;
        const auto t2 = Clock::now();
        result.scratch_peak = g_peak.load();
        result.seconds_total = std::chrono::duration<double>(t2 - t0).count();
        result.seconds_kernel = std::chrono::duration<double>(t2 - t1).count();
    }
    return result;
}

}  // namespace

int main(int argc, char **argv)
{
    int size = 4096, npoly = 100000, nline = 100000, npoint = 1000000, repeat = 3, threads = 0;
    std::string only;
    bool ours_only = false, alternate = false;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        const std::string a = argv[i];
        const int v = std::atoi(argv[i + 1]);
        if (a == "--size") size = v;
        else if (a == "--polygons") npoly = v;
        else if (a == "--lines") nline = v;
        else if (a == "--points") npoint = v;
        else if (a == "--repeat") repeat = v;
        else if (a == "--threads") threads = v;
        else if (a == "--workloads") only = argv[i + 1];
        else if (a == "--ours-only") ours_only = v != 0;
        else if (a == "--alternate") alternate = v != 0;
        else if (a == "--prefault-gdal") g_prefault_gdal = v != 0;
        else if (a == "--idle-ms") g_idle_ms = v;
        else if (a == "--spin-ms") g_spin_ms = v;
    }
    GDALAllRegister();
    std::mt19937_64 rng(20261125);
    Scene polys{"star polygons", {}}, lines{"polylines", {}}, points{"points", {}};
    for (int i = 0; i < npoly; i++) polys.geoms.push_back(star_polygon(rng, size));
    for (int i = 0; i < nline; i++) lines.geoms.push_back(polyline(rng, size));
    for (int i = 0; i < npoint; i++) points.geoms.push_back(point(rng, size));

    const std::vector<Workload> workloads = {
        {"polygons-last", &polys, mrast::MergeMode::Last, false},
        {"polygons-sum", &polys, mrast::MergeMode::Sum, false},
        {"polygons-at-sum", &polys, mrast::MergeMode::Sum, true},
        {"lines-sum", &lines, mrast::MergeMode::Sum, false},
        {"points-sum", &points, mrast::MergeMode::Sum, false},
    };
    const unsigned hw = std::thread::hardware_concurrency();
    std::printf("# %dx%d Float64, GDAL %s, %u hardware threads, ours with %s threads, median of %d\n", size, size,
                GDALVersionInfo("RELEASE_NAME"), hw, threads ? std::to_string(threads).c_str() : "all", repeat);
    std::printf("| workload | features | GDAL s | ours s (end to end) | ours s (kernel) | speed-up | ours B/px | diff px |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::vector<double> ref, buf(static_cast<std::size_t>(size) * size);
    for (const auto &w : workloads)
    {
        if (!only.empty() && only.find(w.name) == std::string::npos)
            continue;
        // By default GDAL's runs come first, then ours (each side then runs
        // after itself, warm); --alternate 1 makes them take turns, so that
        // both see the shared machine in the same state and each of our
        // runs follows one of GDAL's.
        std::vector<double> gdal_s, total_s, kernel_s;
        long long peak = 0;
        auto ours_once = [&]
        {
            settle_before_ours();
            const OursResult run = time_ours(w, size, threads, buf);
            total_s.push_back(run.seconds_total);
            kernel_s.push_back(run.seconds_kernel);
            peak = std::max(peak, run.scratch_peak);
        };
        for (int r = 0; r < repeat; r++)
        {
            if (!ours_only)
                gdal_s.push_back(time_gdal(w, size, r == repeat - 1 ? &ref : nullptr));
            if (alternate)
                ours_once();
        }
        for (int r = 0; r < repeat && !alternate; r++)
            ours_once();
        const double tg = ours_only ? 0.0 : median(gdal_s);
        const OursResult o{median(total_s), median(kernel_s), peak};
        long long diff = -1;  // not compared
        if (!ours_only)
        {
            diff = 0;
            for (std::size_t i = 0; i < buf.size(); i++)
                diff += buf[i] != ref[i];
        }
        const double bpp = 8.0 + static_cast<double>(o.scratch_peak) / (static_cast<double>(size) * size);
        std::printf("| %s | %zu | %.3f | %.3f | %.3f | %.1fx | %.3f | %lld |\n", w.name.c_str(), w.scene->geoms.size(), tg,
                    o.seconds_total, o.seconds_kernel, tg / o.seconds_total, bpp, diff);
        std::fflush(stdout);
    }
    for (auto *s : {&polys, &lines, &points})
        for (auto g : s->geoms)
            OGR_G_DestroyGeometry(g);
    return 0;
}
