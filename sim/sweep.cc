#include "sim/sweep.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

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
    for (int spare : options.sweep.spare_room_slots) {
      for (std::int64_t idle_s : options.sweep.idle_before_stop_s) {
        for (int defrag : options.sweep.defrag_max_rooms) {
          for (Failover failover : options.failovers) {
            points.push_back({policy, spare, idle_s, defrag, failover});
          }
        }
      }
    }
  }
  return points;
}

std::vector<std::uint64_t> replication_seeds(std::uint64_t master_seed, int replications) {
  if (replications <= 1) return {master_seed};
  std::vector<std::uint64_t> seeds;
  for (int i = 1; i <= replications; ++i) {
    seeds.push_back(derive_seed(master_seed, "replication " + std::to_string(i)));
  }
  return seeds;
}

const RunReport* first_failure(const SweepResult& result) {
  for (const RunReport& run : result.runs) {
    if (run.failure.kind != FailureKind::none) return &run;
  }
  return nullptr;
}

namespace {

RunReport run_point(const Options& options, std::uint64_t seed, int replication,
                    const SweepPoint& point, const ProgressFn& progress) {
  std::unique_ptr<Workload> workload = make_workload(options, seed);
  RunReport report = Simulator(make_sim_config(options, seed, point), *workload).run(progress);
  report.seed = seed;
  report.replication = replication;
  return report;
}

void run_one_seed(const Options& options, std::uint64_t seed, const std::vector<SweepPoint>& points,
                  bool show_progress, SweepResult& result) {
  for (const SweepPoint& point : points) {
    const std::size_t number = result.runs.size() + 1;
    ProgressFn progress;
    if (show_progress) {
      progress = [&](std::int64_t simulated_ms, std::uint64_t events) {
        std::fprintf(stderr, "\r  run %zu/%zu %-22s %8.2f h simulated, %6.1fM events ", number,
                     points.size(), point.policy.c_str(), simulated_ms / 3600e3, events / 1e6);
      };
    }
    result.runs.push_back(run_point(options, seed, 0, point, progress));
    if (show_progress) std::fprintf(stderr, "\r%78s\r", "");
    if (result.runs.back().failure.kind != FailureKind::none) return;
  }
}

// Runs are handed out by a shared counter; each writes only its own slot.
void run_replications(const Options& options, const std::vector<SweepPoint>& points,
                      bool show_progress, SweepResult& result) {
  const std::size_t total = result.replication_seeds.size() * points.size();
  std::vector<RunReport> runs(total);
  std::vector<char> done(total, 0);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;  // bad input (a trace), rethrown here
  const auto work = [&] {
    for (std::size_t task = next++; task < total && !failed; task = next++) {
      const std::size_t replication = task / points.size();
      try {
        runs[task] = run_point(options, result.replication_seeds[replication],
                               static_cast<int>(replication), points[task % points.size()], {});
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
      done[task] = 1;
      if (runs[task].failure.kind != FailureKind::none) failed = true;
      const std::size_t count = ++finished;
      if (show_progress) std::fprintf(stderr, "\r  %zu/%zu runs done ", count, total);
    }
  };
  unsigned threads = options.threads > 0 ? static_cast<unsigned>(options.threads)
                                         : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, total));
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back(work);
  for (std::thread& thread : pool) thread.join();
  if (show_progress) std::fprintf(stderr, "\r%40s\r", "");
  if (error) std::rethrow_exception(error);
  for (std::size_t task = 0; task < total; ++task) {
    if (done[task]) result.runs.push_back(std::move(runs[task]));
  }
}

}  // namespace

SweepResult run_sweep(const Options& options, std::uint64_t seed, bool show_progress) {
  SweepResult result;
  result.seed = seed;
  result.workload = describe_workload(options);
  const std::vector<SweepPoint> points = sweep_points(options);
  result.points = points.size();
  result.replication_seeds = replication_seeds(seed, options.replications);
  if (!result.replicated()) {
    run_one_seed(options, seed, points, show_progress, result);
  } else {
    run_replications(options, points, show_progress, result);
  }
  return result;
}

}  // namespace sim
