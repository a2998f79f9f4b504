// Users cut off from their room, and the drains the core asks for.
// A crash closes connections without a close frame (1006): unless
// --failover=leave, the users look the room up again after
// reconnect_delay_ms, and with --failover=probe their look-up names the host
// they could not reach, so the core probes it and takes it as gone at once.
// A confirmed drain closes them with 1012 "Room moving": they look the room
// up again after the same delay. Room downtime runs from the cut (for a
// drain: its request, when the server stops acknowledging messages) until
// the room's first user is back in it.
#include <variant>

#include "sim/simulator.h"

namespace sim {

void Simulator::interrupt_room(SimulatedRoom& room, bool by_crash, std::int32_t crashed_server) {
  room.hosted_on = -1;
  ++room.generation;  // in-room users of the old connection find themselves gone
  const bool users_come_back = !by_crash || config_.failover != Failover::leave;
  if (users_come_back) {
    if (!room.members.empty() && room.interrupted_ms < 0) {
      room.interrupted_ms = now_ms();
      room.interrupted_by_crash = by_crash;
    }
    for (std::uint64_t user_id : room.members) {
      SimulatedUser& user = users_.at(user_id);
      user.phase = UserPhase::reconnecting;
      user.waiting_since_ms = now_ms();
      user.unreachable_server = by_crash ? crashed_server : -1;
      ++room.users_reconnecting;
      ++users_reconnecting_;
      retry_reconnect(user_id, user, config_.reconnect_delay_ms);
    }
  }
  room.members.clear();
  update_activity(room);
}

void Simulator::retry_reconnect(std::uint64_t user_id, SimulatedUser& user, std::int64_t delay_ms) {
  queue_.push(now_ms() + delay_ms,
              SimEvent{SimEventKind::lookup_retry, 0, user_id, ++user.retry_token});
}

void Simulator::reconnect(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room) {
  // GET /api/rooms/:id?unreachable=<host> (--failover=probe): the core
  // probes the host at once if it is the room's; a dead one is taken as
  // gone and the room placed again.
  std::optional<std::string> unreachable;
  if (config_.failover == Failover::probe && user.unreachable_server >= 0) {
    unreachable = fleet_.at(static_cast<std::uint32_t>(user.unreachable_server)).host;
  }
  const core::RequestId id = next_request();
  if (ask(core::FindRoom{id, room.scheduler_id, std::move(unreachable), room.scheduler_key},
          PendingRequest{false, user_id, ++user.retry_token}, room, &user)) {
    return;
  }
  watch_if_placed(room);  // placed again on a starting server: answered once it is up
}

void Simulator::reconnected(SimulatedUser& user, SimulatedRoom& room) {
  stop_reconnecting(user, room);
  user.unreachable_server = -1;
  ++report_.reconnects;
}

void Simulator::give_up_reconnect(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room) {
  stop_reconnecting(user, room);
  ++report_.reconnects_failed;
  users_.erase(user_id);
}

void Simulator::stop_reconnecting(SimulatedUser& user, SimulatedRoom& room) {
  if (user.phase != UserPhase::reconnecting) return;
  user.phase = UserPhase::arriving;
  --room.users_reconnecting;
  --users_reconnecting_;
  update_activity(room);
}

void Simulator::note_back_in(SimulatedRoom& room) {
  if (room.interrupted_ms < 0) return;
  (room.interrupted_by_crash ? downtimes_crash_ms_ : downtimes_move_ms_)
      .push_back(now_ms() - room.interrupted_ms);
  room.interrupted_ms = -1;
}

void Simulator::begin_drain(const sched::ServerId& id) {
  const std::optional<std::uint32_t> index = fleet_.index_of_id(id);
  if (!index) return fail(FailureKind::correctness, "the core drains unknown server " + id);
  // The backend's POST /drain: the server refuses new clients and stops
  // acknowledging messages from now on (v2 clients send them again after
  // the move), and answers once its clients are closed and its history
  // stored. So the rooms' downtime starts here.
  fleet_.begin_drain(*index);
  for (std::uint64_t room_id : fleet_.at(*index).rooms) {
    SimulatedRoom& room = rooms_.at(room_id);
    if (room.interrupted_ms >= 0) continue;
    room.interrupted_ms = now_ms();
    room.interrupted_by_crash = false;
  }
  queue_.push(now_ms() + config_.drain_confirm_ms,
              SimEvent{SimEventKind::drain_confirm, *index, 0, 0});
}

void Simulator::on_drain_confirm(std::uint32_t index) {
  const SimServer& server = fleet_.at(index);
  if (server.phase != ServerPhase::running) {
    // It crashed meanwhile: the backend's POST /drain failed.
    return drive(core::DrainFailed{server.id, "connection refused"});
  }
  for (const HostedRoom& closed : fleet_.close_for_drain(index)) {
    report_.users_moved += static_cast<std::uint64_t>(closed.users);
    interrupt_room(rooms_.at(closed.room), /*by_crash=*/false, -1);
  }
  // Every room the table holds there is placed elsewhere now, where nobody
  // has joined it yet: those whose users are reconnecting, and those the
  // scheduler still held although their last user left during the drain
  // (its reports are not followed meanwhile).
  const std::vector<sched::RoomKey> moved = scheduler().rooms().rooms_on(server.poll.server_key);
  drive(core::DrainConfirmed{server.id, {}, 0});
  placements_watched_.insert(placements_watched_.end(), moved.begin(), moved.end());
}

}  // namespace sim
