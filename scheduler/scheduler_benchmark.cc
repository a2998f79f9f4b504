// The cost of one placement: create_room, then the room freed again through
// its server's report (0 users), so the fleet stays as it was. Per policy, at
// 10, 1,000, 10,000 and 100,000 ready servers with uneven free slots (server i has
// 1 + i % 10), so that the fullest/emptiest choices are real ones. Free slots
// come from capacities rather than rooms so that the freeing report holds
// just the one room and costs the same whatever the server held.
#include <benchmark/benchmark.h>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

void BM_Placement(benchmark::State& state, const std::string& policy) {
  const int server_count = static_cast<int>(state.range(0));
  testing::FakeFleet fleet;
  fleet.refuse_starts = true;
  SchedulerConfig config;
  config.policy = policy;
  config.autoscaler.max_servers = server_count;
  Scheduler scheduler(config, fleet, sequential_room_ids(), Random(1));
  const Millis now{0};
  for (int i = 0; i < server_count; ++i) {
    const std::string id = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250);
    scheduler.on_server_started(id, id, now, 1 + i % 10);
  }
  for (auto _ : state) {
    const CreateResult created = scheduler.create_room(now);
    const Placed& placed = std::get<Placed>(created);
    // The server id is its host here, as in a static fleet.
    scheduler.on_status(placed.host, {placed.host, false, {{placed.room_id, 0}}}, now);
  }
  if (!scheduler.check_invariants().empty()) state.SkipWithError("invariants broken");
}

void register_benchmarks() {
  for (const std::string& policy : policy_names()) {
    benchmark::RegisterBenchmark(("placement/" + policy).c_str(), BM_Placement, policy)
        ->Arg(10)
        ->Arg(1000)
        ->Arg(10000)
        ->Arg(100000)
        ->Unit(benchmark::kNanosecond);
  }
}

}  // namespace
}  // namespace sched

// Our own main (benchmark_main's is then not linked): the benchmarks are
// registered at run time, one per name policy_names() lists.
int main(int argc, char** argv) {
  sched::register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
