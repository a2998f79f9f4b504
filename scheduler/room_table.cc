#include "scheduler/room_table.h"

#include <string>

#include "scheduler/check.h"

namespace sched {

const RoomRecord* RoomTable::find(const RoomId& id) const {
  auto found = rooms_.find(id);
  return found == rooms_.end() ? nullptr : &found->second;
}

RoomRecord* RoomTable::find(const RoomId& id) {
  auto found = rooms_.find(id);
  return found == rooms_.end() ? nullptr : &found->second;
}

RoomRecord& RoomTable::place(const RoomId& id, ServerKey server, Millis now) {
  auto [entry, inserted] = rooms_.try_emplace(id);
  SCHED_CHECK(inserted, "placing room " + id + ", which the table already holds");
  RoomRecord& room = entry->second;
  room = RoomRecord{id, server, RoomState::placed, now};
  attach(room);
  return room;
}

RoomRecord& RoomTable::move(const RoomId& id, ServerKey to, Millis now) {
  RoomRecord& room = rooms_.at(id);
  detach(room);
  room = RoomRecord{id, to, RoomState::placed, now};
  attach(room);
  return room;
}

void RoomTable::erase(const RoomId& id) {
  auto found = rooms_.find(id);
  if (found == rooms_.end()) return;
  detach(found->second);
  rooms_.erase(found);
}

const std::unordered_set<RoomId>& RoomTable::rooms_on(ServerKey server) const {
  static const std::unordered_set<RoomId> none;
  auto found = by_server_.find(server);
  return found == by_server_.end() ? none : found->second;
}

void RoomTable::attach(const RoomRecord& room) {
  const bool inserted = by_server_[room.server].insert(room.id).second;
  SCHED_CHECK(inserted, "room " + room.id + " was already in the room set of server key " +
                            std::to_string(room.server));
}

void RoomTable::detach(const RoomRecord& room) {
  // Every room in the table is in its server's set: the two change together.
  auto found = by_server_.find(room.server);
  SCHED_CHECK(found != by_server_.end(), "room " + room.id + " is on server key " +
                                             std::to_string(room.server) +
                                             ", which has no room set");
  const std::size_t erased = found->second.erase(room.id);
  SCHED_CHECK(erased == 1, "room " + room.id + " was missing from the room set of server key " +
                               std::to_string(room.server));
  // Drop empty sets so a fleet that churns through servers does not grow the map.
  if (found->second.empty()) by_server_.erase(found);
}

}  // namespace sched
