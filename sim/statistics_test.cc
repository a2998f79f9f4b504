// Known answers for the replication statistics, worked by hand from the
// formulas (mean, sample standard deviation, t quantiles from the tables).
#include "sim/statistics.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sim {
namespace {

TEST(StudentT, TableValues) {
  EXPECT_DOUBLE_EQ(student_t_975(1), 12.7062);
  EXPECT_DOUBLE_EQ(student_t_975(4), 2.7764);
  EXPECT_DOUBLE_EQ(student_t_975(9), 2.2622);
  EXPECT_DOUBLE_EQ(student_t_975(30), 2.0423);
}

TEST(StudentT, BeyondTheTableTendsToTheNormal) {
  EXPECT_NEAR(student_t_975(60), 2.0003, 1e-9);
  EXPECT_NEAR(student_t_975(120), 1.9799, 1e-9);
  EXPECT_NEAR(student_t_975(40), 2.0211, 0.001);  // tabulated 2.0211
  EXPECT_NEAR(student_t_975(1'000'000'000), 1.959964, 1e-6);
  EXPECT_GT(student_t_975(31), student_t_975(32));
  EXPECT_THROW(student_t_975(0), std::invalid_argument);
}

TEST(MeanInterval, FiveValues) {
  // mean 3, s = sqrt(2.5), half width t(4) s / sqrt(5) = 2.7764 * 0.70711.
  const Interval interval = mean_interval({1, 2, 3, 4, 5});
  EXPECT_EQ(interval.n, 5u);
  EXPECT_DOUBLE_EQ(interval.mean, 3);
  EXPECT_NEAR(interval.stddev, 1.5811388, 1e-6);
  EXPECT_NEAR(interval.half_width, 1.9632, 1e-4);
  EXPECT_NEAR(interval.low(), 1.0368, 1e-4);
  EXPECT_TRUE(interval.excludes_zero());
}

TEST(MeanInterval, OneValueHasNoInterval) {
  const Interval interval = mean_interval({7});
  EXPECT_DOUBLE_EQ(interval.mean, 7);
  EXPECT_DOUBLE_EQ(interval.half_width, 0);
  EXPECT_FALSE(interval.has_interval());
  EXPECT_FALSE(interval.excludes_zero()) << "one seed proves nothing";
  EXPECT_EQ(mean_interval({}).n, 0u);
}

TEST(MeanInterval, EqualValuesHaveAZeroWidthInterval) {
  const Interval interval = mean_interval({4, 4, 4});
  EXPECT_DOUBLE_EQ(interval.half_width, 0);
  EXPECT_TRUE(interval.excludes_zero());
}

TEST(PairedDifference, ARealDifference) {
  // Differences 1, 2, 2: mean 5/3, s = 0.57735, half width 4.3027 * s / sqrt(3).
  const Interval difference = paired_difference({10, 12, 14}, {9, 10, 12});
  EXPECT_NEAR(difference.mean, 1.6666667, 1e-6);
  EXPECT_NEAR(difference.half_width, 1.4342, 1e-4);
  EXPECT_NEAR(difference.low(), 0.2324, 1e-4);
  EXPECT_TRUE(difference.excludes_zero());
}

TEST(PairedDifference, NoiseIsNotADifference) {
  // Differences 1, -1, 2: mean 2/3, s = 1.52753, half width 3.7946.
  const Interval difference = paired_difference({11, 9, 14}, {10, 10, 12});
  EXPECT_NEAR(difference.mean, 0.6666667, 1e-6);
  EXPECT_NEAR(difference.half_width, 3.7946, 1e-4);
  EXPECT_FALSE(difference.excludes_zero());
}

TEST(PairedDifference, PairingCancelsTheSeedToSeedSpread) {
  // Two policies far apart in absolute terms on each seed but always 1 apart:
  // unpaired intervals overlap, the paired one is exactly 1.
  const std::vector<double> a{101, 201, 301, 401};
  const std::vector<double> b{100, 200, 300, 400};
  EXPECT_LT(mean_interval(a).low(), mean_interval(b).high());
  const Interval difference = paired_difference(a, b);
  EXPECT_DOUBLE_EQ(difference.mean, 1);
  EXPECT_DOUBLE_EQ(difference.half_width, 0);
  EXPECT_TRUE(difference.excludes_zero());
}

TEST(PairedDifference, SizesMustMatch) {
  EXPECT_THROW(paired_difference({1, 2}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace sim
