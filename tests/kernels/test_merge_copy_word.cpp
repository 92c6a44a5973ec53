// copy_word<T>(double) against GDAL 3.13's GDALCopyWord(double, T&): the
// expected values are read off gcore/gdal_priv_templates.hpp by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "mrast/pixel_convert.hpp"

using mrast::copy_word;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST(CopyWord, UInt8RoundsHalfUpAndSaturates) {
    EXPECT_EQ(copy_word<std::uint8_t>(200.0 + 100.0), 255);  // SPEC: Byte 200+100 = 255
    EXPECT_EQ(copy_word<std::uint8_t>(2.5), 3);
    EXPECT_EQ(copy_word<std::uint8_t>(2.4999), 2);
    EXPECT_EQ(copy_word<std::uint8_t>(254.5), 255);
    EXPECT_EQ(copy_word<std::uint8_t>(-0.4), 0);
    EXPECT_EQ(copy_word<std::uint8_t>(-0.6), 0);
    EXPECT_EQ(copy_word<std::uint8_t>(-2.5), 0);
    EXPECT_EQ(copy_word<std::uint8_t>(-1e300), 0);
    EXPECT_EQ(copy_word<std::uint8_t>(kInf), 255);
    EXPECT_EQ(copy_word<std::uint8_t>(-kInf), 0);
    EXPECT_EQ(copy_word<std::uint8_t>(kNaN), 0);
    // v + 0.5 is rounded in double first, exactly as GDAL does.
    EXPECT_EQ(copy_word<std::uint8_t>(0.49999999999999994), 1);
}

TEST(CopyWord, Int8RoundsHalfAwayFromZero) {
    EXPECT_EQ(copy_word<std::int8_t>(-100.0 - 100.0), -128);
    EXPECT_EQ(copy_word<std::int8_t>(100.0 + 100.0), 127);
    EXPECT_EQ(copy_word<std::int8_t>(2.5), 3);
    EXPECT_EQ(copy_word<std::int8_t>(-2.5), -3);
    EXPECT_EQ(copy_word<std::int8_t>(-2.4), -2);
    EXPECT_EQ(copy_word<std::int8_t>(-0.0), 0);
    EXPECT_EQ(copy_word<std::int8_t>(-127.6), -128);
    EXPECT_EQ(copy_word<std::int8_t>(kNaN), 0);
    EXPECT_EQ(copy_word<std::int8_t>(-kInf), -128);
}

TEST(CopyWord, UInt16) {
    EXPECT_EQ(copy_word<std::uint16_t>(65535.4), 65535);
    EXPECT_EQ(copy_word<std::uint16_t>(65535.5), 65535);
    EXPECT_EQ(copy_word<std::uint16_t>(70000.0), 65535);
    EXPECT_EQ(copy_word<std::uint16_t>(1.5), 2);
    EXPECT_EQ(copy_word<std::uint16_t>(-1.0), 0);
    EXPECT_EQ(copy_word<std::uint16_t>(kNaN), 0);
}

TEST(CopyWord, Int16) {
    EXPECT_EQ(copy_word<std::int16_t>(32767.5), 32767);
    EXPECT_EQ(copy_word<std::int16_t>(-32768.5), -32768);
    EXPECT_EQ(copy_word<std::int16_t>(-1.5), -2);
    EXPECT_EQ(copy_word<std::int16_t>(1.5), 2);
    EXPECT_EQ(copy_word<std::int16_t>(kNaN), 0);
}

TEST(CopyWord, UInt32) {
    EXPECT_EQ(copy_word<std::uint32_t>(4294967295.0), 4294967295u);
    EXPECT_EQ(copy_word<std::uint32_t>(4294967294.5), 4294967295u);
    EXPECT_EQ(copy_word<std::uint32_t>(5e9), 4294967295u);
    EXPECT_EQ(copy_word<std::uint32_t>(0.5), 1u);
    EXPECT_EQ(copy_word<std::uint32_t>(-0.5), 0u);
    EXPECT_EQ(copy_word<std::uint32_t>(kNaN), 0u);
}

TEST(CopyWord, Int32) {
    EXPECT_EQ(copy_word<std::int32_t>(2147483647.4), 2147483647);
    EXPECT_EQ(copy_word<std::int32_t>(3e9), 2147483647);
    EXPECT_EQ(copy_word<std::int32_t>(-3e9), -2147483647 - 1);
    EXPECT_EQ(copy_word<std::int32_t>(-2147483648.4), -2147483647 - 1);
    EXPECT_EQ(copy_word<std::int32_t>(-0.5), -1);
    EXPECT_EQ(copy_word<std::int32_t>(0.5), 1);
    EXPECT_EQ(copy_word<std::int32_t>(-0.4), 0);
    EXPECT_EQ(copy_word<std::int32_t>(kNaN), 0);
}

