// Simulated events per second on one core: the whole loop (workload, fleet,
// polls, ticks, the real scheduler), with the workload generated beforehand
// so the generator is not what is measured. Run with
//   bazel run -c opt //sim:sim_benchmark
#include <benchmark/benchmark.h>

#include "sim/simulator.h"
#include "sim/synthetic_workload.h"
#include "sim/vector_workload.h"

namespace sim {
namespace {

std::vector<WorkloadEvent> day_of_rooms(double rooms_per_hour) {
  SyntheticConfig config;
  config.duration_s = 24 * 3600.0;
  config.rooms_per_hour = rooms_per_hour;
  SyntheticWorkload workload(config, 1);
  return collect(workload);
}

void BM_SimulateDay(benchmark::State& state) {
  const std::vector<WorkloadEvent> events = day_of_rooms(static_cast<double>(state.range(0)));
  std::uint64_t simulated_events = 0;
  for (auto _ : state) {
    VectorWorkload workload(events);
    SimConfig config;
    config.seed = 1;
    config.scheduler.policy = "best-fit";
    config.scheduler.autoscaler.max_servers = 100'000;
    config.fleet.crashes_per_server_hour = 0.02;
    const RunReport report = Simulator(config, workload).run();
    simulated_events += report.events;
    benchmark::DoNotOptimize(report.server_seconds);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(simulated_events), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(simulated_events / state.iterations());
}
BENCHMARK(BM_SimulateDay)->Arg(200)->Arg(5000)->Unit(benchmark::kMillisecond);

void BM_GenerateSynthetic(benchmark::State& state) {
  std::uint64_t generated = 0;
  for (auto _ : state) generated += day_of_rooms(5000).size();
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(generated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GenerateSynthetic)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sim
