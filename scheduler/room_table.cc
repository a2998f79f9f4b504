#include "scheduler/room_table.h"

#include <string>

#include "scheduler/check.h"

namespace sched {

std::size_t RoomTable::index_of(const RoomId& id, std::size_t hash) const {
  if (ids_.empty()) return 0;
  const std::size_t mask = ids_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const IdEntry& entry = ids_[i];
    if (entry.key == kNoRoomKey) {
      if (entry.hash == 0) return ids_.size();  // empty: the id is not here
      continue;                                 // erased: probe on
    }
    if (entry.hash == hash && slots_[slot_of(entry.key)].record.id == id) return i;
  }
}

void RoomTable::rebuild_ids() {
  std::size_t capacity = 16;
  while (2 * capacity < 5 * (live_ + 1)) capacity *= 2;
  std::vector<IdEntry> old(capacity);
  old.swap(ids_);
  erased_ = 0;
  for (const IdEntry& entry : old) {
    if (entry.key == kNoRoomKey) continue;
    std::size_t i = entry.hash & (capacity - 1);
    while (ids_[i].key != kNoRoomKey) i = (i + 1) & (capacity - 1);
    ids_[i] = entry;
  }
}

const RoomRecord* RoomTable::find(const RoomId& id) const {
  const std::size_t index = index_of(id, hash_of(id));
  return index >= ids_.size() ? nullptr : find(ids_[index].key);
}

RoomRecord* RoomTable::find(const RoomId& id) {
  return const_cast<RoomRecord*>(static_cast<const RoomTable&>(*this).find(id));
}

RoomRecord& RoomTable::place(const RoomId& id, ServerKey server, Millis now) {
  RoomRecord* room = try_place(id, server, now);
  SCHED_CHECK(room != nullptr, "placing room " + id + ", which the table already holds");
  return *room;
}

RoomRecord* RoomTable::try_place(const RoomId& id, ServerKey server, Millis now) {
  const std::size_t hash = hash_of(id);
  if (index_of(id, hash) < ids_.size()) return nullptr;
  if (4 * (live_ + erased_ + 1) > 3 * ids_.size()) rebuild_ids();
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
  // Field by field: the id is copied into the slot's string, not moved there.
  slot.record.id = id;
  slot.record.server = server;
  slot.record.state = RoomState::placed;
  slot.record.since = now;
  slot.record.reported_in = 0;
  slot.record.key = key;
  slot.live = true;
  const std::size_t mask = ids_.size() - 1;
  std::size_t at = hash & mask;
  while (ids_[at].key != kNoRoomKey) at = (at + 1) & mask;
  if (ids_[at].hash == 1) --erased_;  // reusing an erased entry
  // hash 0 or 1 with key 0 mark empty and erased entries; a live entry may
  // carry any hash, as its key is not 0.
  ids_[at] = IdEntry{hash, key};
  ++live_;
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
  const std::size_t index = index_of(room->id, hash_of(room->id));
  SCHED_CHECK(index < ids_.size() && ids_[index].key == key,
              "room " + room->id + " is missing from the id index");
  ids_[index] = IdEntry{1, kNoRoomKey};
  --live_;
  ++erased_;
  slot.live = false;
  slot.record.id.clear();
  free_slots_.push_back(slot_of(key));
}

std::uint32_t RoomTable::position_on_server(const RoomRecord& room) const {
  return slots_[slot_of(room.key)].position;
}

void RoomTable::attach(Slot& slot) {
  if (slot.record.server >= by_server_.size()) by_server_.resize(slot.record.server + 1);
  std::vector<RoomKey>& keys = by_server_[slot.record.server];
  slot.position = static_cast<std::uint32_t>(keys.size());
  keys.push_back(slot.record.key);
}

void RoomTable::detach(Slot& slot) {
  // Every room in the table is in its server's list, at its position: the
  // two change together.
  const RoomRecord& room = slot.record;
  SCHED_CHECK(room.server < by_server_.size(), "room " + room.id + " is on server key " +
                                                   std::to_string(room.server) +
                                                   ", which has no room list");
  std::vector<RoomKey>& keys = by_server_[room.server];
  SCHED_CHECK(slot.position < keys.size() && keys[slot.position] == room.key,
              "room " + room.id + " is not where it should be in the room list of server key " +
                  std::to_string(room.server));
  // The last room takes its place: O(1), order is not kept.
  keys[slot.position] = keys.back();
  slots_[slot_of(keys.back())].position = slot.position;
  keys.pop_back();
  // A list emptied is freed, as its server may be gone for good.
  if (keys.empty()) std::vector<RoomKey>().swap(keys);
}

}  // namespace sched
