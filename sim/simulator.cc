// The run loop: time advances to the earliest of the next workload event and
// the next simulator event; at equal times the workload goes first, then
// simulator events in scheduling order. Users are in users.cc, the fleet's
// events, polls, ticks and checks in fleet_events.cc.
#include "sim/simulator.h"

#include <algorithm>
#include <cmath>
#include <variant>

#include "sim/random.h"
#include "sim/trace_workload.h"

namespace sim {
namespace {

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

RunReport::Downtime downtime(std::vector<std::int64_t>& ms) {
  std::sort(ms.begin(), ms.end());
  RunReport::Downtime summary;
  summary.rooms = ms.size();
  summary.p50_ms = percentile(ms, 0.50);
  summary.p99_ms = percentile(ms, 0.99);
  summary.max_ms = ms.empty() ? 0 : ms.back();
  return summary;
}

// Long enough after the last workload event for every room to be freed and
// every idle server to be stopped, so that liveness can be judged.
std::int64_t drain_ms(const SimConfig& config) {
  const auto& autoscaler = config.scheduler.autoscaler;
  return autoscaler.idle_before_stop.count() + autoscaler.start_timeout.count() +
         config.scheduler.join_deadline.count() + config.scheduler.empty_room_grace.count() +
         config.fleet.start_delay_ms_max +
         10 * (config.poll_interval_ms + config.tick_interval_ms) + 60'000;
}

// The backend's decisions, with the fleet the simulator runs.
core::ControlOptions core_options(const SimConfig& config, SimFleet& fleet) {
  core::ControlOptions options;
  options.scheduler = config.scheduler;
  options.fleet.can_start = true;
  options.fleet.can_stop = true;
  options.server_ids = [&fleet] { return fleet.next_id(); };
  // A creation waits for its server as long as a start may take, as the
  // backend's does (both are --server-start-timeout there).
  options.start_wait_max = config.scheduler.autoscaler.start_timeout;
  options.placement_attempts = config.placement_attempts;
  return options;
}

}  // namespace

Simulator::Simulator(SimConfig config, Workload& workload)
    : config_(std::move(config)),
      workload_(workload),
      fleet_(config_.fleet, derive_seed(config_.seed, "fleet"), queue_, clock_),
      core_(core_options(config_, fleet_), sched::sequential_room_ids("r"),
            sched::Random(derive_seed(config_.seed, "scheduler"))),
      timeline_(config_.scheduler.room_capacity, config_.sample_interval_ms, config_.samples_max) {
  report_.policy = config_.scheduler.policy;
  report_.spare_room_slots = config_.scheduler.autoscaler.spare_room_slots;
  report_.idle_timeout_s = std::chrono::duration_cast<std::chrono::seconds>(
                               config_.scheduler.autoscaler.idle_before_stop)
                               .count();
  report_.defrag_max_rooms = config_.scheduler.autoscaler.defrag_max_rooms;
  report_.failover = config_.failover;
}

RunReport Simulator::run(const ProgressFn& progress) {
  queue_.push(0, SimEvent{SimEventKind::tick});
  queue_.push(0, SimEvent{SimEventKind::poll_round});
  for (const ScheduledCrash& crash : config_.fleet.crashes_scheduled) {
    queue_.push(crash.time_ms, SimEvent{SimEventKind::server_crash, crash.server_index});
  }
  try {
    WorkloadEvent next;
    bool have_next = workload_.next(next);
    std::int64_t end_ms = have_next ? -1 : drain_ms(config_);
    while (report_.failure.kind == FailureKind::none) {
      const std::int64_t queue_ms = queue_.top_time_ms();
      const bool from_workload = have_next && next.time_ms <= queue_ms;
      const std::int64_t at_ms = from_workload ? next.time_ms : queue_ms;
      if (end_ms >= 0 && at_ms > end_ms) break;
      timeline_.advance_to(at_ms);
      clock_.set(sched::Millis{at_ms});
      if (from_workload) {
        step(next);
        have_next = workload_.next(next);
        if (!have_next) end_ms = at_ms + drain_ms(config_);
      } else {
        step(queue_.pop().payload);
      }
      timeline_.set(fleet_.servers_in_use(), active_rooms_);
      if (check_due_) check_now();
      ++report_.events;
      if (progress && (report_.events & 0xFFFFF) == 0) progress(at_ms, report_.events);
    }
    if (report_.failure.kind == FailureKind::none) check_now();
    if (report_.failure.kind == FailureKind::none) check_liveness_at_end();
  } catch (const TraceError&) {
    throw;  // bad input, not a failure of the system under test
  } catch (const std::exception& error) {
    fail(FailureKind::crash, std::string("exception: ") + error.what());
  }
  finish_report();
  return report_;
}

void Simulator::finish_report() {
  const sched::SchedulerMetrics metrics = scheduler().metrics();
  report_.scale_out = metrics.servers_started;
  report_.scale_in = metrics.servers_stopped_idle;
  report_.start_timeouts = metrics.servers_start_timed_out;
  report_.starts_failed = fleet_.starts_failed();
  report_.server_crashes = fleet_.crashes();
  report_.simulated_ms = now_ms();
  std::sort(waits_ms_.begin(), waits_ms_.end());
  report_.wait_p50_ms = percentile(waits_ms_, 0.50);
  report_.wait_p99_ms = percentile(waits_ms_, 0.99);
  report_.wait_max_ms = waits_ms_.empty() ? 0 : waits_ms_.back();
  report_.drains = metrics.drains_for_defrag;
  report_.drains_cancelled = metrics.drains_cancelled + metrics.drains_abandoned;
  report_.rooms_moved = metrics.rooms_moved_by_drain;
  report_.servers_marked_gone_by_probe = metrics.servers_marked_gone_by_probe;
  report_.downtime_crash = downtime(downtimes_crash_ms_);
  report_.downtime_move = downtime(downtimes_move_ms_);
  timeline_.finish(report_);
}

void Simulator::step(const WorkloadEvent& event) {
  switch (event.kind) {
    case EventKind::create:
      return on_create(event);
    case EventKind::join:
      return on_join(event);
    case EventKind::leave:
      return on_leave(event);
    case EventKind::message:
      return on_message(event);
  }
}

void Simulator::step(const SimEvent& event) {
  switch (event.kind) {
    case SimEventKind::server_ready:
      return on_server_ready(event.server);
    case SimEventKind::server_crash:
      return on_server_crash(event.server);
    case SimEventKind::poll_round:
      return poll_round();
    case SimEventKind::tick:
      return tick();
    case SimEventKind::lookup_retry:
      return on_lookup_retry(event);
    case SimEventKind::drain_confirm:
      return on_drain_confirm(event.server);
    case SimEventKind::core_wake:
      return drive(core::WakeUp{event.user});
    case SimEventKind::grace_ended:
      return fleet_.mark_report_due(event.server);
  }
}

void Simulator::fail(FailureKind kind, std::string what) {
  if (report_.failure.kind != FailureKind::none) return;  // the first failure is the story
  report_.failure = Failure{kind, now_ms(), std::move(what)};
}

}  // namespace sim
