#include "sim/sim_fleet.h"

#include <algorithm>
#include <stdexcept>

namespace sim {

SimFleet::SimFleet(FleetConfig config, std::uint64_t seed, BucketQueue<SimEvent>& queue,
                   const sched::ManualClock& clock)
    : config_(config), rng_(seed), queue_(queue), clock_(clock) {}

std::optional<sched::ServerId> SimFleet::start_server() {
  if (servers_.size() >= config_.servers_max) return std::nullopt;
  const auto index = static_cast<std::uint32_t>(servers_.size());
  SimServer& server = servers_.emplace_back();
  server.id = "s" + std::to_string(index + 1);
  server.host = server.id + ":8000";
  server.poll.server_id = server.id;
  server.status().host = server.host;
  ++servers_in_use_;

  const std::int64_t now_ms = clock_.now().count();
  const std::int64_t delay_ms =
      config_.start_delays
          ? config_.start_delays->sample_ms(rng_)
          : uniform_int(rng_, config_.start_delay_ms_min,
                        std::max(config_.start_delay_ms_min, config_.start_delay_ms_max));
  if (config_.start_failure_rate > 0 && uniform01(rng_) < config_.start_failure_rate) {
    ++starts_failed_;  // never ready: the scheduler's start timeout stops it
  } else {
    queue_.push(now_ms + delay_ms, SimEvent{SimEventKind::server_ready, index, 0, 0});
  }
  if (config_.crashes_per_server_hour > 0) {
    const double lifetime_ms = exponential(rng_, 3600e3 / config_.crashes_per_server_hour);
    queue_.push(now_ms + static_cast<std::int64_t>(lifetime_ms),
                SimEvent{SimEventKind::server_crash, index, 0, 0});
  }
  return server.id;
}

bool SimFleet::start_named(const sched::ServerId& id) {
  if (named_ahead_ > 0) --named_ahead_;
  auto started = start_server();
  if (started && *started != id) {
    throw std::logic_error("the fleet started " + *started + " where " + id + " was asked");
  }
  return started.has_value();
}

void SimFleet::stop_server(const sched::ServerId& id) {
  const auto index = index_of_id(id);
  if (!index) throw std::logic_error("scheduler stopped unknown server " + id);
  SimServer& server = servers_[*index];
  if (server.phase != ServerPhase::starting && server.phase != ServerPhase::running) return;
  for (const sched::RoomReport& room : server.status().rooms) users_lost_to_stops_ += room.users;
  leave_service(server, ServerPhase::stopped);
}

void SimFleet::leave_service(SimServer& server, ServerPhase phase) {
  server.phase = phase;
  server.rooms.clear();
  server.status().rooms.clear();
  --servers_in_use_;
}

bool SimFleet::finish_start(std::uint32_t index) {
  SimServer& server = servers_[index];
  if (server.phase != ServerPhase::starting) return false;
  server.phase = ServerPhase::running;
  mark_report_due(index);
  return true;
}

std::vector<HostedRoom> SimFleet::crash(std::uint32_t index) {
  if (index >= servers_.size()) return {};  // a scheduled crash of a server never started
  SimServer& server = servers_[index];
  if (server.phase != ServerPhase::starting && server.phase != ServerPhase::running) return {};
  std::vector<HostedRoom> lost;
  for (std::size_t i = 0; i < server.rooms.size(); ++i) {
    lost.push_back({server.rooms[i], server.status().rooms[i].users});
  }
  leave_service(server, ServerPhase::crashed);
  ++crashes_;
  return lost;
}

void SimFleet::begin_drain(std::uint32_t index) {
  SimServer& server = servers_[index];
  server.draining = true;
  server.status().draining = true;
}

std::vector<HostedRoom> SimFleet::close_for_drain(std::uint32_t index) {
  SimServer& server = servers_[index];
  std::vector<HostedRoom> closed;
  for (std::size_t i = 0; i < server.rooms.size(); ++i) {
    closed.push_back({server.rooms[i], server.status().rooms[i].users});
  }
  server.rooms.clear();
  server.status().rooms.clear();
  mark_report_due(index);
  return closed;
}

int SimFleet::find_room(const SimServer& server, std::uint64_t room) {
  const auto found = std::find(server.rooms.begin(), server.rooms.end(), room);
  return found == server.rooms.end() ? -1 : static_cast<int>(found - server.rooms.begin());
}

JoinOutcome SimFleet::join(std::uint32_t index, std::uint64_t room,
                           const sched::RoomId& scheduler_id, sched::RoomKey key) {
  SimServer& server = servers_[index];
  if (server.phase != ServerPhase::running) return JoinOutcome::server_down;
  if (server.draining) return JoinOutcome::draining;
  int position = find_room(server, room);
  if (position < 0) {
    // The server enforces its own room limit, whatever the scheduler thinks.
    if (static_cast<int>(server.rooms.size()) >= config_.rooms_per_server_max) {
      return JoinOutcome::server_full;
    }
    position = static_cast<int>(server.rooms.size());
    server.rooms.push_back(room);
    server.status().rooms.push_back(sched::RoomReport{scheduler_id, 0, key});
    // A room appeared: the scheduler learns it is joined. Users coming and
    // going in a room that stays occupied change nothing the scheduler
    // decides on (only its users gauge), so they do not make a report due.
    mark_report_due(index);
  }
  int& users = server.status().rooms[position].users;
  if (users >= config_.users_per_room_max) return JoinOutcome::room_full;
  ++users;
  return JoinOutcome::joined;
}

int SimFleet::leave(std::uint32_t index, std::uint64_t room) {
  SimServer& server = servers_[index];
  const int position = find_room(server, room);
  if (position < 0) return 0;
  const int left = --server.status().rooms[position].users;
  if (left <= 0) {
    mark_report_due(index);  // the room is gone: the scheduler frees its slot
    // The last room takes its place, in both lists (the report's order, as
    // before, so the scheduler sees the same reports).
    server.rooms[position] = server.rooms.back();
    server.rooms.pop_back();
    server.status().rooms[position] = std::move(server.status().rooms.back());
    server.status().rooms.pop_back();
  }
  return left;
}

int SimFleet::users_in(std::uint32_t index, std::uint64_t room) const {
  const SimServer& server = servers_[index];
  const int position = find_room(server, room);
  return position < 0 ? 0 : server.status().rooms[position].users;
}

namespace {

// "s<n><suffix>" -> n - 1, if n names one of `count` servers. By hand: a
// host is parsed on every join, and std::from_chars cost twice this.
std::optional<std::uint32_t> parse_index(std::string_view text, std::string_view suffix,
                                         std::size_t count) {
  if (text.size() < 2 || text[0] != 's') return std::nullopt;
  std::size_t number = 0;
  std::size_t end = 1;
  for (; end < text.size() && text[end] >= '0' && text[end] <= '9'; ++end) {
    number = number * 10 + static_cast<std::size_t>(text[end] - '0');
    if (number > count) return std::nullopt;  // also before it could overflow
  }
  if (end == 1 || number == 0 || text.size() - end != suffix.size()) return std::nullopt;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (text[end + i] != suffix[i]) return std::nullopt;
  }
  return static_cast<std::uint32_t>(number - 1);
}

}  // namespace

std::optional<std::uint32_t> SimFleet::index_of_host(const std::string& host) const {
  // Hosts are "s<n>:8000"; parsing beats a hash map on the join path.
  return parse_index(host, ":8000", servers_.size());
}

std::optional<std::uint32_t> SimFleet::index_of_id(std::string_view id) const {
  return parse_index(id, "", servers_.size());
}

void SimFleet::mark_report_due(std::uint32_t index) {
  SimServer& server = servers_[index];
  if (server.report_due) return;
  server.report_due = true;
  report_due_.push_back(index);
}

void SimFleet::take_report_due(std::vector<std::uint32_t>& round) {
  round.swap(report_due_);
  report_due_.clear();
}

}  // namespace sim
