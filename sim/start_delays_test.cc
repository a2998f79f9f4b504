// The start-delay file's two forms, and what a draw from each can be.
#include "sim/start_delays.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sim {
namespace {

StartDelayDistribution parse(const std::string& text) {
  std::istringstream input(text);
  return StartDelayDistribution::parse(input, "test");
}

TEST(StartDelays, AListIsAnEmpiricalDistribution) {
  const StartDelayDistribution delays = parse("# measured\n12.5\n\n3\n7.25\n");
  EXPECT_EQ(delays.min_ms(), 3000);
  EXPECT_EQ(delays.max_ms(), 12500);
  Rng rng(1);
  int seen_3 = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::int64_t ms = delays.sample_ms(rng);
    EXPECT_TRUE(ms == 3000 || ms == 7250 || ms == 12500) << ms;
    seen_3 += ms == 3000;
  }
  EXPECT_GT(seen_3, 800);  // a third of 3,000 draws, give or take
  EXPECT_LT(seen_3, 1200);
}

TEST(StartDelays, PrometheusBucketsAreReadAsAHistogram) {
  const StartDelayDistribution delays = parse(
      "# HELP chat_scheduler_fleet_start_seconds Time from start to ready\n"
      "# TYPE chat_scheduler_fleet_start_seconds histogram\n"
      "chat_scheduler_fleet_start_seconds_bucket{fleet=\"local\",le=\"1\"} 0\n"
      "chat_scheduler_fleet_start_seconds_bucket{fleet=\"local\",le=\"5\"} 10\n"
      "chat_scheduler_fleet_start_seconds_bucket{fleet=\"local\",le=\"10\"} 10\n"
      "chat_scheduler_fleet_start_seconds_bucket{fleet=\"local\",le=\"+Inf\"} 10\n"
      "chat_scheduler_fleet_start_seconds_sum 31.5\n"
      "chat_scheduler_fleet_start_seconds_count 10\n"
      "chat_other_total 4\n");
  Rng rng(2);
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t ms = delays.sample_ms(rng);
    EXPECT_GE(ms, 1000);  // every start fell in (1, 5] s
    EXPECT_LE(ms, 5000);
  }
  EXPECT_EQ(delays.max_ms(), 5000);
}

TEST(StartDelays, SeriesAreAddedUpAndInfinityIsTheLargestBound) {
  const StartDelayDistribution delays = parse(
      "starts_bucket{a=\"x\",le=\"2\"} 1\nstarts_bucket{a=\"y\",le=\"2\"} 1\n"
      "starts_bucket{a=\"x\",le=\"+Inf\"} 1\nstarts_bucket{a=\"y\",le=\"+Inf\"} 3\n");
  Rng rng(3);
  int at_bound = 0;
  for (int i = 0; i < 1000; ++i) at_bound += delays.sample_ms(rng) == 2000;
  // 2 of 4 starts were slower than 2 s: drawn at 2 s exactly.
  EXPECT_GT(at_bound, 400);
  EXPECT_LT(at_bound, 600);
}

TEST(StartDelays, BadFilesSayWhichLine) {
  EXPECT_THROW(parse("5\n5 s\n"), StartDelayError);
  try {
    parse("5\n-2\n");
    FAIL();
  } catch (const StartDelayError& error) {
    EXPECT_NE(std::string(error.what()).find("line 2"), std::string::npos) << error.what();
  }
  EXPECT_THROW(parse("# nothing\n"), StartDelayError);
  EXPECT_THROW(parse("4\nx_bucket{le=\"1\"} 3\n"), StartDelayError);  // mixed forms
  EXPECT_THROW(parse("x_bucket{le=\"1\"} 3\nx_bucket{le=\"2\"} 1\n"), StartDelayError);
}

}  // namespace
}  // namespace sim
