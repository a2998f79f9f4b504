// tick(): the autoscaler's periodic work. The rules (how many, whether one
// may stop) are in autoscaler.cc; this file applies them to the fleet.
#include <optional>
#include <vector>

#include "scheduler/check.h"
#include "scheduler/scheduler.h"

namespace sched {

FleetActions Scheduler::tick(Millis now, bool manage_fleet) {
  FleetActions actions;
  // Every table gives up on a start that never came up, so that none waits
  // on it for ever; only the holder asks the fleet to stop it.
  give_up_on_slow_starts(now, actions, manage_fleet);
  if (!manage_fleet) {
    // Another backend holds the fleet lease: only forget what nobody asks for.
    drop_old_orphans(now);
    return actions;
  }
  drop_old_orphans(now);
  stop_idle_servers(now, actions);
  drain_to_defragment(now, actions);
  start_servers_for_spare(now, actions);
  return actions;
}

void Scheduler::give_up_on_slow_starts(Millis now, FleetActions& actions, bool stop) {
  std::vector<ServerKey> too_slow;
  for (ServerKey key : starting_) {
    if (now - servers_.at(key).state_since >= config_.autoscaler.start_timeout) {
      too_slow.push_back(key);
    }
  }
  for (ServerKey key : too_slow) {
    ServerRecord& server = servers_.at(key);
    SCHED_CHECK(server.state == ServerState::starting,
                "giving up on " + describe(server) + " as a slow start");
    ++counters_.servers_start_timed_out;
    set_state(server, ServerState::gone, now);
    // Its rooms were never joined (it never ran) and their clients are polling
    // now: move them at once, so that the server we stop holds no room.
    // Sorted by id, so the rooms take the free slots in the same order on
    // every platform.
    for (const RoomId& room_id : rooms_on(key)) {
      RoomRecord& room = *rooms_.find(room_id);
      if (std::holds_alternative<RoomUnavailable>(place_again(room, now))) {
        rooms_.erase(room.key);
        ++counters_.rooms_freed_never_joined;
      }
    }
    if (stop) {
      fleet_.stop_server(server.id);
      actions.stopped.push_back(server.id);
    }
    forget(server, now);
  }
}

void Scheduler::drop_old_orphans(Millis now) {
  std::vector<ServerKey> expired;
  for (ServerKey key : gone_with_rooms_) {
    if (now - servers_.at(key).state_since >= config_.join_deadline) expired.push_back(key);
  }
  for (ServerKey key : expired) {
    ServerRecord& server = servers_.at(key);
    SCHED_CHECK(server.state == ServerState::gone,
                "dropping the rooms of " + describe(server) + " as orphans of a gone server");
    const std::vector<RoomKey> orphans = rooms_.rooms_on(key);  // a copy: erased below
    for (RoomKey room : orphans) rooms_.erase(room);
    counters_.rooms_orphans_dropped += orphans.size();
    reindex(server, now);
    forget_if_stopped_and_empty(server, now);
  }
}

void Scheduler::stop_idle_servers(Millis now, FleetActions& actions) {
  // Counted once a server has been idle long enough (most ticks none has),
  // before anything changes: the same numbers as counted on entry.
  std::optional<FleetNumbers> counted;
  while (!idle_.empty()) {
    const auto [empty_since, key] = *idle_.begin();
    if (now - empty_since < config_.autoscaler.idle_before_stop) break;
    if (!counted) counted = fleet_numbers();
    FleetNumbers& fleet = *counted;
    ServerRecord& server = servers_.at(key);
    SCHED_CHECK(server.idle && server.state == ServerState::ready && rooms_.count_on(key) == 0,
                "the idle index lists " + describe(server) + " with " +
                    std::to_string(rooms_.count_on(key)) + " rooms");
    if (!may_stop_idle_server(config_.autoscaler, fleet, server.room_capacity)) break;
    // Drain, then stop: it holds no rooms, and as calls are serialised none
    // can be placed on it between the two.
    set_state(server, ServerState::draining, now);
    fleet_.stop_server(server.id);
    actions.stopped.push_back(server.id);
    ++counters_.servers_stopped_idle;
    fleet.live_servers -= 1;
    fleet.starting_or_ready -= 1;
    fleet.free_slots -= server.room_capacity;
    forget(server, now);
  }
}

// After stop_idle_servers, so the numbers it decides on are the fleet that
// stays. Scans every server, but only once per defrag_interval at most.
void Scheduler::drain_to_defragment(Millis now, FleetActions& actions) {
  if (config_.autoscaler.defrag_max_rooms <= 0) return;  // off: not worth counting the fleet
  const FleetNumbers fleet = fleet_numbers();
  const std::optional<Millis> since_last =
      last_defrag_ ? std::optional<Millis>(now - *last_defrag_) : std::nullopt;
  if (!defrag_due(config_.autoscaler, fleet, since_last)) return;
  // The emptiest server (then the newest: registration order) is the
  // cheapest to move and the likeliest to fit.
  const ServerRecord* chosen = nullptr;
  int chosen_rooms = 0;
  for (const auto& [key, server] : servers_) {
    if (server.state != ServerState::ready) continue;
    const int rooms = rooms_.count_on(key);
    if (rooms < 1) continue;  // idle: stop_idle_servers' business
    if (chosen == nullptr || rooms < chosen_rooms || (rooms == chosen_rooms && key > chosen->key)) {
      chosen = &server;
      chosen_rooms = rooms;
    }
  }
  if (chosen == nullptr ||
      !may_drain_to_defragment(config_.autoscaler, fleet, chosen_rooms, chosen->room_capacity)) {
    return;
  }
  const ServerId id = chosen->id;
  const DrainStart started = begin_drain(id, now);
  SCHED_CHECK(started == DrainStart::started, "the defrag policy could not drain server " + id);
  ++counters_.drains_for_defrag;
  last_defrag_ = now;
  actions.drain.push_back(id);
}

void Scheduler::start_servers_for_spare(Millis now, FleetActions& actions) {
  const int wanted = servers_to_start(config_.autoscaler, fleet_numbers(), config_.room_capacity);
  for (int i = 0; i < wanted; ++i) {
    ServerRecord* server = start_server(now);
    if (server == nullptr) break;  // the fleet cannot start more
    actions.started.push_back(server->id);
  }
}

// A stopped server is forgotten: a late report from it is then ignored, and a
// fleet that reuses the id registers a new server.
void Scheduler::forget(ServerRecord& server, Millis now) {
  // Its rooms were moved or dropped first: a forgotten server's rooms would
  // point at no server. As gone with no rooms, reindex took it out of every
  // index.
  SCHED_CHECK(rooms_.count_on(server.key) == 0,
              "forgetting " + describe(server) + ", which still holds " +
                  std::to_string(rooms_.count_on(server.key)) + " rooms");
  set_state(server, ServerState::gone, now);
  // set_state does nothing to a server already gone, whose last rooms may
  // have been erased since its last reindex (a slow start's rooms without a
  // slot): it would stay listed as holding orphans, under a key forgotten.
  reindex(server, now);
  SCHED_CHECK(!server.idle && !candidates_.contains(server.key) &&
                  !gone_with_rooms_.contains(server.key),
              "forgetting " + describe(server) + ", which an index still lists");
  const int gone_left = --servers_by_state_[static_cast<int>(ServerState::gone)];
  SCHED_CHECK(gone_left >= 0, "forgetting " + describe(server) + " left a negative gone count");
  const ServerKey key = server.key;
  keys_.erase(server.id);
  servers_.erase(key);
}

}  // namespace sched
