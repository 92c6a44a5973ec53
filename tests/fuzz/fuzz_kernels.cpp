// libFuzzer harness for the kernels (run under ASan + UBSan):
//  - random geometry arrays (NaN, Inf, 1e300, pixel-centre and grid-line
//    coordinates, empty and degenerate rings), every part kind, all-touched
//    or not, with or without Z;
//  - feature_coverage must return sorted, disjoint, in-raster spans and, when
//    the coordinates are moderate, exactly the reference rasterizer's pixels
//    (differential fuzzing on small grids);
//  - the Burner, for a random mode, band type, nodata / update setting and
//    thread count, must never write outside its band (guard pixels around a
//    padded, strided buffer), and for Float64 `count` / `last` must give
//    the values the reference coverage implies.
// A crash or a failed check aborts, which libFuzzer reports with the input.

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "coverage_scene.hpp"
#include "mrast/burn.hpp"
#include "mrast/coverage.hpp"
#include "reference_rasterizer.hpp"

using namespace mrast;
using namespace mrast::test;

namespace {

void check(bool ok, const char *what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz check failed: %s\n", what);
        std::abort();
    }
}

double coordinate(FuzzedDataProvider &in, std::int32_t extent, bool &moderate) {
    switch (in.ConsumeIntegralInRange<int>(0, 15)) {
        case 0: moderate = false; return std::nan("");
        case 1: moderate = false; return in.ConsumeBool() ? INFINITY : -INFINITY;
        case 2: moderate = false; return in.ConsumeBool() ? 1e300 : -1e300;
        case 3: return in.ConsumeIntegralInRange<int>(-3, extent + 3) + 0.5;  // pixel centre
        case 4: return in.ConsumeIntegralInRange<int>(-3, extent + 3);        // grid line
        case 5: return in.ConsumeIntegralInRange<int>(-3, extent + 3) + 1e-5;  // near a line
        default: return in.ConsumeFloatingPointInRange<double>(-4.0, extent + 4.0);
    }
}

std::vector<Feature> random_features(FuzzedDataProvider &in, std::int32_t w, std::int32_t h,
                                     bool &moderate) {
    std::vector<Feature> features(in.ConsumeIntegralInRange<std::size_t>(0, 6));
    for (Feature &f : features) {
        f.resize(in.ConsumeIntegralInRange<std::size_t>(0, 3));
        for (Part &p : f) {
            p.kind = static_cast<PartKind>(in.ConsumeIntegralInRange<int>(0, 2));
            p.rings.resize(in.ConsumeIntegralInRange<std::size_t>(0, p.kind == PartKind::Polygon ? 3 : 1));
            for (Ring &r : p.rings) {
                r.resize(in.ConsumeIntegralInRange<std::size_t>(0, 9));
                for (Pt &v : r) {
                    v.x = coordinate(in, w, moderate);
                    v.y = coordinate(in, h, moderate);
                    v.z = in.ConsumeFloatingPointInRange<double>(-5.0, 5.0);
                }
                if (p.kind == PartKind::Polygon && !r.empty() && in.ConsumeBool()) r.push_back(r.front());
            }
        }
    }
    return features;
}

/// Coverage contract + differential check against the reference.
void check_coverage(const std::vector<Feature> &features, const FlatScene &scene, std::int32_t w,
                    std::int32_t h, bool all_touched, bool with_z, bool moderate,
                    std::vector<PixelGrid> &masks) {
    const GeometryBatch batch = scene.batch(with_z);
    CoverageWorkspace ws;
    std::vector<Span> spans;
    for (std::size_t f = 0; f < features.size(); ++f) {
        PixelGrid ours(w, h);
        feature_coverage(batch, f, RasterSize{w, h}, 0, h, all_touched, ws, spans);
        check(paint_spans(spans, 0, h, ours).empty(), "span contract (sorted, disjoint, inside)");
        if (moderate) {
            PixelGrid ref(w, h);
            reference::rasterize(features[f], all_touched, with_z, ref);
            check(ours.hit == ref.hit, "coverage equals the reference rasterizer");
            if (with_z) check(ours.z == ref.z, "Z equals the reference rasterizer");
            masks.push_back(std::move(ours));
        }
    }
}

