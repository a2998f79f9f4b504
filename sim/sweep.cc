#include "sim/sweep.h"

#include <cstdio>

#include "sim/random.h"
#include "sim/synthetic_workload.h"
#include "sim/trace_workload.h"

namespace sim {

std::unique_ptr<Workload> make_workload(const Options& options, std::uint64_t seed) {
  if (!options.trace_path.empty()) return TraceWorkload::open(options.trace_path);
  return std::make_unique<SyntheticWorkload>(options.synthetic, derive_seed(seed, "workload"));
}

// Every combination, in the order of the table: policy, spare, idle,
// defrag, failover.
std::vector<SweepPoint> sweep_points(const Options& options) {
  std::vector<SweepPoint> points;
  for (const std::string& policy : options.policies) {
    for (int spare : options.spare_room_slots) {
      for (std::int64_t idle_s : options.idle_timeouts_s) {
        for (int defrag : options.defrag_max_rooms) {
          for (Failover failover : options.failovers) {
            points.push_back({policy, spare, idle_s, defrag, failover});
          }
        }
      }
    }
  }
  return points;
}

SweepResult run_sweep(const Options& options, std::uint64_t seed, bool show_progress) {
  SweepResult result;
  result.seed = seed;
  result.workload = describe_workload(options);
  const std::vector<SweepPoint> points = sweep_points(options);
  for (const SweepPoint& point : points) {
    std::unique_ptr<Workload> workload = make_workload(options, seed);
    Simulator simulator(make_sim_config(options, seed, point), *workload);
    const std::size_t number = result.runs.size() + 1;
    ProgressFn progress;
    if (show_progress) {
      progress = [&](std::int64_t simulated_ms, std::uint64_t events) {
        std::fprintf(stderr, "\r  run %zu/%zu %-22s %8.2f h simulated, %6.1fM events ", number,
                     points.size(), point.policy.c_str(), simulated_ms / 3600e3, events / 1e6);
      };
    }
    result.runs.push_back(simulator.run(progress));
    if (show_progress) std::fprintf(stderr, "\r%78s\r", "");
    if (result.runs.back().failure.kind != FailureKind::none) return result;
  }
  return result;
}

}  // namespace sim
