// Burning a raster window by window (GDAL's row chunks, cached blocks) gives
// exactly the pixels of burning it whole: geometry stays in whole-raster
// coordinates, only the spans move into each window.

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "merge_scene.hpp"
#include "mrast/burn.hpp"

namespace mrast {
namespace {
using namespace mrast::test;

constexpr std::int32_t kW = 53, kH = 41;

struct WindowCase {
    MergeMode mode;
    bool all_touched;
};

class BurnerWindows : public ::testing::TestWithParam<WindowCase> {};

TEST_P(BurnerWindows, TilesEqualWholeRaster) {
    const WindowCase c = GetParam();
    const MergeScene scene(random_features(7, 120, kW, kH, 1, false), 1);
    BurnOptions opt;
    opt.mode = c.mode;
    opt.all_touched = c.all_touched;
    opt.max_features = 120;
    opt.threads = 2;

    MallocRaster<double> whole(kW, kH, 0.0);
    const BandBuffer whole_buf = whole.buffer();
    ASSERT_EQ(burn_scene(&whole_buf, 1, opt, {&scene}), Status::Ok);

    // Uneven tiles, each its own buffer with a padded line.
    const std::int32_t xs[] = {0, 17, 40, kW};
    const std::int32_t ys[] = {0, 1, 23, kH};
    std::vector<double> tiled(static_cast<std::size_t>(kW) * kH, -1.0);
    for (int ty = 0; ty < 3; ++ty) {
        for (int tx = 0; tx < 3; ++tx) {
            const std::int32_t w = xs[tx + 1] - xs[tx], h = ys[ty + 1] - ys[ty];
            const std::int32_t stride = w + 3;
            std::vector<double> tile(static_cast<std::size_t>(stride) * h, 0.0);
            BandBuffer b;
            b.data = tile.data();
            b.type = PixelType::Float64;
            b.width = w;
            b.height = h;
            b.pixel_spacing = 8;
            b.line_spacing = 8LL * stride;
            b.x_offset = xs[tx];
            b.y_offset = ys[ty];
            b.raster_width = kW;
            b.raster_height = kH;
            ASSERT_EQ(burn_scene(&b, 1, opt, {&scene}), Status::Ok);
            for (std::int32_t y = 0; y < h; ++y)
                for (std::int32_t x = 0; x < w; ++x)
                    tiled[static_cast<std::size_t>(ys[ty] + y) * kW + xs[tx] + x] =
                        tile[static_cast<std::size_t>(y) * stride + x];
        }
    }
    int differing = 0, burnt = 0;
    for (std::int32_t y = 0; y < kH; ++y) {
        for (std::int32_t x = 0; x < kW; ++x) {
            const double a = whole.at(x, y), b = tiled[static_cast<std::size_t>(y) * kW + x];
            differing += std::memcmp(&a, &b, sizeof a) != 0;
            burnt += a != 0.0;
        }
    }
    EXPECT_EQ(differing, 0);
    EXPECT_GT(burnt, kW * kH / 4);  // the scene really burns
}

INSTANTIATE_TEST_SUITE_P(
    EveryMode, BurnerWindows,
    ::testing::Values(WindowCase{MergeMode::Last, false}, WindowCase{MergeMode::First, false},
                      WindowCase{MergeMode::Min, true}, WindowCase{MergeMode::Max, false},
                      WindowCase{MergeMode::Sum, true}, WindowCase{MergeMode::Count, false},
                      WindowCase{MergeMode::Mean, true}, WindowCase{MergeMode::Last, true}));

TEST(BurnerWindows, WindowOutsideRasterIsRejected) {
    std::vector<double> tile(100, 0.0);
    BandBuffer b;
    b.data = tile.data();
    b.type = PixelType::Float64;
    b.width = 10;
    b.height = 10;
    b.pixel_spacing = 8;
    b.line_spacing = 80;
    b.x_offset = 95;
    b.raster_width = 100;
    b.raster_height = 100;
    Burner burner;
    EXPECT_EQ(burner.begin(&b, 1, BurnOptions{}), Status::InvalidArgument);
}

}  // namespace
}  // namespace mrast
