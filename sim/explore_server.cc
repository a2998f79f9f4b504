#include "sim/explore_server.h"

namespace sim::explore {

SessionServer::SessionServer(core::Member member, int room_limit, Millis empty_room_ttl,
                             const PlantedFaults& planted)
    : member_(std::move(member)),
      room_limit_(room_limit),
      empty_room_ttl_(empty_room_ttl),
      planted_(planted) {}

void SessionServer::come_up() { phase_ = ServerPhase::up; }

void SessionServer::go_down(ServerPhase phase) {
  phase_ = phase;
  ++incarnation_;
  draining_ = false;  // a static host comes back as a fresh process
  users_.clear();
  empty_since_.clear();
  unannounced_at_.clear();
  reserved_until_.clear();
}

void SessionServer::expire(Millis now) {
  std::erase_if(reserved_until_, [now](const auto& entry) { return entry.second <= now; });
  // The registry's sweep: emptied rooms go after their time to live.
  for (auto it = empty_since_.begin(); it != empty_since_.end();) {
    if (now - it->second > empty_room_ttl_) {
      users_.erase(it->first);
      unannounced_at_.erase(it->first);
      it = empty_since_.erase(it);
    } else {
      ++it;
    }
  }
}

bool SessionServer::evict_longest_empty() {
  if (empty_since_.empty()) return false;
  auto oldest = empty_since_.begin();
  for (auto it = empty_since_.begin(); it != empty_since_.end(); ++it) {
    if (it->second < oldest->second) oldest = it;
  }
  users_.erase(oldest->first);
  unannounced_at_.erase(oldest->first);
  empty_since_.erase(oldest);
  return true;
}

int SessionServer::slots_used(Millis now) const {
  int reserved = 0;
  for (const auto& [room_id, until] : reserved_until_) reserved += until > now ? 1 : 0;
  return static_cast<int>(users_.size()) + reserved;
}

std::optional<Millis> SessionServer::unannounced_at(const sched::RoomId& room_id) const {
  auto found = unannounced_at_.find(room_id);
  if (found == unannounced_at_.end()) return std::nullopt;
  return found->second;
}

int SessionServer::users_in(const sched::RoomId& room_id) const {
  auto found = users_.find(room_id);
  return found == users_.end() ? 0 : found->second;
}

core::ReserveOutcome SessionServer::reserve(const sched::RoomId& room_id, Millis now,
                                            Millis expires) {
  if (users_.contains(room_id)) return core::Reserved{};
  if (draining_ && !planted_.server_reserves_while_draining) {
    return core::ReservationRefused{"draining"};
  }
  expire(now);
  if (auto held = reserved_until_.find(room_id); held != reserved_until_.end()) {
    held->second = std::max(held->second, expires);
    return core::Reserved{};
  }
  if (slots_used(now) >= room_limit_ && !evict_longest_empty() && !planted_.server_exceeds_limit) {
    return core::ReservationRefused{"full"};
  }
  reserved_until_[room_id] = expires;
  return core::Reserved{};
}

bool SessionServer::admit_new_room(const sched::RoomId& room_id, Millis now) {
  expire(now);
  // Its slot was counted since the reservation: taking it is the room.
  if (reserved_until_.erase(room_id) != 0) return true;
  if (slots_used(now) >= room_limit_ && !evict_longest_empty()) return false;
  unannounced_at_[room_id] = now;
  return true;
}

JoinOutcome SessionServer::join(const sched::RoomId& room_id, Millis now) {
  if (draining_) return JoinOutcome::closing;
  if (!users_.contains(room_id)) {
    if (!admit_new_room(room_id, now)) return JoinOutcome::full;
    users_[room_id] = 0;
  }
  ++users_[room_id];
  if (empty_since_.erase(room_id) != 0) unannounced_at_[room_id] = now;
  return JoinOutcome::joined;
}

void SessionServer::leave(const sched::RoomId& room_id, Millis now) {
  auto found = users_.find(room_id);
  if (found == users_.end() || found->second == 0) return;
  if (--found->second == 0) empty_since_[room_id] = now;
}

std::vector<std::string> SessionServer::drain(Millis now) {
  draining_ = true;
  std::vector<std::string> rooms;
  // Its clients are closed with 1012: every room is empty from now on.
  for (auto& [room_id, users] : users_) {
    rooms.push_back(room_id);
    if (users > 0) empty_since_[room_id] = now;
    users = 0;
  }
  return rooms;
}

sched::StatusReport SessionServer::status(Millis now) {
  expire(now);
  sched::StatusReport report;
  report.host = member_.host;
  report.draining = draining_;
  for (const auto& [room_id, users] : users_) report.rooms.push_back({room_id, users});
  report.reserved = static_cast<int>(reserved_until_.size());
  return report;
}

}  // namespace sim::explore
