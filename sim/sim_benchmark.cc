// Simulated events per second on one core: the whole loop (workload, fleet,
// polls, ticks, the real scheduler), with the workload generated beforehand
// so the generator is not what is measured. Run with
//   bazel run -c opt //sim:sim_benchmark
#include <benchmark/benchmark.h>

#include "sim/random.h"
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

// The million-room day of the README (`--rooms-per-hour=41667
// --message-rate=0`): ~9.6M events, up to ~2,750 servers in use at once.
// Measured as the command runs it, generator included (the events held in
// memory would take ~400 MB), with the invariant checks at their cadence.
void BM_MillionRoomDay(benchmark::State& state) {
  std::uint64_t simulated_events = 0;
  int servers_peak = 0;
  for (auto _ : state) {
    SyntheticConfig workload_config;
    workload_config.rooms_per_hour = 41667;
    workload_config.messages_per_user_per_min = 0;
    SyntheticWorkload workload(workload_config, derive_seed(1, "workload"));
    SimConfig config;
    config.seed = 1;
    config.scheduler.policy = "best-fit";
    config.scheduler.autoscaler.max_servers = 10'000;
    config.fleet.crashes_per_server_hour = 0.02;
    config.check_every = 100'000;
    const RunReport report = Simulator(config, workload).run();
    simulated_events += report.events;
    servers_peak = report.servers_peak;
    benchmark::DoNotOptimize(report.server_seconds);
  }
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(simulated_events), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(simulated_events / state.iterations());
  state.counters["servers_peak"] = servers_peak;
}
BENCHMARK(BM_MillionRoomDay)->Iterations(1)->Unit(benchmark::kSecond);

void BM_GenerateSynthetic(benchmark::State& state) {
  std::uint64_t generated = 0;
  for (auto _ : state) generated += day_of_rooms(5000).size();
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(generated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GenerateSynthetic)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sim
