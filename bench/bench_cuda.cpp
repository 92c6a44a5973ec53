// GPU against our CPU kernels and the PCIe floor, GDAL-free (it runs on the
// GPU machine). Star polygons from bench_vs_gdal's generator (radius 5-60,
// 8-24 vertices, fixed seed), not rescaled for larger rasters: 16384^2 with
// 1.6M polygons has the density of 4096^2 with 100k.
//
//   bench_cuda [--threads 16] [--repeat 3] [--mode last|sum|...]
//              [--size 16384] [--polygons 1600000] [--keep-device-memory 1]
//              [--copy-threads 0] [--chunk-mib 0] [--chunks 0]
//
// Per case: CPU Burner (threads) into a pageable Float32 buffer; cuda_burn
// end to end from / into the same kind of pageable buffer, once per
// CudaHostTransfer (staged through the pinned ring, the same with the
// uniform-band hint, registered in place tile by tile, plain pageable
// copies), and from / into a caller buffer allocated page-locked
// (cuda_alloc_host); the kernels alone (CUDA events, after a warm-up,
// staged run) and the copy time the kernels did not hide; the floor = raster
// bytes both ways over PCIe (55 GB/s pinned, 8 GB/s pageable, ENVIRONMENT.md).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "mrast/burn.hpp"
#include "mrast/cuda_burn.hpp"
#include "mrast/geometry_arrays.hpp"
#include "star_polygon.hpp"

