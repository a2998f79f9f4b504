// The sweep: every policy x spare x idle-timeout combination, each on the
// same workload (regenerated from the same seed, or re-read from the trace)
// and the same master seed, one after another.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/options.h"
#include "sim/run_report.h"
#include "sim/workload.h"

namespace sim {

struct SweepResult {
  std::uint64_t seed = 0;
  std::string workload;  // describe_workload()
  // Replication by replication, each in the sweep's order (policy, spare,
  // idle, defrag, failover), so runs[r * points + p].
  std::vector<RunReport> runs;
  // One per replication (just `seed` without --replications).
  std::vector<std::uint64_t> replication_seeds;
  std::size_t points = 0;  // runs per replication
  bool replicated() const { return replication_seeds.size() > 1; }
};

// The seed of each replication: the master seed alone for one, else each
// derived from it ("replication 1", ...), so that --seed=<one of them>
// repeats that replication by itself.
std::vector<std::uint64_t> replication_seeds(std::uint64_t master_seed, int replications);

// The first failing run, or nullptr.
const RunReport* first_failure(const SweepResult& result);

// The trace reader, or the synthetic generator seeded from the master seed.
std::unique_ptr<Workload> make_workload(const Options& options, std::uint64_t seed);

// One replication runs its points one after another and stops at the first
// failing run (its report carries the failure). Replications run in parallel,
// one simulation per thread (Options::threads), each on its own copy of the
// workload: the results do not depend on the number of threads, and after a
// failure no further run starts. show_progress: a one-line indicator on
// stderr.
SweepResult run_sweep(const Options& options, std::uint64_t seed, bool show_progress);

}  // namespace sim
