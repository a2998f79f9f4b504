// Replicated backends: several schedulers, one per backend, place rooms on
// the same session servers. Each server is the judge of its own room limit
// (it admits or refuses a reservation atomically), and a shared directory
// says where each room is; these calls let a scheduler follow both. The
// property test replicas_prop_test.cc runs two schedulers against one set of
// servers and one directory.
#include "scheduler/check.h"
#include "scheduler/scheduler.h"

namespace sched {

void Scheduler::on_reservation_refused(const RoomId& room_id, const ServerId& server_id,
                                       Millis now) {
  ServerRecord* server = find_server(server_id);
  RoomRecord* room = rooms_.find(room_id);
  if (room != nullptr && server != nullptr && room->server == server->key &&
      room->state == RoomState::placed) {
    rooms_.erase(room->key);
  }
  if (server == nullptr) return;
  // Full in its own eyes: nothing more goes there until it reports again.
  server->held_elsewhere = server->room_capacity;
  reindex(*server, now);
  forget_if_stopped_and_empty(*server, now);
}

void Scheduler::release_room(const RoomId& room_id, Millis now) {
  RoomRecord* room = rooms_.find(room_id);
  if (room == nullptr) return;
  const ServerKey key = room->server;
  rooms_.erase(room->key);
  auto server = servers_.find(key);
  if (server == servers_.end()) return;
  reindex(server->second, now);
  forget_if_stopped_and_empty(server->second, now);
}

bool Scheduler::adopt_room(const RoomId& room_id, const ServerId& server_id, Millis now) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr || server->stopped) return false;
  RoomRecord* room = rooms_.find(room_id);
  if (room != nullptr && room->server == server->key) return true;
  // A gone server takes it as an orphan (no slot needed); a live one needs a
  // slot in this table's view, which its next report corrects if need be.
  const bool live = server->state != ServerState::gone;
  if (live && rooms_.count_on(server->key) >= server->room_capacity) return false;
  // The room now counts in this table, no longer as held elsewhere.
  if (live) server->held_elsewhere = std::max(0, server->held_elsewhere - 1);
  if (room == nullptr) {
    rooms_.place(room_id, server->key, now);
  } else {
    ServerRecord& previous = servers_.at(room->server);
    rooms_.move(*room, server->key, now);
    reindex(previous, now);
    forget_if_stopped_and_empty(previous, now);
  }
  reindex(*server, now);
  return true;
}

bool Scheduler::on_shortage(Millis now) {
  if (!candidates_.empty()) return false;
  for (ServerKey key : starting_) {
    if (free_slots(servers_.at(key)) > 0) return false;
  }
  return start_server(now) != nullptr;
}

std::optional<ServerId> Scheduler::server_of(const RoomId& room_id) const {
  const RoomRecord* room = rooms_.find(room_id);
  if (room == nullptr) return std::nullopt;
  auto server = servers_.find(room->server);
  if (server == servers_.end()) return std::nullopt;
  return server->second.id;
}

}  // namespace sched
