#include "server/room/room_registry.h"

#include <algorithm>

namespace chat {

RoomRegistry::RoomRegistry(std::size_t rooms_max, RoomLimits limits,
                           std::chrono::seconds empty_room_ttl, std::shared_ptr<MessageLog> log)
    : rooms_max_(rooms_max),
      limits_(limits),
      empty_room_ttl_(empty_room_ttl),
      log_(std::move(log)) {}

void RoomRegistry::open(const std::string& room_id, RoomTime now, std::function<void()> ready) {
  {
    std::lock_guard lock(mutex_);
    if (log_ && !rooms_.contains(room_id)) {
      auto [waiting, first] = loading_.try_emplace(room_id);
      waiting->second.push_back(std::move(ready));
      if (!first) return;  // a load of this room is on its way
      log_->load(room_id, limits_.remembered_ids_max,
                 [weak = weak_from_this(), room_id, now](LoadResult loaded) {
                   if (auto registry = weak.lock()) registry->on_loaded(room_id, loaded, now);
                 });
      return;
    }
  }
  ready();
}

void RoomRegistry::on_loaded(const std::string& room_id, const LoadResult& loaded, RoomTime now) {
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard lock(mutex_);
    auto found = loading_.find(room_id);
    if (found != loading_.end()) {
      waiting = std::move(found->second);
      loading_.erase(found);
    }
    // Held for its first member (join finds it); without a slot, join says
    // server_full as it would have.
    if (!rooms_.contains(room_id) && admit_new_room_locked(room_id, now.steady)) {
      auto room = std::make_shared<Room>(room_id, limits_, log_);
      room->restore(loaded.messages, now);
      if (!accepting_) room->stop_accepting();
      rooms_.emplace(room_id, std::move(room));
    }
  }
  for (auto& ready : waiting) ready();
}

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

std::size_t RoomRegistry::slots_used_locked(std::chrono::steady_clock::time_point now) {
  while (!reserved_by_expiry_.empty() && reserved_by_expiry_.begin()->first <= now) {
    auto oldest = reserved_by_expiry_.begin();
    auto found = reserved_.find(oldest->second);
    if (found != reserved_.end() && found->second == oldest->first) reserved_.erase(found);
    reserved_by_expiry_.erase(oldest);
  }
  return rooms_.size() + reserved_.size();
}

bool RoomRegistry::admit_new_room_locked(const std::string& room_id,
                                         std::chrono::steady_clock::time_point now) {
  slots_used_locked(now);
  // Its slot was counted since the reservation: taking it is the room.
  if (reserved_.erase(room_id) != 0) return true;
  return rooms_.size() + reserved_.size() < rooms_max_ || evict_longest_empty_locked();
}

RoomRegistry::Reservation RoomRegistry::reserve(const std::string& room_id,
                                                std::chrono::steady_clock::time_point now,
                                                std::chrono::steady_clock::time_point expires) {
  std::lock_guard lock(mutex_);
  if (rooms_.contains(room_id)) return Reservation::held;
  if (!accepting_) return Reservation::draining;
  const std::size_t used = slots_used_locked(now);
  if (auto found = reserved_.find(room_id); found != reserved_.end()) {
    if (expires > found->second) {
      found->second = expires;
      reserved_by_expiry_.emplace(expires, room_id);
    }
    return Reservation::held;
  }
  if (used >= rooms_max_ && !evict_longest_empty_locked()) return Reservation::full;
  reserved_.emplace(room_id, expires);
  reserved_by_expiry_.emplace(expires, room_id);
  return Reservation::reserved;
}

std::vector<RoomRegistry::ReservedStatus> RoomRegistry::reservations(
    std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  slots_used_locked(now);
  std::vector<ReservedStatus> out;
  out.reserve(reserved_.size());
  for (const auto& [id, expires] : reserved_) {
    out.push_back({id, std::chrono::duration<double>(expires - now).count()});
  }
  return out;
}

RoomRegistry::Admission RoomRegistry::join(const std::string& room_id, Member& member,
                                           RoomTime now) {
  std::lock_guard lock(mutex_);
  auto it = rooms_.find(room_id);
  bool created = false;
  if (it == rooms_.end()) {
    if (!admit_new_room_locked(room_id, now.steady)) return {JoinResult::server_full, nullptr};
    it = rooms_.emplace(room_id, std::make_shared<Room>(room_id, limits_, log_)).first;
    if (!accepting_) it->second->stop_accepting();
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
  slots_used_locked(now);  // and expired reservations go
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

std::vector<std::shared_ptr<Room>> RoomRegistry::rooms_snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Room>> rooms;
  rooms.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) rooms.push_back(room);
  return rooms;
}

void RoomRegistry::stop_accepting() {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
  }
  for (const auto& room : rooms_snapshot()) room->stop_accepting();
}

std::size_t RoomRegistry::appends_in_flight() const {
  std::size_t total = 0;
  for (const auto& room : rooms_snapshot()) total += room->appends_in_flight();
  return total;
}

std::uint64_t RoomRegistry::unstored_total() const {
  std::uint64_t total = 0;
  for (const auto& room : rooms_snapshot()) total += room->unstored_total();
  return total;
}

std::vector<std::string> RoomRegistry::room_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  ids.reserve(rooms_.size());
  for (const auto& [id, room] : rooms_) ids.push_back(id);
  return ids;
}

std::size_t RoomRegistry::room_count() const {
  std::lock_guard lock(mutex_);
  return rooms_.size();
}

}  // namespace chat
