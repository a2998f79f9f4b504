// The fleet's side of the run: servers becoming ready and crashing, the
// backend's status polls, the scheduler's ticks and the checks.
#include "sim/simulator.h"

namespace sim {

void Simulator::on_server_ready(std::uint32_t index) {
  if (!fleet_.finish_start(index)) return;  // stopped or crashed meanwhile
  const SimServer& server = fleet_.at(index);
  scheduler_.on_server_started(server.id, server.host, clock_.now());
  after_scheduler_call();
  polled_.push_back(index);
}

void Simulator::on_server_crash(std::uint32_t index) {
  for (const HostedRoom& lost : fleet_.crash(index)) {
    report_.users_lost_to_crashes += lost.users;
    ++report_.rooms_lost_to_crashes;
    interrupt_room(rooms_.at(lost.room), /*by_crash=*/true, static_cast<std::int32_t>(index));
  }
}

// Reports that cannot change the table are skipped: a server whose rooms
// and users are as last reported, and that had no room placed on it since,
// would only repeat itself. One case escapes these flags (a room the
// scheduler moves onto a ready server by itself, after a start timeout), so
// every tenth round also compares the table's room count with the server's.
bool Simulator::needs_report(std::uint32_t index) const {
  const SimServer& server = fleet_.at(index);
  if (config_.report_every_poll || server.report_due) return true;
  if (poll_rounds_ % 10 != 0) return false;
  // room_count, not server(): the view would copy the id and host strings,
  // for every server every tenth second.
  const std::optional<int> held = scheduler_.room_count(server.id);
  return !held || *held != static_cast<int>(server.rooms.size());
}

void Simulator::poll_round() {
  ++poll_rounds_;
  std::size_t kept = 0;
  for (std::uint32_t index : polled_) {
    SimServer& server = fleet_.at(index);
    bool keep = true;
    if (server.phase == ServerPhase::running) {
      if (needs_report(index)) {
        scheduler_.on_status(server.id, fleet_.status(index), clock_.now());
        server.report_due = false;
        after_scheduler_call();
      }
    } else if (server.phase == ServerPhase::crashed) {
      scheduler_.on_unreachable(server.id, clock_.now());
      after_scheduler_call();
      ++server.polls_unanswered;
      // Polled until the scheduler has taken it as gone (usually after
      // failed_polls_before_gone polls; sooner by a failover probe).
      const std::optional<sched::ServerView> view = scheduler_.server(server.id);
      keep = view && view->state != sched::ServerState::gone;
    } else {
      keep = false;  // stopped: the backend stops polling it
    }
    if (keep) polled_[kept++] = index;
  }
  polled_.resize(kept);
  queue_.push(now_ms() + config_.poll_interval_ms, SimEvent{SimEventKind::poll_round});
}

void Simulator::tick() {
  const sched::FleetActions actions = scheduler_.tick(clock_.now());
  after_scheduler_call();
  begin_drains(actions.drain);
  queue_.push(now_ms() + config_.tick_interval_ms, SimEvent{SimEventKind::tick});
}

void Simulator::after_scheduler_call() {
  if (config_.check_every > 0 && ++calls_since_check_ >= config_.check_every) {
    calls_since_check_ = 0;
    check_due_ = true;  // checked between steps, when the books balance
  }
}

bool Simulator::lower_bound_must_hold() const {
  // Crashes and given-up starts take servers away from rooms that still
  // count as active until their users notice (or, reconnecting, while they
  // wait for the room's next server): the bound is not a rule then.
  return config_.fleet.crashes_per_server_hour <= 0 && config_.fleet.crashes_scheduled.empty() &&
         config_.fleet.start_delay_ms_max < config_.scheduler.autoscaler.start_timeout.count();
}

void Simulator::check_now() {
  check_due_ = false;
  ++report_.invariant_checks;
  std::string broken = check_scheduler(scheduler_);
  if (broken.empty()) broken = check_fleet(fleet_);
  if (broken.empty()) broken = check_join_accounting(report_, users_waiting_);
  if (broken.empty() && lower_bound_must_hold()) {
    broken = check_lower_bound(fleet_.servers_in_use(), timeline_.lower_bound());
  }
  if (!broken.empty()) fail(FailureKind::correctness, broken);
}

std::int64_t Simulator::wait_limit_ms() const {
  return 2 * config_.scheduler.autoscaler.start_timeout.count() + config_.fleet.start_delay_ms_max +
         60'000;
}

void Simulator::check_liveness_at_end() {
  if (users_waiting_ > 0) {
    return fail(FailureKind::liveness,
                std::to_string(users_waiting_) + " users still waiting for a server at the end");
  }
  if (users_reconnecting_ > 0) {
    return fail(FailureKind::liveness,
                std::to_string(users_reconnecting_) + " users still reconnecting at the end");
  }
  if (!users_.empty()) return;  // the trace left users inside: the fleet must stay
  if (!scheduler_.rooms().rooms().empty()) {
    return fail(FailureKind::liveness, "the scheduler still holds " +
                                           std::to_string(scheduler_.rooms().size()) +
                                           " rooms after every user left");
  }
  const auto& autoscaler = config_.scheduler.autoscaler;
  const int capacity = config_.scheduler.room_capacity;
  const int for_spare = (autoscaler.spare_room_slots + capacity - 1) / capacity;
  const int floor = std::min(autoscaler.max_servers, std::max(autoscaler.min_servers, for_spare));
  if (fleet_.servers_in_use() > floor) {
    fail(FailureKind::liveness,
         "the fleet did not scale in: " + std::to_string(fleet_.servers_in_use()) +
             " servers in use after every user left, expected " + std::to_string(floor));
  }
}

}  // namespace sim
