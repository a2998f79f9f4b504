// check_invariants(): recomputes everything the indexes and counters claim
// from the room table and the server records, and lists every disagreement.
// O(rooms + servers): for tests and the simulator's checker, not hot paths.
#include <algorithm>
#include <map>

#include "scheduler/scheduler.h"

namespace sched {

std::vector<std::string> Scheduler::check_invariants() const {
  std::vector<std::string> violations;
  const auto fail = [&violations](std::string what) { violations.push_back(std::move(what)); };

  // Each room on exactly one server, a known one, listed in its reverse
  // index at the position the table says, and found again by its id and key.
  std::map<ServerKey, int> rooms_per_server;
  std::size_t rooms_seen = 0;
  rooms_.for_each([&](const RoomRecord& room) {
    ++rooms_seen;
    if (servers_.count(room.server) == 0) {
      fail("room " + room.id + " is on a stopped or unknown server");
    }
    const std::vector<RoomKey>& listed = rooms_.rooms_on(room.server);
    const std::uint32_t position = rooms_.position_on_server(room);
    if (position >= listed.size() || listed[position] != room.key) {
      fail("room " + room.id + " is missing from its server's room list");
    }
    if (rooms_.find(room.id) != &room || rooms_.find(room.key) != &room) {
      fail("room " + room.id + " is not found again by its id and key");
    }
    ++rooms_per_server[room.server];
  });
  if (rooms_seen != rooms_.size()) {
    fail("the room slab holds " + std::to_string(rooms_seen) + " rooms, the id index " +
         std::to_string(rooms_.size()));
  }
  std::size_t indexed_rooms = 0;
  for (const auto& ids : rooms_.by_server()) indexed_rooms += ids.size();
  if (indexed_rooms != rooms_.size()) {
    fail("per-server room lists hold " + std::to_string(indexed_rooms) + " rooms, the table " +
         std::to_string(rooms_.size()));
  }

  std::array<int, 4> by_state{};
  long long free_slots_ready = 0;
  for (const auto& [key, server] : servers_) {
    ++by_state[static_cast<int>(server.state)];
    const int rooms = rooms_per_server.count(key) ? rooms_per_server.at(key) : 0;
    if (rooms != rooms_.count_on(key)) fail(describe(server) + ": count differs from table");
    if (server.state != ServerState::gone && rooms > server.room_capacity) {
      fail(describe(server) + " holds " + std::to_string(rooms) + " rooms, capacity " +
           std::to_string(server.room_capacity));
    }
    const int taken = rooms + server.held_elsewhere;
    if (server.held_elsewhere < 0 ||
        (server.state != ServerState::gone && taken > server.room_capacity)) {
      fail(describe(server) + " has " + std::to_string(server.held_elsewhere) +
           " slots held elsewhere beside " + std::to_string(rooms) + " rooms");
    }
    const bool candidate = server.state == ServerState::ready && taken < server.room_capacity;
    if (candidate != candidates_.contains(key)) {
      fail(describe(server) + ": candidate index disagrees");
    }
    if (candidate) free_slots_ready += server.room_capacity - taken;
    if ((server.state == ServerState::starting) != (starting_.count(key) != 0)) {
      fail(describe(server) + ": starting index disagrees");
    }
    const bool idle =
        server.state == ServerState::ready && rooms == 0 && server.held_elsewhere == 0;
    if (idle != (idle_.count({server.empty_since, key}) != 0) || idle != server.idle) {
      fail(describe(server) + ": idle index disagrees");
    }
    const bool orphans = server.state == ServerState::gone && rooms > 0;
    if (orphans != (gone_with_rooms_.count(key) != 0)) {
      fail(describe(server) + ": orphan index disagrees");
    }
    if (server.drain_requested && server.state != ServerState::draining) {
      fail(describe(server) + " has a drain in flight but is not draining");
    }
    if (server.drain_requested != (drain_requested_.count(key) != 0)) {
      fail(describe(server) + ": drain index disagrees");
    }
    // A stopped server is kept only for its orphans, and never takes rooms.
    if (server.stopped && !orphans) {
      fail(describe(server) + " was stopped yet is kept without orphaned rooms");
    }
  }
  if (drain_requested_.size() != static_cast<std::size_t>(std::count_if(
                                     servers_.begin(), servers_.end(), [](const auto& entry) {
                                       return entry.second.drain_requested;
                                     }))) {
    fail("drain index holds servers without a drain in flight");
  }
  if (idle_.size() !=
      static_cast<std::size_t>(std::count_if(
          servers_.begin(), servers_.end(), [](const auto& entry) { return entry.second.idle; }))) {
    fail("idle index holds servers that are not idle");
  }
  if (free_slots_ready != candidates_.free_slots_total()) fail("free slot total drifted");
  if (by_state != servers_by_state_) fail("servers-by-state counters drifted");
  if (keys_.size() != servers_.size()) fail("server id map and records differ in size");
  const int live = by_state[0] + by_state[1] + by_state[2];
  if (live > config_.autoscaler.max_servers) fail("more live servers than max_servers");
  return violations;
}

}  // namespace sched
