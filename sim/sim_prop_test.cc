// Properties over random workloads and settings (defragmenting drains and
// reconnecting users included), each checked at every step: the scheduler's
// invariants, the lower bound, the books of joins, and determinism. A failing case shrinks and
// prints its seed and settings.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <sstream>

#include "scheduler/policy.h"
#include "sim/reports.h"
#include "sim/simulator.h"
#include "sim/synthetic_workload.h"
#include "sim/trace_workload.h"
#include "sim/vector_workload.h"

namespace sim {
namespace {

// Small random synthetic workloads: short, busy, heavy-tailed, quick to check.
SyntheticConfig random_workload() {
  SyntheticConfig config;
  config.duration_s = *rc::gen::inRange(60, 1800);
  config.rooms_per_hour = *rc::gen::inRange(0, 1200);
  config.daily_cycle_amplitude = *rc::gen::inRange(0, 101) / 100.0;
  config.day_length_s = *rc::gen::inRange(600, 7200);
  config.room_lifetime_median_s = *rc::gen::inRange(5, 600);
  config.room_lifetime_sigma = *rc::gen::inRange(0, 200) / 100.0;
  config.room_users_pareto_alpha = *rc::gen::inRange(80, 300) / 100.0;
  config.room_users_max = *rc::gen::inRange(1, 130);
  config.user_stay_mean_s = *rc::gen::inRange(1, 600);
  config.messages_per_user_per_min = *rc::gen::inRange(0, 3);
  return config;
}

SimConfig random_settings(std::uint64_t seed, bool crashes) {
  SimConfig config;
  config.seed = seed;
  config.check_every = 1;
  config.scheduler.policy = *rc::gen::elementOf(sched::policy_names());
  config.scheduler.room_capacity = *rc::gen::inRange(1, 12);
  config.fleet.rooms_per_server_max = config.scheduler.room_capacity;
  config.scheduler.join_deadline = std::chrono::seconds(*rc::gen::inRange(5, 120));
  auto& autoscaler = config.scheduler.autoscaler;
  autoscaler.spare_room_slots = *rc::gen::inRange(0, 25);
  autoscaler.min_servers = *rc::gen::inRange(0, 3);
  autoscaler.max_servers = *rc::gen::inRange(autoscaler.min_servers + 1, 60);
  autoscaler.idle_before_stop = std::chrono::seconds(*rc::gen::inRange(0, 300));
  autoscaler.start_timeout = std::chrono::seconds(*rc::gen::inRange(20, 200));
  // Starts shorter than the timeout: with every start slower, no room could
  // ever be served, and the liveness check would rightly fail.
  config.fleet.start_delay_ms_min = *rc::gen::inRange(0, 10'000);
  config.fleet.start_delay_ms_max =
      *rc::gen::inRange(config.fleet.start_delay_ms_min, autoscaler.start_timeout.count());
  config.fleet.users_per_room_max = *rc::gen::inRange(1, 101);
  config.fleet.crashes_per_server_hour = crashes ? *rc::gen::inRange(1, 20) / 2.0 : 0;
  config.poll_interval_ms = *rc::gen::inRange(100, 5000);
  config.tick_interval_ms = *rc::gen::inRange(100, 5000);
  config.lookup_retry_ms = *rc::gen::inRange(50, 3000);
  // Drains (the defrag policy) and reconnects after crashes and moves.
  autoscaler.defrag_max_rooms = *rc::gen::inRange(0, config.scheduler.room_capacity + 1);
  autoscaler.defrag_interval = std::chrono::seconds(*rc::gen::inRange(0, 120));
  config.failover = *rc::gen::element(Failover::leave, Failover::polls, Failover::probe);
  config.reconnect_delay_ms = *rc::gen::inRange(0, 5000);
  config.drain_confirm_ms = *rc::gen::inRange(0, 5000);
  return config;
}

RunReport run_synthetic(const SyntheticConfig& workload_config, const SimConfig& config) {
  SyntheticWorkload workload(workload_config, derive_seed(config.seed, "workload"));
  return Simulator(config, workload).run();
}

void require_no_failure(const RunReport& report, std::uint64_t seed) {
  RC_LOG() << "seed " << seed << ", " << report.label() << ": " << to_string(report.failure.kind)
           << " at " << report.failure.time_ms << " ms: " << report.failure.what << "\n";
  RC_ASSERT(report.failure.kind == FailureKind::none);
}

// Every scheduler invariant, the fleet's limits and the join books hold
// after every step, and the run is live, even with servers crashing.
RC_GTEST_PROP(SimProperties, InvariantsHoldAtEveryStep, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const SyntheticConfig workload = random_workload();
  const SimConfig config = random_settings(seed, *rc::gen::arbitrary<bool>());
  require_no_failure(run_synthetic(workload, config), seed);
}

// Without crashes, servers in use never fall below ceil(active rooms / rooms
// per server): the checker tests it at every step, and the worst gap agrees.
RC_GTEST_PROP(SimProperties, ServersNeverFewerThanTheLowerBound, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const SimConfig config = random_settings(seed, false);
  const RunReport report = run_synthetic(random_workload(), config);
  require_no_failure(report, seed);
  RC_ASSERT(report.gap_worst >= 0);
  RC_ASSERT(report.servers_peak >= report.lower_bound_peak);
}

// Rooms that only arrive (nobody leaves), servers that start at once, no
// spare: a policy that puts a room anywhere it fits never opens a server
// before every other is full, so the fleet is exactly the lower bound.
RC_GTEST_PROP(SimProperties, AnyFitUsesExactlyTheLowerBoundOnArrivals, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  SimConfig config;
  config.seed = seed;
  config.check_every = 1;
  config.scheduler.policy =
      *rc::gen::elementOf(std::vector<std::string>{"first-fit", "best-fit", "least-loaded"});
  config.scheduler.room_capacity = *rc::gen::inRange(1, 12);
  config.fleet.rooms_per_server_max = config.scheduler.room_capacity;
  config.fleet.start_delay_ms_min = 0;
  config.fleet.start_delay_ms_max = 0;
  const auto arrival_times =
      *rc::gen::container<std::vector<std::int64_t>>(rc::gen::inRange<std::int64_t>(0, 600'000));
  std::vector<WorkloadEvent> events;
  std::uint64_t room = 0;
  for (std::int64_t at_ms : arrival_times) {
    ++room;
    events.push_back({at_ms, EventKind::create, room, room, 0});
    events.push_back({at_ms, EventKind::join, room, room, 0});
  }
  VectorWorkload workload(events);
  const RunReport report = Simulator(config, workload).run();
  require_no_failure(report, seed);
  const int capacity = config.scheduler.room_capacity;
  const int needed = (static_cast<int>(arrival_times.size()) + capacity - 1) / capacity;
  RC_ASSERT(report.gap_worst == 0);
  RC_ASSERT(report.gap_mean == 0.0);
  RC_ASSERT(report.servers_peak == needed);
  RC_ASSERT(report.scale_out == static_cast<std::uint64_t>(needed));
}

// Nothing vanishes: every join in the workload ends accepted, refused with a
// reason, or cancelled by its user's leave. The joins and leaves are counted
// from the workload itself, not from the simulator's books (which its own
// checker already balances), so a join the simulator skipped or counted
// twice fails here; and joins of rooms never created must be refused.
RC_GTEST_PROP(SimProperties, EveryJoinIsAcceptedOrRefusedWithAReason, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  SyntheticWorkload generated(random_workload(), derive_seed(seed, "workload"));
  std::vector<WorkloadEvent> events = collect(generated);
  std::uint64_t room_max = 0;
  std::uint64_t user_max = 0;
  for (const WorkloadEvent& event : events) {
    room_max = std::max(room_max, event.room);
    user_max = std::max(user_max, event.user);
  }
  // Joins of rooms nobody created, by users seen nowhere else: whatever the
  // scheduler does, each must be refused as unknown.
  const auto strays =
      *rc::gen::container<std::vector<std::int64_t>>(rc::gen::inRange<std::int64_t>(0, 1'800'000));
  for (std::size_t i = 0; i < strays.size(); ++i) {
    events.push_back({strays[i], EventKind::join, room_max + 1 + i, user_max + 1 + i, 0});
  }
  std::uint64_t joins = 0;
  std::uint64_t leaves = 0;
  for (const WorkloadEvent& event : events) {
    joins += event.kind == EventKind::join;
    leaves += event.kind == EventKind::leave;
  }
  VectorWorkload workload(std::move(events));
  const RunReport report = Simulator(random_settings(seed, true), workload).run();
  require_no_failure(report, seed);
  RC_LOG() << joins << " joins and " << leaves
           << " leaves in the workload; report: " << report.joins << " joins, "
           << report.joins_accepted << " accepted, " << report.joins_refused_total() << " refused, "
           << report.joins_cancelled << " cancelled\n";
  RC_ASSERT(report.joins == joins);
  RC_ASSERT(report.joins_accepted + report.joins_refused_total() + report.joins_cancelled == joins);
  RC_ASSERT(report.joins_cancelled <= leaves);  // only a leave cancels a wait
  // A user who reconnected can lose the connection again to the next crash.
  RC_ASSERT(report.users_lost_to_crashes <= report.joins_accepted + report.reconnects);
  RC_ASSERT(report.joins_refused[static_cast<int>(JoinRefusal::unknown_room)] >= strays.size());
}

// The same seed gives the same trace and the same report, byte for byte.
RC_GTEST_PROP(SimProperties, TheSameSeedGivesTheSameTraceAndReport, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const SyntheticConfig workload_config = random_workload();
  const SimConfig config = random_settings(seed, true);
  const auto trace = [&] {
    SyntheticWorkload workload(workload_config, derive_seed(seed, "workload"));
    std::ostringstream text;
    write_trace(workload, text);
    return text.str();
  };
  const auto report = [&] {
    std::ostringstream text;
    write_json(text, SweepResult{seed, "w", {run_synthetic(workload_config, config)}});
    return text.str();
  };
  RC_ASSERT(trace() == trace());
  RC_ASSERT(report() == report());
}

}  // namespace
}  // namespace sim
