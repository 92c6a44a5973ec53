#pragma once
// The benchmarks' star polygon, written once: bench_vs_gdal (as OGR
// geometries), bench_cuda (as flat arrays) and the builder's timing test
// draw the same shapes from the same seed. GDAL-free; header only.

#include <cmath>
#include <random>

namespace mrast_bench {

/// One random star polygon on a size x size raster: centre anywhere, 8-24
/// vertices at evenly spaced angles, each at 35-100% of a radius of 5-60
/// pixels. Calls vertex(x, y) for each vertex in order; the ring is not
/// closed (the caller repeats the first vertex as its format wants).
template <class Vertex>
void star_polygon(std::mt19937_64 &rng, int size, Vertex &&vertex) {
    std::uniform_real_distribution<double> centre(0, size), radius(5, 60), u(0, 1);
    std::uniform_int_distribution<int> vertices(8, 24);
    const double x0 = centre(rng), y0 = centre(rng), rmax = radius(rng);
    const int n = vertices(rng);
    for (int i = 0; i < n; i++) {
        const double a = 2 * M_PI * i / n;
        const double rad = rmax * (0.35 + 0.65 * u(rng));
        vertex(x0 + rad * std::cos(a), y0 + rad * std::sin(a));
    }
}

}  // namespace mrast_bench
