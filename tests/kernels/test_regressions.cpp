// Regressions found by fuzzing (tests/fuzz); the inputs that found them stay
// in tests/fuzz/regressions/ and are replayed by the fuzz run too.

#include <gtest/gtest.h>

#include <vector>

#include "mrast/burn.hpp"

namespace mrast {
namespace {

// Regression_empty_parts_batch_rejected: a batch whose features all have no
// parts (empty geometries) has no part kinds at all; it is valid and burns
// nothing, whatever the part_kind pointer.
TEST(Regression, FeaturesWithoutPartsAreValid) {
    std::vector<double> raster(12, 5.0);
    BandBuffer band{raster.data(), PixelType::Float64, 4, 3, 8, 32};
    const std::size_t feature_parts[] = {0, 0, 0};
    const std::size_t part_rings[] = {0};
    const std::size_t ring_vertices[] = {0};
    const double burn[] = {1.0, 2.0};
    GeometryBatch batch;
    batch.feature_count = 2;
    batch.feature_part_offsets = feature_parts;
    batch.part_kind = nullptr;
    batch.part_ring_offsets = part_rings;
    batch.ring_vertex_offsets = ring_vertices;
    batch.burn = burn;
    BurnOptions opt;
    opt.mode = MergeMode::Count;
    Burner burner;
    ASSERT_EQ(burner.begin(&band, 1, opt), Status::Ok);
    EXPECT_EQ(burner.burn(batch), Status::Ok);
    EXPECT_EQ(burner.finish(), Status::Ok);
    EXPECT_EQ(raster, std::vector<double>(12, 5.0));
}

}  // namespace
}  // namespace mrast