TEST(CopyWord, UInt64) {
    const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    EXPECT_EQ(copy_word<std::uint64_t>(kNaN), 0u);
    EXPECT_EQ(copy_word<std::uint64_t>(-1.0), 0u);
    EXPECT_EQ(copy_word<std::uint64_t>(0.0), 0u);
    EXPECT_EQ(copy_word<std::uint64_t>(0.5), 1u);
    EXPECT_EQ(copy_word<std::uint64_t>(2.5), 3u);
    EXPECT_EQ(copy_word<std::uint64_t>(1e30), max);
    EXPECT_EQ(copy_word<std::uint64_t>(kInf), max);
    // Largest double below 2^64 converts exactly.
    EXPECT_EQ(copy_word<std::uint64_t>(18446744073709549568.0), 18446744073709549568u);
    // 2^52 + 1 + 0.5 rounds (ties to even) to 2^52 + 2 in double, as in GDAL.
    EXPECT_EQ(copy_word<std::uint64_t>(4503599627370497.0), 4503599627370498u);
    // GDAL's cast of exactly 2^64 is undefined; we saturate.
    EXPECT_EQ(copy_word<std::uint64_t>(18446744073709551616.0), max);
}

TEST(CopyWord, Int64) {
    const std::int64_t max = std::numeric_limits<std::int64_t>::max();
    const std::int64_t min = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(copy_word<std::int64_t>(kNaN), 0);
    EXPECT_EQ(copy_word<std::int64_t>(9223372036854775808.0), max);  // 2^63
    EXPECT_EQ(copy_word<std::int64_t>(-9223372036854775808.0), min);
    EXPECT_EQ(copy_word<std::int64_t>(kInf), max);
    EXPECT_EQ(copy_word<std::int64_t>(-kInf), min);
    EXPECT_EQ(copy_word<std::int64_t>(9223372036854774784.0), 9223372036854774784);
    EXPECT_EQ(copy_word<std::int64_t>(-2.5), -3);
    EXPECT_EQ(copy_word<std::int64_t>(2.5), 3);
    EXPECT_EQ(copy_word<std::int64_t>(-0.4), 0);
}

TEST(CopyWord, Float32) {
    const float fmax = std::numeric_limits<float>::max();
    EXPECT_EQ(copy_word<float>(0.1), 0.1f);
    EXPECT_TRUE(std::isnan(copy_word<float>(kNaN)));
    EXPECT_EQ(copy_word<float>(1e39), std::numeric_limits<float>::infinity());
    EXPECT_EQ(copy_word<float>(-1e39), -std::numeric_limits<float>::infinity());
    EXPECT_EQ(copy_word<float>(static_cast<double>(fmax)), fmax);
    // Above FLT_MAX by less than half an ulp: rounds down to FLT_MAX (x86
    // cvtsd2ss); from half an ulp (2^128 - 2^103) on: infinity.
    EXPECT_EQ(copy_word<float>(3.4028235e38), fmax);
    EXPECT_EQ(copy_word<float>(std::ldexp(1.0, 128) - std::ldexp(1.0, 103)),
              std::numeric_limits<float>::infinity());
    EXPECT_EQ(copy_word<float>(std::nextafter(std::ldexp(1.0, 128) - std::ldexp(1.0, 103), 0.0)), fmax);
    EXPECT_EQ(copy_word<float>(-3.4028235e38), -fmax);
    EXPECT_EQ(copy_word<float>(1e-50), 0.0f);
    EXPECT_TRUE(std::signbit(copy_word<float>(-0.0)));
}

TEST(CopyWord, Float64IsIdentity) {
    EXPECT_EQ(copy_word<double>(1e300), 1e300);
    EXPECT_TRUE(std::isnan(copy_word<double>(kNaN)));
    EXPECT_TRUE(std::signbit(copy_word<double>(-0.0)));
}

// Float32 conversion must agree with the hardware cast on ordinary values.
TEST(CopyWord, Float32MatchesCastInRange) {
    for (double v : {1.0 / 3.0, -7.123456789, 1e-40, 123456789.123, 3.4e38, -3.4e38}) {
        EXPECT_EQ(copy_word<float>(v), static_cast<float>(v)) << v;
    }
}
