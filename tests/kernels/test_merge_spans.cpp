// The span layer on its own: spans in, pixels out, no coverage involved.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "mrast/merge_spans.hpp"
#include "mrast/touched_state.hpp"

namespace mrast {
namespace {

template <class T>
RasterView<T> view_of(std::vector<T> &v, std::int32_t w, std::int32_t h) {
    return RasterView<T>{reinterpret_cast<unsigned char *>(v.data()), w, h,
                         static_cast<std::int64_t>(sizeof(T)), static_cast<std::int64_t>(sizeof(T)) * w};
}

TEST(MergeSpans, FirstWithBitmapCommitsAfterTheFeature) {
    std::vector<std::int32_t> px(16, 0);
    std::vector<std::uint8_t> bits(2, 0);
    const TouchedBitmap t{bits.data(), 1};
    const auto v = view_of(px, 8, 2);
    const Span a[] = {{0, 1, 5, 0.0}};
    const Span b[] = {{0, 3, 7, 0.0}, {1, 0, 7, 0.0}};
    merge_spans(v, merge::First{}, t, a, 1, 4.0, false, true);
    merge_spans(v, merge::First{}, t, b, 2, 9.0, false, true);
    const std::vector<std::int32_t> want = {0, 4, 4, 4, 4, 4, 9, 9};
    EXPECT_EQ(std::vector<std::int32_t>(px.begin(), px.begin() + 8), want);
    EXPECT_EQ(bits[0], 0xFE);
}

TEST(MergeSpans, BitmapMarkSpansBytes) {
    std::vector<std::uint8_t> bits(4, 0);
    const TouchedBitmap t{bits.data(), 4};
    t.mark(0, 3, 20);
    EXPECT_EQ(bits[0], 0xF8);
    EXPECT_EQ(bits[1], 0xFF);
    EXPECT_EQ(bits[2], 0x1F);
    EXPECT_EQ(bits[3], 0x00);
    t.mark(0, 26, 26);
    EXPECT_EQ(bits[3], 0x04);
    EXPECT_TRUE(t.has_contributor(0, 26, 0));
    EXPECT_FALSE(t.has_contributor(0, 27, 0));
}

TEST(MergeSpans, UncommittedStateIsSeenByLaterBands) {
    // Shared bitmap, two bands: band 0 (commit=false) must not make band 1
    // think the feature itself was an earlier contributor.
    std::vector<float> b0(4, 0), b1(4, 0);
    std::vector<std::uint8_t> bits(1, 0);
    const TouchedBitmap t{bits.data(), 1};
    const Span s[] = {{0, 0, 3, 0.0}};
    merge_spans(view_of(b0, 4, 1), merge::Min{}, t, s, 1, 5.0, false, false);
    merge_spans(view_of(b1, 4, 1), merge::Min{}, t, s, 1, 6.0, false, true);
    EXPECT_EQ(b0[2], 5.0f);
    EXPECT_EQ(b1[2], 6.0f);
}

TEST(MergeSpans, SumWithSentinelAndZ) {
    std::vector<double> px = {-1.0, 3.0, -1.0};
    const NodataSentinel t{NodataTest::make(-1.0)};
    const Span s[] = {{0, 0, 2, 0.5}};
    merge_spans(view_of(px, 3, 1), merge::Sum{}, t, s, 1, 2.0, true, true);
    EXPECT_EQ(px, (std::vector<double>{2.5, 5.5, 2.5}));
}

TEST(MergeSpans, LastFillsStridedPixels) {
    // Pixel-interleaved 3-band Int16 buffer: only the middle band changes.
    std::vector<std::int16_t> buf(3 * 4, 7);
    RasterView<std::int16_t> v{reinterpret_cast<unsigned char *>(buf.data() + 1), 4, 1, 6, 24};
    const Span s[] = {{0, 1, 2, 0.0}};
    merge_spans(v, merge::Last{}, AlwaysTouched{}, s, 1, 300.0, false, true);
    const std::vector<std::int16_t> want = {7, 7, 7, 7, 300, 7, 7, 300, 7, 7, 7, 7};
    EXPECT_EQ(buf, want);
}

TEST(MergeSpans, MeanCounterAndFinish) {
    std::vector<std::uint8_t> px = {0, 0, 0};
    std::vector<std::uint8_t> counts(3, 0);
    std::vector<double> sums(3, 0.0);
    MeanState<std::uint8_t> st;
    st.m_counts = counts.data();
    st.m_sums = sums.data();
    st.m_width = 3;
    const auto v = view_of(px, 3, 1);
    const Span a[] = {{0, 0, 1, 0.0}};
    const Span b[] = {{0, 1, 2, 0.0}};
    merge_spans_mean(v, st, a, 1, 3.0, false, true);
    merge_spans_mean(v, st, b, 1, 4.0, false, true);
    EXPECT_EQ(counts, (std::vector<std::uint8_t>{1, 2, 1}));
    finish_mean_rows(v, st, 0, 1);
    EXPECT_EQ(px, (std::vector<std::uint8_t>{3, 4, 4}));  // 3.5 rounds half up
}

TEST(MergePolicies, Traits) {
    static_assert(merge::Last::order_sensitive && merge::First::order_sensitive);
    static_assert(!merge::Min::order_sensitive && !merge::Sum::order_sensitive);
    static_assert(merge::First::needs_touched && merge::Min::needs_touched && merge::Max::needs_touched);
    static_assert(!merge::Last::needs_touched && !merge::Sum::needs_touched && !merge::Count::needs_touched);
    static_assert(merge::Sum::nodata_is_empty && merge::Count::nodata_is_empty);
    static_assert(merge::Mean::uses_counter && merge::Last::replaces);
    EXPECT_EQ(merge::nan_min(1.0, 2.0), 1.0);
    EXPECT_TRUE(std::isnan(merge::nan_max(1.0, std::nan(""))));
    EXPECT_TRUE(std::isnan(merge::nan_max(std::nan(""), 1.0)));
}

}  // namespace
}  // namespace mrast
