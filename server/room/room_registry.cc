#include "server/room/room_registry.h"

namespace chat {

RoomRegistry::RoomRegistry(std::size_t rooms_max, RoomLimits limits,
                           std::chrono::seconds empty_room_ttl)
    : rooms_max_(rooms_max), limits_(limits), empty_room_ttl_(empty_room_ttl) {}

bool RoomRegistry::evict_longest_empty_locked() {
  auto oldest = rooms_.end();
  std::chrono::steady_clock::time_point oldest_since;
  for (auto it = rooms_.begin(); it != rooms_.end(); ++it) {
    auto since = it->second->empty_since();
    if (since && (oldest == rooms_.end() || *since < oldest_since)) {
      oldest = it;
      oldest_since = *since;
    }
  }
  if (oldest == rooms_.end()) return false;
  rooms_.erase(oldest);
  return true;
}

RoomRegistry::Admission RoomRegistry::join(const std::string& room_id, Member& member,
                                           RoomTime now) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room_id);
  bool created = false;
  if (it == rooms_.end()) {
    if (rooms_.size() >= rooms_max_ && !evict_longest_empty_locked()) {
      return {JoinResult::server_full, nullptr};
    }
    it = rooms_.emplace(room_id, std::make_shared<Room>(room_id, limits_)).first;
    created = true;
  }
  JoinResult result = it->second->join(member, now);
  if (result == JoinResult::joined) return {result, it->second};
  // A room made for a member it then refused would hold a slot with nobody in it.
  if (created) rooms_.erase(it);
  return {result, nullptr};
}

std::size_t RoomRegistry::sweep(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    auto since = it->second->empty_since();
    if (since && now - *since > empty_room_ttl_) {
      it = rooms_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

std::vector<RoomStatus> RoomRegistry::status(std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  std::vector<RoomStatus> out;
  out.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) {
    RoomStatus status{id, room->user_count(), room->messages_total(), 0};
    if (auto since = room->empty_since()) {
      status.empty_seconds = std::chrono::duration<double>(now - *since).count();
    }
    out.push_back(std::move(status));
  }
  return out;
}

std::size_t RoomRegistry::room_count() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace chat
