// Fault exploration (`bazel run -c opt //sim -- --explore`), in the manner
// of TigerBeetle's VOPR: for each seed in [first, first + N), draw a
// configuration and fault schedule from it (explore_config.h), run the
// control cores in the simulated world (explore_world.h) for a bounded
// simulated time with the invariants checked after every event
// (explore_checker.h), and stop at the first seed that breaks one, with
// the one command line that replays it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "sim/explore_config.h"
#include "sim/explore_world.h"
#include "sim/run_report.h"

namespace sim::explore {

struct ExploreOptions {
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 100;
  std::int64_t busy_minutes = 10;  // of workload and faults a seed; a quiet phase follows
  PlantedFaults planted;           // tests only: faults the checker must catch
  std::ostream* trace = nullptr;   // every event and effect of every seed (explore_trace.h)
};

struct SeedOutcome {
  std::uint64_t seed = 0;
  Failure failure;
  std::int64_t simulated_ms = 0;
  std::uint64_t events = 0;
  Exercised exercised;
  std::string config;  // describe(): what the seed drew
};

// One seed, start to end; exceptions out of the cores are crash failures.
SeedOutcome explore_seed(std::uint64_t seed, const ExploreOptions& options);

struct ExploreSummary {
  std::uint64_t seeds_run = 0;
  std::int64_t simulated_ms = 0;
  std::uint64_t events = 0;
  Exercised exercised;
  double wall_s = 0;
  std::optional<SeedOutcome> failed;  // the first failing seed; the run stopped there
};

// Runs the seeds in order until one fails. `before_seed` hears each seed
// first, so a fatal signal's handler can name the seed that was running.
ExploreSummary explore(const ExploreOptions& options,
                       const std::function<void(std::uint64_t seed)>& before_seed = {});

// `bazel run -c opt //sim -- --explore --seed S`, and the flags the run needs.
std::string reproduce_command(std::uint64_t seed, const ExploreOptions& options);

// The failure (kind, what broke, the command that replays it) if any, then
// seeds run, simulated time, events and events per second of wall time.
void print_summary(std::ostream& out, const ExploreSummary& summary,
                   const ExploreOptions& options);

}  // namespace sim::explore
