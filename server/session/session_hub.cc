#include "server/session/session_hub.h"

#include <algorithm>

namespace chat {

SessionHub::SessionHub(SessionConfig config, const MessageLogFactory& make_log)
    : config_(std::move(config)),
      session_metrics_(metrics_.registry()),
      rooms_(std::make_shared<RoomRegistry>(config_.rooms_max, config_.room_limits,
                                            config_.empty_room_ttl,
                                            make_log ? make_log(metrics_.registry()) : nullptr)) {}

void SessionHub::add(const std::shared_ptr<DrainableSession>& session) {
  std::lock_guard lock(mutex_);
  sessions_.emplace(session.get(), session);
}

void SessionHub::remove(const DrainableSession* session) {
  std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

std::size_t SessionHub::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::shared_ptr<DrainableSession>> SessionHub::alive_sessions() const {
  std::vector<std::shared_ptr<DrainableSession>> alive;
  std::lock_guard lock(mutex_);
  alive.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    // Expired: that session's destructor is running, and waits on our lock
    // to remove itself. It is going anyway.
    if (auto owner = weak.lock()) alive.push_back(std::move(owner));
  }
  return alive;
}

void SessionHub::close_all(CloseReason reason) {
  // Outside the lock: `alive` may hold a session's last reference, and its
  // destructor calls remove(), which takes the lock (under it: a deadlock).
  auto alive = alive_sessions();
  for (const auto& session : alive) session->close_for(reason);
}

void SessionHub::read_send_queues() {
  std::size_t total = 0, largest = 0;
  auto alive = alive_sessions();  // released outside the lock, as above
  for (const auto& session : alive) {
    std::size_t bytes = session->queued_bytes();
    total += bytes;
    largest = std::max(largest, bytes);
  }
  session_metrics_.send_queue_bytes.Set(static_cast<double>(total));
  session_metrics_.send_queue_bytes_largest.Set(static_cast<double>(largest));
}

std::vector<RoomStatus> SessionHub::read_rooms(std::chrono::steady_clock::time_point now) {
  std::vector<RoomStatus> rooms = rooms_->status(now);
  std::size_t users = 0;
  for (const auto& room : rooms) users += room.users;
  session_metrics_.rooms.Set(static_cast<double>(rooms.size()));
  session_metrics_.users.Set(static_cast<double>(users));
  return rooms;
}

void SessionHub::sweep_rooms(std::chrono::steady_clock::time_point now) {
  rooms_->sweep(now);
  session_metrics_.rooms.Set(static_cast<double>(rooms_->room_count()));
}

}  // namespace chat
