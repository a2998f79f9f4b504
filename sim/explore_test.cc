// The fault exploration (sim/explore.h) as a test: a bounded run of seeds,
// short ones, each expected to hold every invariant; a seed replays the
// same run; and faults planted in the world that the checker must catch,
// so that it cannot pass by seeing nothing. Kept to a few seconds (it runs
// under ASan in CI too): `bazel run -c opt //sim -- --explore` explores for
// real.
#include "sim/explore.h"

#include <gtest/gtest.h>

#include <optional>
#include <sstream>
#include <string>

namespace sim::explore {
namespace {

// Short runs: a few simulated minutes of faults, then the quiet phase.
constexpr std::int64_t kBusyMinutes = 3;

ExploreOptions short_runs(std::uint64_t first_seed, std::uint64_t seeds) {
  ExploreOptions options;
  options.first_seed = first_seed;
  options.seeds = seeds;
  options.busy_minutes = kBusyMinutes;
  return options;
}

// The first seed of `options` that fails, if any.
std::optional<SeedOutcome> first_failure(const ExploreOptions& options) {
  return explore(options).failed;
}

TEST(ExploreTest, SeedsHoldEveryInvariant) {
  const ExploreOptions options = short_runs(1, 20);
  const ExploreSummary summary = explore(options);
  std::ostringstream printed;
  print_summary(printed, summary, options);
  EXPECT_FALSE(summary.failed) << printed.str();
  EXPECT_EQ(summary.seeds_run, 20u);
  // Faults of every kind were met, or the seeds proved little.
  EXPECT_GT(summary.exercised.crashes, 0u) << printed.str();
  EXPECT_GT(summary.exercised.store_outages, 0u) << printed.str();
  EXPECT_GT(summary.exercised.pauses, 0u) << printed.str();
  EXPECT_GT(summary.exercised.leases_taken, 20u) << printed.str();
}

TEST(ExploreTest, ASeedReplaysTheSameRun) {
  const ExploreOptions options = short_runs(7, 1);
  const SeedOutcome first = explore_seed(7, options);
  const SeedOutcome again = explore_seed(7, options);
  EXPECT_EQ(first.events, again.events);
  EXPECT_EQ(first.simulated_ms, again.simulated_ms);
  EXPECT_EQ(first.config, again.config);
  EXPECT_EQ(first.exercised.requests, again.exercised.requests);
}

// Each planted fault is caught within a few seeds, as the right rule.
void expect_caught(ExploreOptions options, const std::string& rule) {
  const auto failed = first_failure(options);
  ASSERT_TRUE(failed) << "no seed of " << options.seeds << " caught the fault planted for "
                      << rule;
  EXPECT_EQ(failed->failure.kind, FailureKind::correctness);
  EXPECT_EQ(failed->failure.what.rfind(rule, 0), 0u) << failed->failure.what;
}

TEST(ExploreTest, CatchesAServerAdmittingReservationsPastItsLimit) {
  ExploreOptions options = short_runs(1, 20);
  options.planted.server_exceeds_limit = true;
  expect_caught(options, "(a)");
}

TEST(ExploreTest, CatchesAStoreAdmittingAWriteUnderAStaleToken) {
  ExploreOptions options = short_runs(1, 20);
  options.busy_minutes = 10;  // a holder paused past its lease, then writing: rare
  options.planted.store_accepts_stale_token = true;
  expect_caught(options, "(d)");
}

TEST(ExploreTest, CatchesADrainingServerAdmittingAReservation) {
  ExploreOptions options = short_runs(1, 15);
  options.busy_minutes = 10;  // drains meet reservations less often
  options.planted.server_reserves_while_draining = true;
  expect_caught(options, "(e)");
}

TEST(ExploreTest, AFailureNamesItsKindAndTheOneCommandThatReplaysIt) {
  ExploreOptions options = short_runs(1, 20);
  options.planted.server_exceeds_limit = true;
  const ExploreSummary summary = explore(options);
  ASSERT_TRUE(summary.failed);
  EXPECT_EQ(summary.seeds_run, summary.failed->seed) << "stops at the first failing seed";
  std::ostringstream printed;
  print_summary(printed, summary, options);
  const std::string command = "bazel run -c opt //sim -- --explore --seed " +
                              std::to_string(summary.failed->seed) + " --explore-minutes " +
                              std::to_string(kBusyMinutes) + "\n";
  EXPECT_NE(printed.str().find("FAILED (correctness) at seed"), std::string::npos)
      << printed.str();
  EXPECT_NE(printed.str().find("reproduce with:\n  " + command), std::string::npos)
      << printed.str();
}

}  // namespace
}  // namespace sim::explore
