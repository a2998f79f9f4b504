#include "sim/explore.h"

#include <chrono>
#include <iomanip>

#include "sim/explore_checker.h"

namespace sim::explore {

SeedOutcome explore_seed(std::uint64_t seed, const ExploreOptions& options) {
  ExploreConfig config = draw_config(seed, options.busy_minutes * 60'000);
  config.planted = options.planted;
  ExploreChecker checker;
  ExploreWorld world(config, checker, options.trace);
  try {
    world.run();
  } catch (const std::exception& error) {
    checker.fail(FailureKind::crash, world.now_ms(), std::string("exception: ") + error.what());
  }
  SeedOutcome outcome;
  outcome.seed = seed;
  outcome.failure = checker.failure();
  outcome.simulated_ms = world.now_ms();
  outcome.events = world.events();
  outcome.exercised = world.exercised();
  outcome.config = describe(config);
  return outcome;
}

ExploreSummary explore(const ExploreOptions& options,
                       const std::function<void(std::uint64_t)>& before_seed) {
  ExploreSummary summary;
  const auto started = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < options.seeds; ++i) {
    const std::uint64_t seed = options.first_seed + i;
    if (before_seed) before_seed(seed);
    SeedOutcome outcome = explore_seed(seed, options);
    ++summary.seeds_run;
    summary.simulated_ms += outcome.simulated_ms;
    summary.events += outcome.events;
    summary.exercised.add(outcome.exercised);
    if (outcome.failure.kind != FailureKind::none) {
      summary.failed = std::move(outcome);
      break;
    }
  }
  summary.wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

std::string reproduce_command(std::uint64_t seed, const ExploreOptions& options) {
  std::string command = "bazel run -c opt //sim -- --explore --seed " + std::to_string(seed);
  if (options.busy_minutes != ExploreOptions{}.busy_minutes) {
    command += " --explore-minutes " + std::to_string(options.busy_minutes);
  }
  return command;
}

void print_summary(std::ostream& out, const ExploreSummary& summary,
                   const ExploreOptions& options) {
  if (summary.failed) {
    const SeedOutcome& failed = *summary.failed;
    out << "FAILED (" << to_string(failed.failure.kind) << ") at seed " << failed.seed << ", "
        << std::fixed << std::setprecision(3) << failed.failure.time_ms / 1000.0
        << " s simulated: " << failed.failure.what << "\n"
        << "  drawn: " << failed.config << "\n"
        << "reproduce with:\n  " << reproduce_command(failed.seed, options) << "\n";
  }
  const double simulated_h = summary.simulated_ms / 3'600'000.0;
  const double per_s = summary.events / std::max(summary.wall_s, 1e-9);
  out << summary.seeds_run << " seeds, " << std::fixed << std::setprecision(1) << simulated_h
      << " simulated hours, " << summary.events << " events in " << std::setprecision(2)
      << summary.wall_s << " s (" << std::setprecision(0) << per_s << " events/s)\n";
  const Exercised& e = summary.exercised;
  out << "exercised: " << e.requests << " requests, " << e.crashes << " crashes, "
      << e.store_outages << " store outages, " << e.pauses << " pauses, " << e.leases_taken
      << " leases taken, " << e.stale_writes_refused << " stale-token writes refused\n";
}

}  // namespace sim::explore
