#include "sim/explore_store.h"

namespace sim::explore {

std::optional<core::DirectoryEntry> ControlStore::read_room(const sched::RoomId& room_id,
                                                            Millis now) const {
  auto found = rooms_.find(room_id);
  if (found == rooms_.end() || !found->second.live(now)) return std::nullopt;
  return found->second.entry;
}

void ControlStore::place_room(const sched::RoomId& room_id, const core::DirectoryEntry& entry,
                              Millis ttl, Millis now) {
  rooms_[room_id] =
      Entry{entry, ttl.count() > 0 ? std::optional<Millis>(now + ttl) : std::nullopt};
}

std::optional<core::DirectoryEntry> ControlStore::move_room(const sched::RoomId& room_id,
                                                            const sched::ServerId& from,
                                                            const core::DirectoryEntry& to,
                                                            Millis ttl, Millis now) {
  // directory.cc's move script: another server's entry stands, unless it
  // is already the one asked for.
  if (auto current = read_room(room_id, now)) {
    const bool same = current->server_id == to.server_id && current->host == to.host;
    if (current->server_id != from && !same) return current;
  }
  place_room(room_id, to, ttl, now);
  return std::nullopt;
}

void ControlStore::free_room(const sched::RoomId& room_id, const sched::ServerId& server_id,
                             Millis now) {
  auto current = read_room(room_id, now);
  if (current && current->server_id == server_id) rooms_.erase(room_id);
}

std::vector<core::Member> ControlStore::members() const {
  std::vector<core::Member> listed;
  for (const auto& [id, member] : members_) listed.push_back(member);
  return listed;
}

bool ControlStore::admit_fenced(std::uint64_t token, const std::string& what) {
  const bool admit = token == fence_ || planted_.store_accepts_stale_token;
  if (token != fence_ && !admit) ++stale_writes_refused_;
  // Whatever the reason it was let in, the checker is told.
  if (admit && token != fence_) {
    stale_writes_.push_back(what + " under token " + std::to_string(token) + ", latest " +
                            std::to_string(fence_));
  }
  return admit;
}

bool ControlStore::add_member(const core::Member& member, std::uint64_t token) {
  if (!admit_fenced(token, "member " + member.id + " added")) return false;
  members_[member.id] = member;
  return true;
}

bool ControlStore::remove_member(const sched::ServerId& server_id, std::uint64_t token) {
  if (!admit_fenced(token, "member " + server_id + " removed")) return false;
  members_.erase(server_id);
  return true;
}

std::optional<ControlStore::LeaseValue> ControlStore::lease(Millis now) const {
  if (!lease_ || now >= lease_until_) return std::nullopt;
  return lease_;
}

std::optional<std::uint64_t> ControlStore::acquire_lease(const std::string& holder, Millis ttl,
                                                         Millis now) {
  if (lease(now)) return std::nullopt;
  lease_ = LeaseValue{holder, ++fence_};
  lease_until_ = now + ttl;
  return fence_;
}

bool ControlStore::renew_lease(const std::string& holder, std::uint64_t token, Millis ttl,
                               Millis now) {
  auto current = lease(now);
  if (!current || current->holder != holder || current->token != token) return false;
  lease_until_ = now + ttl;
  return true;
}

void ControlStore::release_lease(const std::string& holder, std::uint64_t token, Millis now) {
  auto current = lease(now);
  if (current && current->holder == holder && current->token == token) lease_.reset();
}

void ControlStore::report_shortage(const std::string& replica, Millis ttl, Millis now) {
  shortage_ = Expiring{replica, now + ttl};
}

std::optional<std::string> ControlStore::shortage(Millis now) const {
  if (shortage_.value.empty() || !shortage_.live(now)) return std::nullopt;
  return shortage_.value;
}

}  // namespace sim::explore