namespace {

using Scene = mrast::GeometryArrays;

Scene stars(int n, int size) {
    std::mt19937_64 rng(20261125);
    Scene s;
    for (int i = 0; i < n; ++i) {
        s.begin_part(mrast::PartKind::Polygon);
        bool first = true;
        double first_x = 0, first_y = 0;
        mrast_bench::star_polygon(rng, size, [&](double x, double y) {
            if (first) {
                first = false;
                first_x = x;
                first_y = y;
            }
            s.add_vertex(x, y);
        });
        s.add_vertex(first_x, first_y);
        s.end_ring();
        const double burn = static_cast<double>(1 + i % 250);
        s.end_feature(&burn);
    }
    return s;
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char **argv) {
    int threads = 16, repeat = 3, only_size = 0, only_polygons = 0;
    int copy_threads = 0, chunk_mib = 0, chunks = 0;  // staging knobs (CudaOptions), 0: defaults
    bool keep = false;
    std::string mode_name = "last";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--threads") threads = std::atoi(argv[i + 1]);
        else if (a == "--repeat") repeat = std::atoi(argv[i + 1]);
        else if (a == "--mode") mode_name = argv[i + 1];
        else if (a == "--size") only_size = std::atoi(argv[i + 1]);
        else if (a == "--polygons") only_polygons = std::atoi(argv[i + 1]);
        else if (a == "--keep-device-memory") keep = std::atoi(argv[i + 1]) != 0;
        else if (a == "--copy-threads") copy_threads = std::atoi(argv[i + 1]);
        else if (a == "--chunk-mib") chunk_mib = std::atoi(argv[i + 1]);
        else if (a == "--chunks") chunks = std::atoi(argv[i + 1]);
    }
    mrast::MergeMode mode{};
    if (!mrast::parse_merge_mode(mode_name.c_str(), mode)) return 2;
    if (!mrast::cuda_device_available()) {
        std::printf("no CUDA device: nothing to measure\n");
        return 0;
    }
    std::printf("# Float32, mode %s, CPU threads %d, best of %d after a warm-up, keep device memory %d, "
                "copy threads %d, chunk MiB %d, chunks %d (0: defaults)\n",
                mode_name.c_str(), threads, repeat, keep ? 1 : 0, copy_threads, chunk_mib, chunks);
    std::printf("| raster | polygons | CPU s | GPU e2e staged s | staged, uniform hint s | registered per tile s | "
                "pageable s | pinned caller buffer s | GPU kernels s | unhidden copies s | floor pinned s | "
                "floor pageable s | spans | tiles |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    struct Way {
        mrast::CudaHostTransfer transfer;
        bool uniform;
        bool pinned_buffer;
    };
    const Way ways[] = {{mrast::CudaHostTransfer::Staged, false, false},
                        {mrast::CudaHostTransfer::Staged, true, false},
                        {mrast::CudaHostTransfer::Register, false, false},
                        {mrast::CudaHostTransfer::Pageable, false, false},
                        {mrast::CudaHostTransfer::Staged, false, true}};
    constexpr int kWays = sizeof(ways) / sizeof(ways[0]);
    const int sizes[][2] = {{4096, 100000}, {4096, 1600000}, {16384, 100000}, {16384, 1600000}};
    for (const auto &c : sizes) {
        const int size = c[0], n = c[1];
        if ((only_size != 0 && size != only_size) || (only_polygons != 0 && n != only_polygons)) continue;
        const Scene scene = stars(n, size);
        const std::size_t px = static_cast<std::size_t>(size) * size;
        std::vector<float> cpu(px, 0.0f), gpu(px, 0.0f);
        // The caller's buffer allocated page-locked (not timed: the caller's allocation).
        auto *pinned = static_cast<float *>(mrast::cuda_alloc_host(px * 4));
        mrast::BandBuffer cb{cpu.data(), mrast::PixelType::Float32, size, size, 4, 4LL * size};
        mrast::BurnOptions o;
        o.mode = mode;
        o.threads = threads;
        double t_cpu = 1e30, t_way[kWays], t_ker = 1e30, t_copy = 1e30;
        std::fill(t_way, t_way + kWays, 1e30);
        bool same[kWays];
        std::fill(same, same + kWays, true);
        mrast::CudaRunInfo info, first_info;
        for (int r = 0; r <= repeat; ++r) {
            std::fill(cpu.begin(), cpu.end(), 0.0f);
            double t0 = now();
            mrast::Burner b;
            b.begin(&cb, 1, o);
            b.burn(scene.view());
            b.finish();
            const double tc = now() - t0;
            if (r > 0) t_cpu = std::min(t_cpu, tc);
            for (int w = 0; w < kWays; ++w) {
                float *buf = ways[w].pinned_buffer ? pinned : gpu.data();
                if (buf == nullptr) continue;
                mrast::BandBuffer gb{buf, mrast::PixelType::Float32, size, size, 4, 4LL * size};
                mrast::CudaOptions co;
                co.host_transfer = ways[w].transfer;
                co.uniform_bands = ways[w].uniform;
                co.keep_device_memory = keep;
                co.copy_threads = copy_threads;
                co.staging_chunk_bytes = static_cast<std::size_t>(chunk_mib) << 20;
                co.staging_chunks = chunks;
                std::fill(buf, buf + px, 0.0f);
                t0 = now();
                const mrast::Status st = mrast::cuda_burn(&gb, 1, o, scene.view(), &info, co);
                const double t = now() - t0;
                if (st != mrast::Status::Ok) {
                    std::printf("cuda_burn (%s): %s\n", mrast::cuda_host_transfer_name(ways[w].transfer),
                                mrast::status_name(st));
                    return 1;
                }
                same[w] = same[w] && std::memcmp(cpu.data(), buf, px * 4) == 0;
                if (w == 0) first_info = info;
                if (r == 0) continue;  // warm-up
                t_way[w] = std::min(t_way[w], t);
                if (w == 0) {
                    t_ker = std::min(t_ker, info.kernel_ms / 1000.0);
                    t_copy = std::min(t_copy, info.transfer_ms / 1000.0);
                }
            }
        }
        mrast::cuda_free_host(pinned);
        info = first_info;
        const double bytes = 2.0 * px * 4;
        std::printf("| %dx%d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.4f | %.4f | %.4f | %.3f | %llu "
                    "| %d |\n",
                    size, size, n, t_cpu, t_way[0], t_way[1], t_way[2], t_way[3], t_way[4], t_ker, t_copy,
                    bytes / 55e9, bytes / 8e9, static_cast<unsigned long long>(info.spans), info.tiles);
        for (int w = 0; w < kWays; ++w) {
            if (!same[w])
                std::printf("MISMATCH vs CPU: %s%s%s\n", mrast::cuda_host_transfer_name(ways[w].transfer),
                            ways[w].uniform ? ", uniform hint" : "", ways[w].pinned_buffer ? ", pinned buffer" : "");
        }
        std::fflush(stdout);
    }
    return 0;
}
