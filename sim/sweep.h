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
  std::vector<RunReport> runs;
};

// The trace reader, or the synthetic generator seeded from the master seed.
std::unique_ptr<Workload> make_workload(const Options& options, std::uint64_t seed);

// Stops at the first failing run (its report carries the failure).
// show_progress: a one-line indicator on stderr.
SweepResult run_sweep(const Options& options, std::uint64_t seed, bool show_progress);

}  // namespace sim