template <class T>
void burn_with_guards(const FlatScene &scene, std::size_t n, std::int32_t w, std::int32_t h,
                      PixelType type, const BurnOptions &opt) {
    // The band sits inside a larger buffer: a guard row above and below,
    // guard columns on the right, and a second interleaved band.
    constexpr T kGuard = static_cast<T>(77);
    const std::int32_t stride_px = w + 2;
    std::vector<T> buf(static_cast<std::size_t>(stride_px) * 2 * (h + 2), kGuard);
    BandBuffer b;
    b.data = buf.data() + static_cast<std::size_t>(stride_px) * 2;  // skip the guard row
    b.type = type;
    b.width = w;
    b.height = h;
    b.pixel_spacing = 2 * static_cast<std::int64_t>(sizeof(T));
    b.line_spacing = static_cast<std::int64_t>(sizeof(T)) * stride_px * 2;
    for (std::int32_t y = 0; y < h; ++y)
        for (std::int32_t x = 0; x < w; ++x)
            buf[static_cast<std::size_t>(y + 1) * stride_px * 2 + 2 * static_cast<std::size_t>(x)] = T(0);
    Burner burner;
    BurnOptions o = opt;
    o.max_features = n;
    const std::vector<double> burns(n, 3.0);
    GeometryBatch batch = scene.batch(false);
    batch.burn = burns.data();
    if (burner.begin(&b, 1, o) == Status::Ok) {
        (void)burner.burn(batch);
        (void)burner.finish();
    }
    for (std::size_t i = 0; i < buf.size(); ++i) {
        const std::size_t row = i / (static_cast<std::size_t>(stride_px) * 2);
        const std::size_t col = i % (static_cast<std::size_t>(stride_px) * 2);
        const bool in_band = row >= 1 && row <= static_cast<std::size_t>(h) && col % 2 == 0 &&
                             col / 2 < static_cast<std::size_t>(w);
        if (!in_band) check(buf[i] == kGuard, "a write outside the band");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::int32_t w = in.ConsumeIntegralInRange<std::int32_t>(1, 24);
    const std::int32_t h = in.ConsumeIntegralInRange<std::int32_t>(1, 24);
    const bool all_touched = in.ConsumeBool();
    const bool with_z = in.ConsumeBool();
    BurnOptions opt;
    opt.mode = static_cast<MergeMode>(in.ConsumeIntegralInRange<int>(0, 6));
    opt.all_touched = all_touched;
    opt.update = in.ConsumeBool();
    opt.has_nodata = in.ConsumeBool();
    opt.nodata = in.ConsumeBool() ? 0.0 : std::nan("");
    opt.threads = in.ConsumeIntegralInRange<int>(1, 3);
    const int type = in.ConsumeIntegralInRange<int>(0, 9);
    bool moderate = true;
    const std::vector<Feature> features = random_features(in, w, h, moderate);
    const FlatScene scene(features);

    std::vector<PixelGrid> masks;
    check_coverage(features, scene, w, h, all_touched, with_z, moderate, masks);

    switch (static_cast<PixelType>(type)) {
        case PixelType::UInt8: burn_with_guards<std::uint8_t>(scene, features.size(), w, h, PixelType::UInt8, opt); break;
        case PixelType::Int8: burn_with_guards<std::int8_t>(scene, features.size(), w, h, PixelType::Int8, opt); break;
        case PixelType::UInt16: burn_with_guards<std::uint16_t>(scene, features.size(), w, h, PixelType::UInt16, opt); break;
        case PixelType::Int16: burn_with_guards<std::int16_t>(scene, features.size(), w, h, PixelType::Int16, opt); break;
        case PixelType::UInt32: burn_with_guards<std::uint32_t>(scene, features.size(), w, h, PixelType::UInt32, opt); break;
        case PixelType::Int32: burn_with_guards<std::int32_t>(scene, features.size(), w, h, PixelType::Int32, opt); break;
        case PixelType::UInt64: burn_with_guards<std::uint64_t>(scene, features.size(), w, h, PixelType::UInt64, opt); break;
        case PixelType::Int64: burn_with_guards<std::int64_t>(scene, features.size(), w, h, PixelType::Int64, opt); break;
        case PixelType::Float32: burn_with_guards<float>(scene, features.size(), w, h, PixelType::Float32, opt); break;
        case PixelType::Float64: burn_with_guards<double>(scene, features.size(), w, h, PixelType::Float64, opt); break;
    }

    // Differential merge check: Float64 count of a new output equals the
    // number of features whose reference coverage holds the pixel.
    if (moderate && masks.size() == features.size()) {
        std::vector<double> out(static_cast<std::size_t>(w) * h, 0.0);
        BandBuffer b{out.data(), PixelType::Float64, w, h, 8, 8LL * w};
        BurnOptions c;
        c.mode = MergeMode::Count;
        c.all_touched = all_touched;
        c.threads = opt.threads;
        Burner burner;
        check(burner.begin(&b, 1, c) == Status::Ok, "begin");
        const Status st = burner.burn(scene.batch(false));
        if (st != Status::Ok) std::fprintf(stderr, "burn: %s\n", status_name(st));
        check(st == Status::Ok, "burn");
        check(burner.finish() == Status::Ok, "finish");
        for (std::size_t i = 0; i < out.size(); ++i) {
            double expected = 0;
            for (const PixelGrid &m : masks) expected += m.hit[i];
            check(out[i] == expected, "count equals the reference coverage count");
        }
    }
    return 0;
}
