// Placement, look-up and the server bookkeeping shared by everything else.
// Reconciliation with status reports is in reconcile.cc, the autoscaler's
// tick in scale.cc, the invariant checker in invariants.cc.
#include "scheduler/scheduler.h"

#include <algorithm>
#include <stdexcept>

#include "scheduler/check.h"

namespace sched {

Scheduler::Scheduler(SchedulerConfig config, FleetProvider& fleet, RoomIdGenerator room_ids,
                     Random random)
    : config_(std::move(config)),
      fleet_(fleet),
      room_ids_(std::move(room_ids)),
      random_(std::move(random)),
      policy_(make_policy(config_.policy)),
      candidates_(policy_ ? policy_->orders() : CandidateOrders{}) {
  if (!policy_) {
    std::string known;
    for (const std::string& name : policy_names()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown placement policy \"" + config_.policy +
                                "\"; known policies: " + known);
  }
  // A server must hold at least one room, or a started server could never
  // take the room it was started for.
  if (config_.room_capacity < 1) {
    throw std::invalid_argument("room_capacity must be at least 1, not " +
                                std::to_string(config_.room_capacity));
  }
  counters_.policy = config_.policy;
}

CreateResult Scheduler::create_room(Millis now) {
  ServerRecord* server = choose_server(now);
  if (server == nullptr) {
    ++counters_.create.no_capacity;
    return NoCapacity{config_.retry_after};
  }
  check_takes_room(*server);
  const RoomRecord& room = place_new_room(server->key, now);
  reindex(*server, now);  // changes no room: `room` stays where it is
  if (server->state == ServerState::ready) {
    ++counters_.create.placed;
    return Placed{room.id, server->host, room.key};
  }
  ++counters_.create.waiting;
  return Waiting{room.id, room.key};
}

LookupResult Scheduler::lookup(const RoomId& room_id, Millis now, RoomKey hint) {
  RoomRecord* room = rooms_.find(room_id, hint);
  if (room == nullptr) return UnknownRoom{};
  const ServerRecord& server = servers_.at(room->server);
  // A server draining itself is shutting down (it closes its sockets with
  // "look the room up again"), so a look-up moves the room, like a gone
  // server's. A drain we asked for moves the rooms only once confirmed
  // (on_drained): until then the room's history may still be being written.
  if (server.state == ServerState::gone ||
      (server.state == ServerState::draining && !server.drain_requested)) {
    return place_again(*room, now);
  }
  return answer_for(server);
}

LookupResult Scheduler::answer_for(const ServerRecord& server) const {
  if (server.state == ServerState::starting) return RoomStarting{};
  return RoomReady{server.host};
}

LookupResult Scheduler::place_again(RoomRecord& room, Millis now) {
  ServerRecord* target = choose_server(now);
  if (target == nullptr) {
    ++counters_.replace.no_capacity;
    return RoomUnavailable{config_.retry_after};
  }
  check_takes_room(*target);
  ServerRecord& previous = servers_.at(room.server);
  rooms_.move(room, target->key, now);
  reindex(previous, now);
  reindex(*target, now);
  forget_if_stopped_and_empty(previous, now);
  ++(target->state == ServerState::ready ? counters_.replace.placed : counters_.replace.waiting);
  return answer_for(*target);
}

ServerRecord* Scheduler::choose_server(Millis now) {
  if (!candidates_.empty()) {
    const ServerKey chosen = policy_->choose(candidates_, random_);
    SCHED_CHECK(candidates_.contains(chosen), "policy " + config_.policy + " chose server key " +
                                                  std::to_string(chosen) +
                                                  ", which is not a candidate");
    return &servers_.at(chosen);
  }
  // No ready server has room: a starting one will do (the client waits).
  for (ServerKey key : starting_) {
    ServerRecord& server = servers_.at(key);
    if (free_slots(server) > 0) return &server;
  }
  return start_server(now);
}

ServerRecord* Scheduler::start_server(Millis now) {
  if (fleet_numbers().live_servers >= config_.autoscaler.max_servers) return nullptr;
  std::optional<ServerId> id = fleet_.start_server();
  if (!id) return nullptr;
  ++counters_.servers_started;
  return &register_server(*id, ServerState::starting, now);
}

// Every path that puts a room on a server comes through here first: the
// server takes new rooms (ready, or starting and the client waits) and has a
// slot. Rooms a server reports are checked in claim_room instead (a draining
// server keeps the rooms it has).
void Scheduler::check_takes_room(const ServerRecord& server) const {
  SCHED_CHECK(server.state == ServerState::ready || server.state == ServerState::starting,
              "a room was about to go to " + describe(server) + ", which takes no new rooms");
  SCHED_CHECK(free_slots(server) > 0, "a room was about to go to " + describe(server) +
                                          ", which has no free slot of " +
                                          std::to_string(server.room_capacity));
}

RoomRecord& Scheduler::place_new_room(ServerKey server, Millis now) {
  // A generator that repeats itself this often is broken: say so.
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (RoomRecord* room = rooms_.try_place(room_ids_(), server, now)) return *room;
  }
  throw std::runtime_error("room id generator keeps returning ids already in use");
}

