// Drains: an operator's (POST /api/fleet/servers/:serverId/drain) or the
// autoscaler's (servers its tick chose to empty). The scheduler marks the
// server draining at once, so no new room goes there and look-ups move its
// rooms; the session server is then asked to hand its rooms over (POST
// /drain answers once its clients are closed with 1012 and its messages
// stored), after which the scheduler moves what is left and the fleet stops
// it. A session server that cannot drain is taken back: the drain is
// cancelled and logged (the scheduler counts drains by how they end).
#include <boost/asio/dispatch.hpp>
#include <iostream>

#include "server/backend/scheduler_placement.h"

namespace chat {

namespace net = boost::asio;

void SchedulerPlacement::drain_server(const std::string& server_id,
                                      std::function<void(DrainResult)> done) {
  net::dispatch(strand_, [this, server_id, done = std::move(done)] {
    if (stopped_) return done(DrainRefused{false, "The backend is shutting down"});
    if (!manages_fleet()) {
      const auto holder = lease_ ? lease_->state().holder : std::string();
      return done(
          DrainRefused{false, "This backend does not hold the fleet lease" +
                                  (holder.empty() ? std::string() : " (" + holder + " does)") +
                                  ": ask the backend that holds it (GET /api/fleet)"});
    }
    const auto before = scheduler_.server(server_id);
    switch (scheduler_.begin_drain(server_id, now())) {
      case sched::DrainStart::unknown_server:
        return done(DrainRefused{
            true, "No session server " + server_id + " in the fleet; GET /api/fleet lists them"});
      case sched::DrainStart::not_ready:
        return done(DrainRefused{
            false, "Session server " + server_id + " is " +
                       std::string(before ? sched::to_string(before->state) : "not ready") +
                       ": only a ready server can be drained"});
      case sched::DrainStart::started:
        break;
    }
    changed("a drain");
    const int rooms = before ? before->rooms : 0;
    record_drain(server_id, "operator", rooms);
    drain_session(server_id, "operator");
    done(DrainStarted{server_id, rooms});
  });
}

// On the strand. The scheduler already has the server draining.
void SchedulerPlacement::drain_session(const sched::ServerId& id, const char* by) {
  if (!sessions_draining_.insert(id).second) return;  // its POST /drain is in flight
  auto server = scheduler_.server(id);
  if (std::string_view(by) != "operator") record_drain(id, by, server ? server->rooms : 0);
  if (!server || server->host.empty()) {
    return on_session_drained(id, SessionDrainFailed{"the scheduler has no host for it"});
  }
  std::cout << "backend: draining session server " << id << " (asked by the " << by << ", "
            << server->rooms << " rooms)" << std::endl;
  session_drain_.drain(operators_host(*server),
                       [this, id](SessionDrainResult result) { on_session_drained(id, result); });
}

void SchedulerPlacement::on_session_drained(const sched::ServerId& id,
                                            const SessionDrainResult& result) {
  sessions_draining_.erase(id);
  if (stopped_) return;
  DrainRecord* record = nullptr;
  for (auto it = drains_.rbegin(); it != drains_.rend() && record == nullptr; ++it) {
    if (it->server_id == id && it->state == "draining") record = &*it;
  }
  if (auto* drained = std::get_if<SessionDrained>(&result)) {
    std::cout << "backend: session server " << id << " drained: " << drained->rooms.size()
              << " rooms handed over, " << drained->unstored << " messages not stored" << std::endl;
    if (record) {
      record->state = "drained";
      record->moved = drained->rooms;
      record->unstored = drained->unstored;
    }
    const auto rooms = scheduler_.rooms_on(id);
    scheduler_.on_drained(id, now());
    // Where its rooms went, for every backend.
    for (const auto& room : rooms) {
      auto to = scheduler_.server_of(room);
      if (to && *to != id) publish_moved(room, id, [](std::optional<control::RoomEntry>) {});
    }
    return changed("a drained server");
  }
  const auto& why = std::get<SessionDrainFailed>(result).why;
  std::cerr << "backend: drain of session server " << id << " failed, cancelled: " << why << "\n";
  if (record) {
    record->state = "failed";
    record->error = why;
  }
  scheduler_.cancel_drain(id, now());
  changed("a cancelled drain");
}

SchedulerPlacement::DrainRecord& SchedulerPlacement::record_drain(const sched::ServerId& id,
                                                                  const char* by, int rooms) {
  if (drains_.size() >= drains_kept_max) drains_.pop_front();
  return drains_.emplace_back(DrainRecord{id, by, "draining", rooms, {}, 0, {}});
}

boost::json::array SchedulerPlacement::describe_drains() const {
  boost::json::array drains;
  for (const auto& drain : drains_) {
    boost::json::object entry{{"serverId", drain.server_id},
                              {"by", drain.by},
                              {"state", drain.state},
                              {"rooms", drain.rooms},
                              {"unstored", drain.unstored}};
    boost::json::array moved;
    for (const auto& room : drain.moved) moved.emplace_back(room);
    entry["moved"] = std::move(moved);
    if (!drain.error.empty()) entry["error"] = drain.error;
    drains.push_back(std::move(entry));
  }
  return drains;
}

}  // namespace chat
