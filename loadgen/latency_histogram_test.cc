#include "loadgen/latency_histogram.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

TEST(LatencyHistogram, EmptyIsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0u);
  EXPECT_EQ(histogram.percentile_us(0.99), 0u);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 0; v < 32; ++v) histogram.record(v);
  EXPECT_EQ(histogram.percentile_us(0.5), 15u);
  EXPECT_EQ(histogram.percentile_us(1.0), 31u);
}

TEST(LatencyHistogram, BucketsCoverEveryValueWithin4Percent) {
  for (std::uint64_t v : {33ull, 100ull, 1000ull, 123456ull, 10'000'000ull, 1ull << 40}) {
    int bucket = LatencyHistogram::bucket_of(v);
    auto upper = LatencyHistogram::bucket_upper(bucket);
    EXPECT_GE(upper, v);
    EXPECT_LE(static_cast<double>(upper), static_cast<double>(v) * 1.04) << v;
    EXPECT_LT(LatencyHistogram::bucket_upper(bucket - 1), v) << v;
  }
}

TEST(LatencyHistogram, PercentilesOfAUniformSpread) {
  LatencyHistogram histogram;
  for (std::uint64_t v = 1; v <= 10000; ++v) histogram.record(v);
  EXPECT_NEAR(static_cast<double>(histogram.percentile_us(0.5)), 5000, 5000 * 0.04);
  EXPECT_NEAR(static_cast<double>(histogram.percentile_us(0.99)), 9900, 9900 * 0.04);
  EXPECT_EQ(histogram.percentile_us(1.0), 10000u);  // clamped to the max seen
  EXPECT_EQ(histogram.max_us(), 10000u);
  EXPECT_NEAR(histogram.mean_us(), 5000.5, 0.01);
}

TEST(LatencyHistogram, AddMerges) {
  LatencyHistogram a, b;
  a.record(10);
  b.record(1000);
  a.add(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.max_us(), 1000u);
  a.reset();
  EXPECT_EQ(a.count(), 0u);
}

}  // namespace
}  // namespace loadgen