ServerRecord* Scheduler::find_server(const ServerId& server_id) {
  auto found = keys_.find(server_id);
  return found == keys_.end() ? nullptr : &servers_.at(found->second);
}

ServerRecord& Scheduler::register_server(const ServerId& server_id, ServerState state, Millis now) {
  if (ServerRecord* existing = find_server(server_id)) {
    // The fleet reuses ids (a restarted static host, a reused port).
    if (existing->state == ServerState::gone) set_state(*existing, state, now);
    return *existing;
  }
  const ServerKey key = next_key_++;
  keys_.emplace(server_id, key);
  auto [entry, inserted] = servers_.try_emplace(key);
  SCHED_CHECK(inserted, "server key " + std::to_string(key) + " handed out twice");
  ServerRecord& server = entry->second;
  server.key = key;
  server.id = server_id;
  server.room_capacity = config_.room_capacity;
  server.state = state;
  server.state_since = now;
  server.ready_since = now;
  ++servers_by_state_[static_cast<int>(state)];
  reindex(server, now);
  return server;
}

void Scheduler::set_state(ServerRecord& server, ServerState state, Millis now) {
  if (server.state == state) return;
  const int left_behind = --servers_by_state_[static_cast<int>(server.state)];
  SCHED_CHECK(left_behind >= 0, describe(server) + " left a state that counted no servers");
  ++servers_by_state_[static_cast<int>(state)];
  // Back from gone: it answered (or the fleet reuses the id). Other changes
  // (a drain begun or cancelled) keep the failed polls counted so far, or a
  // dead server's count would start over and its polls could run out first.
  if (server.state == ServerState::gone) {
    server.failed_polls = 0;
    server.stopped = false;
  }
  server.state = state;
  server.state_since = now;
  if (state == ServerState::ready) server.ready_since = now;
  reindex(server, now);
}

// The one place that keeps the indexes in step with a server's state and its
// rooms in the table: call it after changing either.
void Scheduler::reindex(ServerRecord& server, Millis now) {
  const int rooms = rooms_.count_on(server.key);
  // A gone server's orphans hold no slot, so only they may exceed capacity.
  SCHED_CHECK(server.state == ServerState::gone || rooms <= server.room_capacity,
              describe(server) + " holds " + std::to_string(rooms) + " rooms, capacity " +
                  std::to_string(server.room_capacity));
  const bool ready = server.state == ServerState::ready;
  server.held_elsewhere =
      std::max(0, std::min(server.held_elsewhere, server.room_capacity - rooms));
  candidates_.set_free_slots(server.key, ready ? free_slots(server) : 0);
  // The sets are small and usually empty: a look into an empty one is skipped.
  if (server.state == ServerState::starting) {
    starting_.insert(server.key);
  } else if (!starting_.empty()) {
    starting_.erase(server.key);
  }
  // Another backend's reservations there: not idle, whatever this table says.
  const bool idle = ready && rooms == 0 && server.held_elsewhere == 0;
  if (idle && !server.idle) {
    server.empty_since = now;
    // Hinted at the end: time only moves forward, so a server that just
    // emptied usually sorts last (a wrong hint costs only the usual search).
    const std::size_t idle_before = idle_.size();
    server.idle_entry = idle_.insert(idle_.end(), {now, server.key});
    SCHED_CHECK(idle_.size() == idle_before + 1,
                describe(server) + " was in the idle index while marked not idle");
  } else if (!idle && server.idle) {
    SCHED_CHECK(server.idle_entry->second == server.key,
                describe(server) + "'s idle index entry belongs to server key " +
                    std::to_string(server.idle_entry->second));
    idle_.erase(server.idle_entry);
  }
  server.idle = idle;
  if (server.state == ServerState::gone && rooms > 0) {
    gone_with_rooms_.insert(server.key);
  } else if (!gone_with_rooms_.empty()) {
    gone_with_rooms_.erase(server.key);
  }
}

