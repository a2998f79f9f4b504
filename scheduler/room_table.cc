#include "scheduler/room_table.h"

namespace sched {

const Room* RoomTable::find(const RoomId& id) const {
  auto found = rooms_.find(id);
  return found == rooms_.end() ? nullptr : &found->second;
}

Room* RoomTable::find(const RoomId& id) {
  auto found = rooms_.find(id);
  return found == rooms_.end() ? nullptr : &found->second;
}

Room& RoomTable::place(const RoomId& id, ServerKey server, Millis now) {
  if (const Room* existing = find(id)) detach(*existing);
  Room& room = rooms_[id];
  room = Room{id, server, RoomState::placed, 0, now};
  by_server_[server].insert(id);
  return room;
}

Room& RoomTable::move(const RoomId& id, ServerKey to, Millis now) {
  Room& room = rooms_.at(id);
  detach(room);
  room = Room{id, to, RoomState::placed, 0, now};
  by_server_[to].insert(id);
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

void RoomTable::detach(const Room& room) {
  auto found = by_server_.find(room.server);
  if (found == by_server_.end()) return;
  found->second.erase(room.id);
  // Drop empty sets so a fleet that churns through servers does not grow the map.
  if (found->second.empty()) by_server_.erase(found);
}

}  // namespace sched
