// The rooms one session server holds, up to its room limit.
//
// A room is created when its first member arrives with a valid token (the
// backend placed it here) and kept for a grace period after its last member
// leaves, so a reload or a reconnect finds its history. When the server is at
// its room limit, the room that has been empty longest makes way for a new one.
//
// With a MessageLog, a room that comes to this server is first loaded from
// it (open), so a room placed here after a crash or a move shows the history
// it had. Own the registry by shared_ptr then: loads answer through a weak_ptr.
//
// Reservations (docs/PROTOCOL.md, POST /rooms/:roomId/reserve): a backend
// holds a slot for a room before it tells the room's creator where it is,
// so backends placing at once can never put more rooms here than the limit.
// A reservation counts against the limit like a room until the room's first
// member consumes it, or until it expires. A first member without one still
// gets a room when a slot is free (a single backend, the seed's).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/room/room.h"

namespace chat {

struct RoomStatus {
  std::string room_id;
  std::size_t users = 0;
  std::uint64_t messages_total = 0;
  double empty_seconds = 0;  // 0 while anyone is in the room
};

class RoomRegistry : public std::enable_shared_from_this<RoomRegistry> {
 public:
  RoomRegistry(std::size_t rooms_max, RoomLimits limits, std::chrono::seconds empty_room_ttl,
               std::shared_ptr<MessageLog> log = nullptr);

  // Makes sure the room's history is here before `ready` runs: at once (on
  // this thread) when the room is held or there is no log, otherwise once
  // the log answers (on its thread; several callers of one room share one
  // load). A room the log cannot be read for starts empty.
  void open(const std::string& room_id, RoomTime now, std::function<void()> ready);

  struct Admission {
    JoinResult result;
    std::shared_ptr<Room> room;  // set when joined, null otherwise
  };

  // Finds or creates the room and joins the member to it, as one step, so a
  // sweep can never drop a room between a member finding it and joining it.
  Admission join(const std::string& room_id, Member& member, RoomTime now);
  // Drops rooms empty for longer than the grace period; returns how many.
  std::size_t sweep(std::chrono::steady_clock::time_point now);

  enum class Reservation {
    reserved,  // a slot is held for the room until it expires
    held,      // the room is here already (or reserved): nothing to do
    full,      // every slot is taken by a room or a reservation
    draining,  // the server takes no new rooms
  };
  // Holds a slot for `room_id` until `expires`, atomically against the room
  // limit (the room that has been empty longest makes way, as for a join).
  // Asked again for a reserved room, the reservation is extended.
  Reservation reserve(const std::string& room_id, std::chrono::steady_clock::time_point now,
                      std::chrono::steady_clock::time_point expires);
  struct ReservedStatus {
    std::string room_id;
    double expires_in_seconds = 0;
  };
  std::vector<ReservedStatus> reservations(std::chrono::steady_clock::time_point now);

  std::vector<RoomStatus> status(std::chrono::steady_clock::time_point now) const;
  std::size_t room_count() const;

  // A drain: every room stops accepting messages (PostResult::moving).
  void stop_accepting();
  // Summed over the rooms held: messages waiting for the log, and messages
  // it could not store.
  std::size_t appends_in_flight() const;
  std::uint64_t unstored_total() const;
  std::vector<std::string> room_ids() const;

 private:
  bool evict_longest_empty_locked();
  // Rooms plus live reservations for rooms not here yet: the slots in use.
  std::size_t slots_used_locked(std::chrono::steady_clock::time_point now);
  // Whether a new room `room_id` may be made here now: its own reservation,
  // consumed, or a free slot (an empty room evicted if need be).
  bool admit_new_room_locked(const std::string& room_id, std::chrono::steady_clock::time_point now);
  void on_loaded(const std::string& room_id, const LoadResult& loaded, RoomTime now);
  std::vector<std::shared_ptr<Room>> rooms_snapshot() const;

  const std::size_t rooms_max_;
  const RoomLimits limits_;
  const std::chrono::seconds empty_room_ttl_;
  const std::shared_ptr<MessageLog> log_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Room>> rooms_;
  bool accepting_ = true;
  // Reserved rooms not here yet, and when each reservation expires (bounded
  // by the room limit: a reservation is only granted for a free slot).
  std::map<std::string, std::chrono::steady_clock::time_point> reserved_;
  // The same, by expiry, so expired ones go without a scan. An entry whose
  // room is no longer reserved until that time is stale and skipped.
  std::multimap<std::chrono::steady_clock::time_point, std::string> reserved_by_expiry_;
  // Rooms being loaded from the log, and who waits for each.
  std::map<std::string, std::vector<std::function<void()>>> loading_;
};

}  // namespace chat
