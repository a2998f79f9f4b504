// A session server as the exploration world has it: the judge of its own
// room limit, as server/room/room_registry.cc is (a reservation holds a
// slot like a room until it is joined or expires; when full, the room
// empty the longest gives way to a new one; once draining, nothing new is
// admitted), holding joined rooms with their users, and reporting them as
// GET /status does. Pure bookkeeping: the world decides when things happen.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/events.h"
#include "scheduler/scheduler.h"
#include "sim/explore_config.h"

namespace sim::explore {

using Millis = sched::Millis;

enum class ServerPhase : std::uint8_t {
  starting,  // launched, not answering yet
  up,        // answering
  crashed,   // died; a static host comes back in place (a new incarnation)
  failed,    // never came up
  stopped,   // stopped by the fleet
};

enum class JoinOutcome : std::uint8_t {
  joined,
  full,     // no slot for a new room (server_full)
  closing,  // draining: it admits nobody (the client looks the room up again)
};

class SessionServer {
 public:
  SessionServer(core::Member member, int room_limit, Millis empty_room_ttl,
                const PlantedFaults& planted);

  const core::Member& member() const { return member_; }
  const std::string& id() const { return member_.id; }
  const std::string& host() const { return member_.host; }
  ServerPhase phase() const { return phase_; }
  bool up() const { return phase_ == ServerPhase::up; }
  // Started and neither stopped, crashed nor failed: what the fleet pays for.
  bool running() const { return phase_ == ServerPhase::starting || phase_ == ServerPhase::up; }
  bool draining() const { return draining_; }
  // Moves on each time the process is replaced (a static host's restart).
  int incarnation() const { return incarnation_; }
  int room_limit() const { return room_limit_; }

  void come_up();
  // Every room, reservation and user goes with the process.
  void go_down(ServerPhase phase);

  // POST /rooms/:id/reserve.
  core::ReserveOutcome reserve(const sched::RoomId& room_id, Millis now, Millis expires);
  // A client's WebSocket join; leave is its close.
  JoinOutcome join(const sched::RoomId& room_id, Millis now);
  void leave(const sched::RoomId& room_id, Millis now);
  // POST /drain: from now on nothing new is admitted; the rooms it held.
  std::vector<std::string> drain(Millis now);
  sched::StatusReport status(Millis now);

  // Rooms plus reservations that have not expired by `now`.
  int slots_used(Millis now) const;
  int users_in(const sched::RoomId& room_id) const;
  // When a join made the room without a reservation for it, or joined it
  // again once emptied: no core placed it there, and none can know of it
  // before the server's next report. nullopt for a room made from a
  // reservation and never emptied since.
  std::optional<Millis> unannounced_at(const sched::RoomId& room_id) const;
  const std::map<sched::RoomId, int>& rooms_users() const { return users_; }

 private:
  void expire(Millis now);
  bool evict_longest_empty();
  bool admit_new_room(const sched::RoomId& room_id, Millis now);

  core::Member member_;
  int room_limit_;
  Millis empty_room_ttl_;
  const PlantedFaults& planted_;
  ServerPhase phase_ = ServerPhase::starting;
  int incarnation_ = 0;
  bool draining_ = false;
  std::map<sched::RoomId, int> users_;  // every room it holds, 0 users when emptied
  std::map<sched::RoomId, Millis> empty_since_;
  std::map<sched::RoomId, Millis> unannounced_at_;
  std::map<sched::RoomId, Millis> reserved_until_;
};

}  // namespace sim::explore
