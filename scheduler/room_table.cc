#include "scheduler/room_table.h"

#include <string>

#include "scheduler/check.h"

namespace sched {

const RoomRecord* RoomTable::find(const RoomId& id) const {
  auto found = ids_.find(id);
  return found == ids_.end() ? nullptr : find(found->second);
}

RoomRecord* RoomTable::find(const RoomId& id) {
  auto found = ids_.find(id);
  return found == ids_.end() ? nullptr : find(found->second);
}

const RoomRecord* RoomTable::find(RoomKey key) const {
  const std::uint32_t index = slot_of(key);
  if (index >= slots_.size()) return nullptr;
  const Slot& slot = slots_[index];
  return slot.live && slot.record.key == key ? &slot.record : nullptr;
}

RoomRecord* RoomTable::find(RoomKey key) {
  return const_cast<RoomRecord*>(static_cast<const RoomTable&>(*this).find(key));
}

RoomRecord* RoomTable::find(const RoomId& id, RoomKey hint) {
  RoomRecord* room = hint == kNoRoomKey ? nullptr : find(hint);
  return room != nullptr && room->id == id ? room : find(id);
}

RoomRecord& RoomTable::place(const RoomId& id, ServerKey server, Millis now) {
  RoomRecord* room = try_place(id, server, now);
  SCHED_CHECK(room != nullptr, "placing room " + id + ", which the table already holds");
  return *room;
}

RoomRecord* RoomTable::try_place(const RoomId& id, ServerKey server, Millis now) {
  auto [entry, inserted] = ids_.try_emplace(id, kNoRoomKey);
  if (!inserted) return nullptr;
  std::uint32_t index;
  if (free_slots_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = free_slots_.back();
    free_slots_.pop_back();
  }
  Slot& slot = slots_[index];
  ++slot.generation;  // from 1: no key is kNoRoomKey
  const RoomKey key = (RoomKey{slot.generation} << 32) | index;
  slot.record = RoomRecord{id, server, RoomState::placed, now, 0, key};
  slot.live = true;
  entry->second = key;
  attach(slot);
  return &slot.record;
}

RoomRecord& RoomTable::move(RoomRecord& room, ServerKey to, Millis now) {
  Slot& slot = slots_[slot_of(room.key)];
  SCHED_CHECK(slot.live && &slot.record == &room, "moving room " + room.id + ", not in the table");
  detach(slot);
  room.server = to;
  room.state = RoomState::placed;
  room.since = now;
  room.reported_in = 0;
  attach(slot);
  return room;
}

void RoomTable::erase(RoomKey key) {
  RoomRecord* room = find(key);
  if (room == nullptr) return;
  Slot& slot = slots_[slot_of(key)];
  detach(slot);
  ids_.erase(room->id);
  slot.live = false;
  slot.record.id.clear();
  free_slots_.push_back(slot_of(key));
}

const std::vector<RoomKey>& RoomTable::rooms_on(ServerKey server) const {
  static const std::vector<RoomKey> none;
  auto found = by_server_.find(server);
  return found == by_server_.end() ? none : found->second;
}

std::uint32_t RoomTable::position_on_server(const RoomRecord& room) const {
  return slots_[slot_of(room.key)].position;
}

void RoomTable::attach(Slot& slot) {
  std::vector<RoomKey>& keys = by_server_[slot.record.server];
  slot.position = static_cast<std::uint32_t>(keys.size());
  keys.push_back(slot.record.key);
}

void RoomTable::detach(Slot& slot) {
  // Every room in the table is in its server's list, at its position: the
  // two change together.
  const RoomRecord& room = slot.record;
  auto found = by_server_.find(room.server);
  SCHED_CHECK(found != by_server_.end(), "room " + room.id + " is on server key " +
                                             std::to_string(room.server) +
                                             ", which has no room list");
  std::vector<RoomKey>& keys = found->second;
  SCHED_CHECK(slot.position < keys.size() && keys[slot.position] == room.key,
              "room " + room.id + " is not where it should be in the room list of server key " +
                  std::to_string(room.server));
  // The last room takes its place: O(1), order is not kept.
  keys[slot.position] = keys.back();
  slots_[slot_of(keys.back())].position = slot.position;
  keys.pop_back();
  // Drop empty lists so a fleet that churns through servers does not grow the map.
  if (keys.empty()) by_server_.erase(found);
}

}  // namespace sched
