// The fleet's side of the run: servers becoming ready and crashing, the
// backend's status polls, the scheduler's ticks and the checks.
#include <algorithm>

#include "sim/simulator.h"

namespace sim {

void Simulator::on_server_ready(std::uint32_t index) {
  if (!fleet_.finish_start(index)) return;  // stopped or crashed meanwhile
  SimServer& server = fleet_.at(index);
  server.poll_order = ++servers_became_ready_;
  drive(core::ServerStarted{{server.id, server.host, server.host, 0}});
  server.poll.server_key = scheduler().key_of(server.id).value_or(0);
}

void Simulator::on_server_crash(std::uint32_t index) {
  // Only servers that became ready are polled; those go on being polled,
  // unanswered, until the scheduler takes them as gone.
  const bool polled = index < fleet_.size() && fleet_.at(index).phase == ServerPhase::running;
  for (const HostedRoom& lost : fleet_.crash(index)) {
    report_.users_lost_to_crashes += lost.users;
    ++report_.rooms_lost_to_crashes;
    interrupt_room(rooms_.at(lost.room), /*by_crash=*/true, static_cast<std::int32_t>(index));
  }
  if (polled) crashed_polled_.push_back(index);
}

void Simulator::watch_if_placed(const SimulatedRoom& room) {
  const sched::RoomRecord* record = scheduler().rooms().find(room.scheduler_key);
  if (record != nullptr && record->state == sched::RoomState::placed) {
    placements_watched_.push_back(room.scheduler_key);
  }
}

// Reports that cannot change the table are skipped: a server whose rooms
// and users are as last reported would only repeat itself. The scheduler can
// also put a room on a server that the server does not know of (placed,
// nobody in it yet: a user who left while waiting, a drain's room whose
// users gave up); such a server reports every tenth round while the table's
// room count differs from its own, so that the join deadline frees the
// room. The rooms watched are those the simulator saw placed, so this looks
// at a few servers, not the fleet.
void Simulator::add_unjoined_placements(std::vector<std::uint32_t>& round) {
  std::sort(placements_watched_.begin(), placements_watched_.end());
  placements_watched_.erase(std::unique(placements_watched_.begin(), placements_watched_.end()),
                            placements_watched_.end());
  std::size_t kept = 0;
  for (sched::RoomKey key : placements_watched_) {
    const sched::RoomRecord* room = scheduler().rooms().find(key);
    if (room == nullptr || room->state != sched::RoomState::placed) continue;  // settled
    placements_watched_[kept++] = key;
    const sched::ServerId* id = scheduler().server_id(room->server);
    const std::optional<std::uint32_t> index = id ? fleet_.index_of_id(*id) : std::nullopt;
    if (!index) continue;
    SimServer& server = fleet_.at(*index);
    if (server.phase != ServerPhase::running || server.report_due) continue;
    if (scheduler().rooms().count_on(room->server) != static_cast<int>(server.rooms.size())) {
      server.report_due = true;
      round.push_back(*index);
    }
  }
  placements_watched_.resize(kept);
}

void Simulator::poll_round() {
  ++poll_rounds_;
  std::vector<std::uint32_t>& round = poll_round_servers_;
  fleet_.take_report_due(round);
  if (config_.report_every_poll) {
    for (std::uint32_t index = 0; index < fleet_.size(); ++index) {
      SimServer& server = fleet_.at(index);
      if (server.phase != ServerPhase::running || server.report_due) continue;
      server.report_due = true;
      round.push_back(index);
    }
  } else if (poll_rounds_ % 10 == 0) {
    add_unjoined_placements(round);
  }
  // Crashed servers are polled too (and each in the list once: a server
  // marked due before it crashed is not reported).
  round.insert(round.end(), crashed_polled_.begin(), crashed_polled_.end());
  // In the order the servers became ready, as the backend polls them.
  std::sort(round.begin(), round.end(), [this](std::uint32_t a, std::uint32_t b) {
    return fleet_.at(a).poll_order < fleet_.at(b).poll_order;
  });
  std::size_t crashed_kept = 0;
  for (std::uint32_t index : round) {
    SimServer& server = fleet_.at(index);
    if (server.phase == ServerPhase::running) {
      if (!server.report_due) continue;
      server.report_due = false;
      // Fed as the server keeps it: the core keeps nothing of it, and a
      // large fleet's reports add up.
      drive(server.poll);
    } else if (server.phase == ServerPhase::crashed) {
      if (server.report_due) {
        server.report_due = false;  // marked before it crashed: its place is the crashed list's
        continue;
      }
      drive(core::Polled{server.id, core::NotHeard{"connection refused", true}});
      ++server.polls_unanswered;
      // Polled until the scheduler has taken it as gone (usually after
      // failed_polls_before_gone polls; sooner by a failover probe).
      const std::optional<sched::ServerView> view = scheduler().server(server.id);
      if (view && view->state != sched::ServerState::gone) crashed_polled_[crashed_kept++] = index;
    } else {
      server.report_due = false;  // stopped: the backend stops polling it
    }
  }
  crashed_polled_.resize(crashed_kept);
  queue_.push(now_ms() + config_.poll_interval_ms, SimEvent{SimEventKind::poll_round});
}

void Simulator::tick() {
  drive(core::Tick{});  // its drains come back as DrainSession effects
  queue_.push(now_ms() + config_.tick_interval_ms, SimEvent{SimEventKind::tick});
}

bool Simulator::lower_bound_must_hold() const {
  // Crashes and given-up starts take servers away from rooms that still
  // count as active until their users notice (or, reconnecting, while they
  // wait for the room's next server): the bound is not a rule then.
  return config_.fleet.crashes_per_server_hour <= 0 && config_.fleet.crashes_scheduled.empty() &&
         config_.fleet.start_failure_rate <= 0 &&
         config_.fleet.start_delay_ms_max < config_.scheduler.autoscaler.start_timeout.count();
}

void Simulator::check_now() {
  check_due_ = false;
  ++report_.invariant_checks;
  std::string broken = check_scheduler(scheduler());
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
  if (!scheduler().rooms().empty()) {
    return fail(FailureKind::liveness, "the scheduler still holds " +
                                           std::to_string(scheduler().rooms().size()) +
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
