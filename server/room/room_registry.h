// The rooms one session server holds, up to its room limit.
//
// A room is created when its first member arrives with a valid token (the
// backend placed it here) and kept for a grace period after its last member
// leaves, so a reload or a reconnect finds its history. When the server is at
// its room limit, the room that has been empty longest makes way for a new one.
#pragma once

#include <chrono>
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

class RoomRegistry {
 public:
  RoomRegistry(std::size_t rooms_max, RoomLimits limits, std::chrono::seconds empty_room_ttl);

  struct Admission {
    JoinResult result;
    std::shared_ptr<Room> room;  // set when joined, null otherwise
  };

  // Finds or creates the room and joins the member to it, as one step, so a
  // sweep can never drop a room between a member finding it and joining it.
  Admission join(const std::string& room_id, Member& member, RoomTime now);
  // Drops rooms empty for longer than the grace period; returns how many.
  std::size_t sweep(std::chrono::steady_clock::time_point now);

  std::vector<RoomStatus> status(std::chrono::steady_clock::time_point now) const;
  std::size_t room_count() const;

 private:
  bool evict_longest_empty_locked();

  const std::size_t rooms_max_;
  const RoomLimits limits_;
  const std::chrono::seconds empty_room_ttl_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Room>> rooms_;
};

}  // namespace chat
