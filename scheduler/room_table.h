// Room id -> the server holding it, with what the scheduler knows of the room.
// The table is the only record of which room is where: per-server room counts
// are read from it (rooms_on), never kept in a separate counter that could
// drift from it.
//
// Records live in a slab and are named inside the scheduler by a RoomKey (the
// slot and its generation), so the per-server lists and every step after the
// first look-up work on integers: the string id is hashed once, when a room
// is placed or looked up by id. A caller that kept the key (the simulator
// does; Placed and Waiting return it) skips even that, and a stale key (the
// room was freed, its slot reused) is told apart by its generation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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
  RoomKey key = kNoRoomKey;  // the table's name for it; kept when it moves
};

class RoomTable {
 public:
  const RoomRecord* find(const RoomId& id) const;
  RoomRecord* find(const RoomId& id);
  // By key: nullptr for a key whose room has been freed.
  const RoomRecord* find(RoomKey key) const {
    const std::uint32_t index = slot_of(key);
    if (index >= slots_.size()) return nullptr;
    const Slot& slot = slots_[index];
    return slot.live && slot.record.key == key ? &slot.record : nullptr;
  }
  RoomRecord* find(RoomKey key) {
    return const_cast<RoomRecord*>(static_cast<const RoomTable&>(*this).find(key));
  }
  // The key if it still names `id`, else a search by id: callers holding a
  // key from an earlier answer skip the hash of the id.
  RoomRecord* find(const RoomId& id, RoomKey hint) {
    RoomRecord* room = hint == kNoRoomKey ? nullptr : find(hint);
    return room != nullptr && room->id == id ? room : find(id);
  }
  bool contains(const RoomId& id) const { return find(id) != nullptr; }

  // Puts a new room (an id the table does not hold) on `server`, `placed`.
  RoomRecord& place(const RoomId& id, ServerKey server, Millis now);
  // The same, or nullptr (and nothing changed) if the table holds the id.
  RoomRecord* try_place(const RoomId& id, ServerKey server, Millis now);
  // Moves an existing room to another server, back in state `placed`.
  RoomRecord& move(RoomRecord& room, ServerKey to, Millis now);
  void erase(RoomKey key);

  // The keys of the rooms on `server`, in no particular order. Changing the
  // table invalidates the reference: copy it to erase or move while looping.
  const std::vector<RoomKey>& rooms_on(ServerKey server) const {
    return server < by_server_.size() ? by_server_[server] : kNoRooms;
  }
  int count_on(ServerKey server) const { return static_cast<int>(rooms_on(server).size()); }
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // Every room, in slot order (for the invariant checker and metrics).
  template <typename Visit>
  void for_each(Visit visit) const {
    for (const Slot& slot : slots_) {
      if (slot.live) visit(slot.record);
    }
  }
  // By server key (a key without rooms has an empty list).
  const std::vector<std::vector<RoomKey>>& by_server() const { return by_server_; }
  // Where the room sits in its server's list: for the invariant checker.
  std::uint32_t position_on_server(const RoomRecord& room) const;

 private:
  struct Slot {
    RoomRecord record;
    std::uint32_t generation = 0;  // moves on each time the slot is reused
    std::uint32_t position = 0;    // index in by_server_[record.server]
    bool live = false;
  };
  static std::uint32_t slot_of(RoomKey key) { return static_cast<std::uint32_t>(key); }
  // Add the room to, or take it from, its server's list in by_server_.
  void attach(Slot& slot);
  void detach(Slot& slot);

  // The id index: open addressing over (hash, key), the id itself read from
  // the slab, so a look-up is a probe or two in one array and no node per
  // room is allocated (a node-based map's misses and allocations were a
  // tenth of the simulator's time at a million rooms a day). key 0 marks an
  // empty entry, key 0 with hash 1 an erased one.
  struct IdEntry {
    std::size_t hash = 0;
    RoomKey key = kNoRoomKey;
  };
  static std::size_t hash_of(const RoomId& id) { return std::hash<RoomId>{}(id); }
  std::size_t index_of(const RoomId& id, std::size_t hash) const;  // ids_.size() if absent
  void rebuild_ids();

  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;  // reused last-in first-out
  std::vector<IdEntry> ids_;               // a power of two, at most 3/4 used
  std::size_t live_ = 0;
  std::size_t erased_ = 0;
  // The reverse index, so reconciling one server's report touches only its
  // rooms. By key: server keys are the scheduler's registration numbers
  // (dense from 1), and rooms_on() is asked on every placement, report and
  // tick, where a hash map cost a hash, a division and a probe. It grows by
  // one empty list per server ever registered.
  std::vector<std::vector<RoomKey>> by_server_;
  inline static const std::vector<RoomKey> kNoRooms{};
};

}  // namespace sched
