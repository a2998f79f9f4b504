// Room id -> the server holding it, with what the scheduler knows of the room.
// The table is the only record of which room is where: per-server room counts
// are read from it (rooms_on), never kept in a separate counter that could
// drift from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "scheduler/types.h"

namespace sched {

enum class RoomState {
  placed,  // assigned to a server, not yet reported by it (nobody joined yet)
  active,  // reported by its server with users
  empty,   // reported with 0 users; freed once empty_room_grace has passed
};

struct RoomRecord {
  RoomId id;
  ServerKey server = 0;
  RoomState state = RoomState::placed;
  Millis since{0};  // when the room entered its current state
  // The scheduler's mark: the last status report (by its generation number)
  // that listed this room on its server.
  std::uint64_t reported_in = 0;
};

class RoomTable {
 public:
  const RoomRecord* find(const RoomId& id) const;
  RoomRecord* find(const RoomId& id);
  bool contains(const RoomId& id) const { return rooms_.count(id) != 0; }

  // Puts a new room (an id the table does not hold) on `server`, `placed`.
  RoomRecord& place(const RoomId& id, ServerKey server, Millis now);
  // Moves an existing room to another server, back in state `placed`.
  RoomRecord& move(const RoomId& id, ServerKey to, Millis now);
  void erase(const RoomId& id);

  const std::unordered_set<RoomId>& rooms_on(ServerKey server) const;
  int count_on(ServerKey server) const { return static_cast<int>(rooms_on(server).size()); }
  std::size_t size() const { return rooms_.size(); }

  const std::unordered_map<RoomId, RoomRecord>& rooms() const { return rooms_; }
  const std::unordered_map<ServerKey, std::unordered_set<RoomId>>& by_server() const {
    return by_server_;
  }

 private:
  // Add the room to, or take it from, its server's set in by_server_.
  void attach(const RoomRecord& room);
  void detach(const RoomRecord& room);

  std::unordered_map<RoomId, RoomRecord> rooms_;
  // The reverse index, so reconciling one server's report touches only its rooms.
  std::unordered_map<ServerKey, std::unordered_set<RoomId>> by_server_;
};

}  // namespace sched