int Scheduler::free_slots(const ServerRecord& server) const {
  return std::max(0, server.room_capacity - rooms_.count_on(server.key) - server.held_elsewhere);
}

FleetNumbers Scheduler::fleet_numbers() const {
  FleetNumbers numbers;
  const auto count = [this](ServerState state) {
    return servers_by_state_[static_cast<int>(state)];
  };
  numbers.starting_or_ready = count(ServerState::starting) + count(ServerState::ready);
  numbers.live_servers = numbers.starting_or_ready + count(ServerState::draining);
  numbers.free_slots_ready = candidates_.free_slots_total();
  numbers.free_slots = numbers.free_slots_ready;
  for (ServerKey key : starting_) numbers.free_slots += free_slots(servers_.at(key));
  for (ServerKey key : drain_requested_) numbers.rooms_to_move += rooms_.count_on(key);
  numbers.drains_in_flight = static_cast<int>(drain_requested_.size());
  return numbers;
}

std::optional<ServerView> Scheduler::server(const ServerId& server_id) const {
  auto found = keys_.find(server_id);
  if (found == keys_.end()) return std::nullopt;
  const ServerRecord& record = servers_.at(found->second);
  return ServerView{record.id,    record.host,  record.room_capacity,  rooms_.count_on(record.key),
                    record.users, record.state, record.drain_requested};
}

std::optional<int> Scheduler::room_count(const ServerId& server_id) const {
  auto found = keys_.find(server_id);
  if (found == keys_.end()) return std::nullopt;
  return rooms_.count_on(found->second);
}

std::optional<ServerKey> Scheduler::key_of(const ServerId& server_id) const {
  auto found = keys_.find(server_id);
  if (found == keys_.end()) return std::nullopt;
  return found->second;
}

const ServerId* Scheduler::server_id(ServerKey key) const {
  auto found = servers_.find(key);
  return found == servers_.end() ? nullptr : &found->second.id;
}

std::vector<RoomId> Scheduler::rooms_on(const ServerId& server_id) const {
  auto found = keys_.find(server_id);
  if (found == keys_.end()) return {};
  return rooms_on(found->second);
}

std::vector<RoomId> Scheduler::rooms_on(ServerKey key) const {
  std::vector<RoomId> sorted;
  for (RoomKey room : rooms_.rooms_on(key)) sorted.push_back(rooms_.find(room)->id);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::vector<ServerView> Scheduler::servers() const {
  std::vector<ServerKey> keys;
  for (const auto& [key, record] : servers_) keys.push_back(key);
  std::sort(keys.begin(), keys.end());  // registration order: stable for tests and reports
  std::vector<ServerView> views;
  for (ServerKey key : keys) views.push_back(*server(servers_.at(key).id));
  return views;
}

SchedulerMetrics Scheduler::metrics() const {
  SchedulerMetrics metrics = counters_;
  metrics.servers_starting = servers_by_state_[static_cast<int>(ServerState::starting)];
  metrics.servers_ready = servers_by_state_[static_cast<int>(ServerState::ready)];
  metrics.servers_draining = servers_by_state_[static_cast<int>(ServerState::draining)];
  metrics.servers_gone = servers_by_state_[static_cast<int>(ServerState::gone)];
  metrics.servers_drain_requested = static_cast<int>(drain_requested_.size());
  metrics.rooms = static_cast<int>(rooms_.size());
  rooms_.for_each([&metrics](const RoomRecord& room) {
    if (room.state == RoomState::placed) ++metrics.rooms_placed;
    if (room.state == RoomState::active) ++metrics.rooms_active;
  });
  for (const auto& [key, record] : servers_) metrics.users += record.users;
  metrics.free_slots_ready = candidates_.free_slots_total();
  return metrics;
}

}  // namespace sched
