// GeometryBatchBuilder alone (OGR geometries -> the kernels' flat arrays) on
// the benchmark's scenes: 100k star polygons and 1M points, the ones
// bench_vs_gdal burns. The builder is part of bench_vs_gdal's "end to end";
// this times it apart, per thread count, on the heap's two states:
//  - fresh pages: every large array newly mapped (a process's first call),
//    whose page faults cost as much as the building;
//  - reused pages: glibc handing back memory freed by the previous run.
//
//   bench_builder [--repeat 9]
//
// Prints "median (min)" in ms per cell: the minimum is the one to trust on
// a machine shared with other work.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "mrast_geometry_batch.h"
#include "ogr_geometry.h"
#include "star_polygon.hpp"

namespace {

std::unique_ptr<OGRGeometry> star_polygon(std::mt19937_64 &rng, int size) {
    OGRLinearRing ring;
    mrast_bench::star_polygon(rng, size, [&](double x, double y) { ring.addPoint(x, y); });
    ring.closeRings();
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRing(&ring);
    return poly;
}

template <class Fn>
std::string time_ms(int repeat, Fn &&fn) {
    std::vector<double> ms;
    for (int r = 0; r < repeat; r++) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f (%.1f)", ms[ms.size() / 2], ms[0]);
    return buf;
}

/// Large blocks on fresh pages (mmap'd and unmapped each time) or kept by
/// glibc for the next run.
bool use_fresh_pages(bool fresh) {
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, fresh ? 128 * 1024 : 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, fresh ? 128 * 1024 : 1024 * 1024 * 1024);
    return true;
#else
    return !fresh;  // the allocator's own behaviour only
#endif
}

}  // namespace

int main(int argc, char **argv) {
    int repeat = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
    }
    std::mt19937_64 rng(20261125);
    std::vector<std::unique_ptr<OGRGeometry>> polygons, points;
    for (int i = 0; i < 100000; i++) polygons.push_back(star_polygon(rng, 4096));
    std::uniform_real_distribution<double> c(0, 4096);
    for (int i = 0; i < 1000000; i++) points.push_back(std::make_unique<OGRPoint>(c(rng), c(rng)));

    const int thread_counts[] = {1, 2, 4, 0};
    std::printf("# GeometryBatchBuilder, ms, median (min) of %d; %u hardware threads; threads 0 = all\n", repeat,
                std::thread::hardware_concurrency());
    std::printf("| input | pages | AddFeature loop | AddFeatures 1 thread | 2 threads | 4 threads | 0 threads |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (const bool fresh : {true, false}) {
        if (!use_fresh_pages(fresh)) continue;
        for (const auto *scene : {&polygons, &points}) {
            std::vector<const OGRGeometry *> geoms;
            for (const auto &g : *scene) geoms.push_back(g.get());
            const std::vector<double> burn(geoms.size(), 1.0);
            std::printf("| %s | %s | %s", scene == &polygons ? "100k star polygons" : "1M points",
                        fresh ? "fresh" : "reused", time_ms(repeat, [&] {
                            mrast_gdal::GeometryBatchBuilder b(1, false);
                            for (const auto *g : geoms) b.AddFeature(g, burn.data());
                        }).c_str());
            for (int threads : thread_counts) {
                std::printf(" | %s", time_ms(repeat, [&] {
                                         mrast_gdal::GeometryBatchBuilder b(1, false);
                                         b.AddFeatures(geoms.data(), geoms.size(), burn.data(), threads);
                                     }).c_str());
            }
            std::printf(" |\n");
        }
    }
    return 0;
}
