// Drains: an operator's or the autoscaler's (servers its tick chose to
// empty). The scheduler marks the server draining at once, so no new room
// goes there and look-ups move its rooms; the session server is then asked
// to hand its rooms over (POST /drain answers once its clients are closed
// with 1012 and its messages stored), after which the scheduler moves what
// is left and the fleet stops it. A session server that cannot drain is
// taken back: the drain is cancelled and logged.
#include "control/control_core.h"

namespace core {

void ControlCore::on(const DrainServer& event) {
  auto refuse = [&](bool unknown, std::string reason) {
    answer(event.request, DrainResult{DrainRefused{unknown, std::move(reason)}});
  };
  if (stopped_) return refuse(false, "The backend is shutting down");
  if (!manages_fleet()) {
    return refuse(false, "This backend does not hold the fleet lease" +
                             (lease_holder_.empty() ? std::string() : " (" + lease_holder_ + " does)") +
                             ": ask the backend that holds it (GET /api/fleet)");
  }
  const auto before = scheduler_.server(event.server_id);
  switch (scheduler_.begin_drain(event.server_id, now_)) {
    case sched::DrainStart::unknown_server:
      return refuse(true, "No session server " + event.server_id +
                              " in the fleet; GET /api/fleet lists them");
    case sched::DrainStart::not_ready:
      return refuse(false, "Session server " + event.server_id + " is " +
                               std::string(before ? sched::to_string(before->state) : "not ready") +
                               ": only a ready server can be drained");
    case sched::DrainStart::started:
      break;
  }
  const int rooms = before ? before->rooms : 0;
  record_drain(event.server_id, "operator", rooms);
  drain_session(event.server_id, "operator");
  answer(event.request, DrainResult{DrainStarted{event.server_id, rooms}});
}

// The scheduler already has the server draining.
void ControlCore::drain_session(const sched::ServerId& id, const char* by) {
  if (!sessions_draining_.insert(id).second) return;  // its POST /drain is in flight
  auto server = scheduler_.server(id);
  if (std::string_view(by) != "operator") record_drain(id, by, server ? server->rooms : 0);
  if (!server || server->host.empty()) {
    return on(DrainFailed{id, "the scheduler has no host for it"});
  }
  log(LogLevel::info, "draining session server " + id + " (asked by the " + by + ", " +
                          std::to_string(server->rooms) + " rooms)");
  emit(DrainSession{id, admin_host(*server)});
}

void ControlCore::on(const DrainConfirmed& event) {
  if (!sessions_draining_.erase(event.server_id) || stopped_) return;
  log(LogLevel::info, "session server " + event.server_id + " drained: " +
                          std::to_string(event.rooms.size()) + " rooms handed over, " +
                          std::to_string(event.unstored) + " messages not stored");
  if (DrainRecord* record = open_drain(event.server_id)) {
    record->state = "drained";
    record->moved = event.rooms;
    record->unstored = event.unstored;
  }
  if (!manages_fleet() || !options_.fleet.can_stop) {
    // It cannot be stopped from here (the lease went while it drained, or
    // the fleet cannot stop servers: a static host runs on until restarted
    // in place). Given up, it would run unseen, uncounted, never used
    // again; kept, it reports draining, so look-ups move its rooms, and it
    // takes rooms again once it answers undrained.
    return scheduler_.cancel_drain(event.server_id, now_);
  }
  const auto rooms = scheduler_.rooms_on(event.server_id);
  scheduler_.on_drained(event.server_id, now_);
  // Where its rooms went, for every backend; followed as a look-up's move
  // is, since another backend may have moved one first (it saw the server
  // draining).
  for (const auto& room : rooms) {
    auto to = scheduler_.server_of(room);
    if (!to || *to == event.server_id) continue;
    const RequestId request = ++core_requests_;
    drain_moves_[request] = room;
    publish_moved(request, room, event.server_id);
  }
}

// The directory names another server for a room this drain placed: that
// move stands, for this table too. Kept where the drain put it, the room
// would be in two places, its clients split between them.
void ControlCore::follow_drain_move(const sched::RoomId& room_id,
                                    const std::optional<DirectoryEntry>& elsewhere) {
  if (!elsewhere || scheduler_.adopt_room(room_id, elsewhere->server_id, now_)) return;
  // A server this table does not know, or full in its view: the directory
  // answers for the room.
  scheduler_.release_room(room_id, now_);
}

void ControlCore::on(const DrainFailed& event) {
  if (!sessions_draining_.erase(event.server_id) || stopped_) return;
  log(LogLevel::warning,
      "drain of session server " + event.server_id + " failed, cancelled: " + event.why);
  if (DrainRecord* record = open_drain(event.server_id)) {
    record->state = "failed";
    record->error = event.why;
  }
  scheduler_.cancel_drain(event.server_id, now_);
}

DrainRecord* ControlCore::open_drain(const sched::ServerId& id) {
  for (auto it = drains_.rbegin(); it != drains_.rend(); ++it) {
    if (it->server_id == id && it->state == "draining") return &*it;
  }
  return nullptr;
}

DrainRecord& ControlCore::record_drain(const sched::ServerId& id, const char* by, int rooms) {
  if (drains_.size() >= drains_kept_max) drains_.pop_front();
  return drains_.emplace_back(DrainRecord{id, by, "draining", rooms, {}, 0, {}});
}

}  // namespace core
