// GPU against our CPU kernels and the PCIe floor, GDAL-free (it runs on the
// GPU machine). Star polygons from bench_vs_gdal's generator (radius 5-60,
// 8-24 vertices, fixed seed), not rescaled for larger rasters: 16384^2 with
// 1.6M polygons has the density of 4096^2 with 100k.
//
//   bench_cuda [--threads 16] [--repeat 3] [--mode last|sum|...]
//
// Per case: CPU Burner (threads) into a pageable Float32 buffer; cuda_burn
// end to end from / into the same kind of pageable buffer (registered in
// place, and plain pageable copies); the kernels alone (CUDA events, after
// a warm-up); the floor = raster bytes both ways over PCIe (55 GB/s pinned,
// 8 GB/s pageable, ENVIRONMENT.md).

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

namespace {

using Scene = mrast::GeometryArrays;

Scene stars(int n, int size) {
    std::mt19937_64 rng(20261125);
    std::uniform_real_distribution<double> cx(0, size), r(5, 60), u(0, 1);
    std::uniform_int_distribution<int> nv(8, 24);
    Scene s;
    for (int i = 0; i < n; ++i) {
        const double x0 = cx(rng), y0 = cx(rng), rmax = r(rng);
        const int m = nv(rng);
        s.begin_part(mrast::PartKind::Polygon);
        double first_x = 0, first_y = 0;
        for (int k = 0; k < m; ++k) {
            const double a = 2 * M_PI * k / m;
            const double rad = rmax * (0.35 + 0.65 * u(rng));
            const double vx = x0 + rad * std::cos(a), vy = y0 + rad * std::sin(a);
            if (k == 0) {
                first_x = vx;
                first_y = vy;
            }
            s.add_vertex(vx, vy);
        }
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
    int threads = 16, repeat = 3;
    std::string mode_name = "last";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--threads") threads = std::atoi(argv[i + 1]);
        else if (a == "--repeat") repeat = std::atoi(argv[i + 1]);
        else if (a == "--mode") mode_name = argv[i + 1];
    }
    mrast::MergeMode mode{};
    if (!mrast::parse_merge_mode(mode_name.c_str(), mode)) return 2;
    if (!mrast::cuda_device_available()) {
        std::printf("no CUDA device: nothing to measure\n");
        return 0;
    }
    std::printf("# Float32, mode %s, CPU threads %d, best of %d after a warm-up\n", mode_name.c_str(), threads,
                repeat);
    std::printf("| raster | polygons | CPU s | GPU e2e registered s | GPU e2e pageable s | GPU kernels s | "
                "GPU copies s | floor pinned s | floor pageable s | spans | tiles |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    const int sizes[][2] = {{4096, 100000}, {4096, 1600000}, {16384, 100000}, {16384, 1600000}};
    for (const auto &c : sizes) {
        const int size = c[0], n = c[1];
        const Scene scene = stars(n, size);
        const std::size_t px = static_cast<std::size_t>(size) * size;
        std::vector<float> cpu(px, 0.0f), gpu(px, 0.0f);
        mrast::BandBuffer cb{cpu.data(), mrast::PixelType::Float32, size, size, 4, 4LL * size};
        mrast::BandBuffer gb{gpu.data(), mrast::PixelType::Float32, size, size, 4, 4LL * size};
        mrast::BurnOptions o;
        o.mode = mode;
        o.threads = threads;
        double t_cpu = 1e30, t_reg = 1e30, t_page = 1e30, t_ker = 1e30, t_copy = 1e30;
        mrast::CudaRunInfo info;
        for (int r = 0; r <= repeat; ++r) {
            std::fill(cpu.begin(), cpu.end(), 0.0f);
            double t0 = now();
            mrast::Burner b;
            b.begin(&cb, 1, o);
            b.burn(scene.view());
            b.finish();
            const double tc = now() - t0;
            std::fill(gpu.begin(), gpu.end(), 0.0f);
            t0 = now();
            const mrast::Status st = mrast::cuda_burn(&gb, 1, o, scene.view(), &info);
            const double tr = now() - t0;
            if (st != mrast::Status::Ok) {
                std::printf("cuda_burn: %s\n", mrast::status_name(st));
                return 1;
            }
            mrast::CudaOptions page;
            page.register_host = false;
            std::fill(gpu.begin(), gpu.end(), 0.0f);
            mrast::CudaRunInfo pinfo;
            t0 = now();
            mrast::cuda_burn(&gb, 1, o, scene.view(), &pinfo, page);
            const double tp = now() - t0;
            if (r == 0) continue;  // warm-up
            t_cpu = std::min(t_cpu, tc);
            t_reg = std::min(t_reg, tr);
            t_page = std::min(t_page, tp);
            t_ker = std::min(t_ker, pinfo.kernel_ms / 1000.0);
            t_copy = std::min(t_copy, pinfo.transfer_ms / 1000.0);
        }
        const bool same = std::memcmp(cpu.data(), gpu.data(), px * 4) == 0;
        const double bytes = 2.0 * px * 4;
        std::printf("| %dx%d | %d | %.3f | %.3f | %.3f | %.4f | %.3f | %.4f | %.3f | %llu | %d |%s\n", size, size, n,
                    t_cpu, t_reg, t_page, t_ker, t_copy, bytes / 55e9, bytes / 8e9,
                    static_cast<unsigned long long>(info.spans), info.tiles,
                    same ? "" : " MISMATCH vs CPU");
        std::fflush(stdout);
    }
    return 0;
}
