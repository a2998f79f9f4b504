// The users' side: create a room, look it up, join the server it names,
// wait (asking again) while that server starts, leave, send messages.
#include <algorithm>
#include <variant>

#include "sim/simulator.h"

namespace sim {

void Simulator::on_create(const WorkloadEvent& event) {
  auto [entry, added] = rooms_.try_emplace(event.room);
  if (!added) {
    ++report_.creates_refused[static_cast<int>(CreateRefusal::duplicate_room)];
    return;
  }
  SimulatedRoom& room = *entry;
  room.created_ms = now_ms();
  const core::RequestId id = next_request();
  if (ask(core::CreateRoom{id, {}, 0}, PendingRequest{true, event.room, 0}, room)) return;
  // Placed on a starting server: POST /api/rooms answers once it is up.
  room.create_pending = true;
  room.waiting_for_start = true;
  ++report_.rooms_created;
  ++report_.rooms_waited;
}

void Simulator::on_create_answer(SimulatedRoom& room, core::CreateRoomResult& result) {
  const bool was_pending = std::exchange(room.create_pending, false);
  if (auto* created = std::get_if<core::RoomCreated>(&result)) {
    room.scheduler_id = std::move(created->room_id);  // the answer is the simulator's now
    room.scheduler_key = created->key;
    placements_watched_.push_back(room.scheduler_key);
    if (!was_pending) ++report_.rooms_created;
    return;
  }
  room.refused = true;
  if (!was_pending) ++report_.creates_refused[static_cast<int>(CreateRefusal::no_capacity)];
}

void Simulator::on_join(const WorkloadEvent& event) {
  ++report_.joins;
  auto [entry, added] = users_.try_emplace(event.user);
  if (!added) {
    ++report_.joins_refused[static_cast<int>(JoinRefusal::already_in_room)];
    return;
  }
  SimulatedUser& user = *entry;
  user.room = event.room;
  user.waiting_since_ms = now_ms();
  SimulatedRoom* room = rooms_.find(event.room);
  if (room == nullptr || room->refused) {
    ++report_.joins_refused[static_cast<int>(room != nullptr ? JoinRefusal::create_refused
                                                             : JoinRefusal::unknown_room)];
    users_.erase(event.user);
    return;
  }
  try_join(event.user, user, *room);
}

void Simulator::try_join(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room) {
  if (user.phase == UserPhase::reconnecting) return reconnect(user_id, user, room);
  // The creator has no room id yet: ask again shortly.
  if (room.create_pending) return wait_and_retry(user_id, user, room, config_.lookup_retry_ms);
  const core::RequestId id = next_request();
  if (ask(core::FindRoom{id, room.scheduler_id, std::nullopt, room.scheduler_key},
          PendingRequest{false, user_id, ++user.retry_token}, room, &user)) {
    return;
  }
  // Its server is starting: the look-up is answered once it is up.
  watch_if_placed(room);
  begin_waiting(user, room);
}

void Simulator::on_lookup_answer(std::uint64_t user_id, SimulatedUser& user,
                                 SimulatedRoom& room, const core::FindRoomResult& result) {
  const bool reconnecting = user.phase == UserPhase::reconnecting;
  if (const auto* at = std::get_if<core::RoomAt>(&result)) {
    if (room.hosted_on < 0) watch_if_placed(room);  // perhaps placed again just now
    return enter_server(user_id, user, room, at->host);
  }
  if (const auto* no_server = std::get_if<core::NoServerNow>(&result)) {
    if (config_.retry_unavailable) {
      // 503 with Retry-After: the client asks again then.
      user.waiting_for_capacity = true;
      const std::int64_t delay_ms = no_server->retry_after.count() * 1000;
      if (reconnecting) return retry_reconnect(user_id, user, delay_ms);
      return wait_and_retry(user_id, user, room, delay_ms);
    }
    if (reconnecting) return give_up_reconnect(user_id, user, room);
    return refuse_join(user_id, user, room, JoinRefusal::no_capacity);
  }
  // Unknown (freed meanwhile), or a failure only an operator can mend.
  if (reconnecting) return give_up_reconnect(user_id, user, room);
  refuse_join(user_id, user, room, JoinRefusal::unknown_room);
}

void Simulator::begin_waiting(SimulatedUser& user, SimulatedRoom& room) {
  if (user.phase == UserPhase::waiting) return;
  user.phase = UserPhase::waiting;
  ++room.users_waiting;
  ++users_waiting_;
  update_activity(room);
}

void Simulator::wait_and_retry(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                               std::int64_t delay_ms) {
  begin_waiting(user, room);
  queue_.push(now_ms() + delay_ms,
              SimEvent{SimEventKind::lookup_retry, 0, user_id, ++user.retry_token});
}

void Simulator::stop_waiting(SimulatedUser& user, SimulatedRoom& room) {
  if (user.phase != UserPhase::waiting) return;
  user.phase = UserPhase::arriving;
  --room.users_waiting;
  --users_waiting_;
  update_activity(room);
}

void Simulator::enter_server(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                             const std::string& host) {
  // Most joins are to a room already live on a server: its host, not parsed.
  const std::optional<std::uint32_t> index =
      room.hosted_on >= 0 && fleet_.at(static_cast<std::uint32_t>(room.hosted_on)).host == host
          ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(room.hosted_on))
          : fleet_.index_of_host(host);
  if (!index) return fail(FailureKind::correctness, "scheduler named unknown host " + host);
  if (room.hosted_on >= 0 && room.hosted_on != *index) {
    return fail(FailureKind::correctness, "room " + room.scheduler_id + " sent to " + host +
                                              " while live on " + fleet_.at(room.hosted_on).id);
  }
  // A reconnecting user's join was accepted once already: what stops it now
  // is not a refusal of the workload's join, and what is passing it retries.
  const bool reconnecting = user.phase == UserPhase::reconnecting;
  switch (fleet_.join(*index, user.room, room.scheduler_id, room.scheduler_key)) {
    case JoinOutcome::joined:
      break;
    case JoinOutcome::room_full:
      if (reconnecting) return give_up_reconnect(user_id, user, room);
      return refuse_join(user_id, user, room, JoinRefusal::room_full);
    case JoinOutcome::server_full:
      if (reconnecting) return give_up_reconnect(user_id, user, room);
      return refuse_join(user_id, user, room, JoinRefusal::server_full);
    case JoinOutcome::server_down:
      // After a crash the scheduler names the dead server until it is gone.
      if (reconnecting) return retry_reconnect(user_id, user, config_.lookup_retry_ms);
      return refuse_join(user_id, user, room, JoinRefusal::server_down);
    case JoinOutcome::draining:
      // 503 until the drain is confirmed and the room placed elsewhere.
      if (reconnecting) return retry_reconnect(user_id, user, config_.lookup_retry_ms);
      return wait_and_retry(user_id, user, room, config_.lookup_retry_ms);
  }
  if (reconnecting) {
    reconnected(user, room);
  } else {
    if (user.phase == UserPhase::waiting && room.waiting_for_start) {
      waits_ms_.push_back(now_ms() - room.created_ms);
    }
    room.waiting_for_start = false;
    stop_waiting(user, room);
    ++report_.joins_accepted;
  }
  user.phase = UserPhase::in_room;
  user.generation = room.generation;
  room.hosted_on = *index;
  room.members.push_back(user_id);
  note_back_in(room);
  update_activity(room);
}

void Simulator::refuse_join(std::uint64_t user_id, SimulatedUser& user, SimulatedRoom& room,
                            JoinRefusal why) {
  stop_waiting(user, room);
  ++report_.joins_refused[static_cast<int>(why)];
  users_.erase(user_id);
}

void Simulator::on_lookup_retry(const SimEvent& event) {
  SimulatedUser* user = users_.find(event.user);
  if (user == nullptr ||
      (user->phase != UserPhase::waiting && user->phase != UserPhase::reconnecting) ||
      user->retry_token != event.token) {
    return;  // the user left, or got in, or a newer retry is pending
  }
  const std::int64_t waited_ms = now_ms() - user->waiting_since_ms;
  if (waited_ms > wait_limit_ms() && user->waiting_for_capacity) {
    // The fleet stayed full (at --max-servers) all along: the client gives
    // up, as a real one would; not a liveness failure of the scheduler.
    return refuse_join(event.user, *user, rooms_.at(user->room), JoinRefusal::no_capacity);
  }
  if (waited_ms > wait_limit_ms()) {
    return fail(FailureKind::liveness, "user u" + std::to_string(event.user) + " waited " +
                                           std::to_string(waited_ms) + " ms for a server");
  }
  try_join(event.user, *user, rooms_.at(user->room));
}

void Simulator::on_leave(const WorkloadEvent& event) {
  SimulatedUser* user = users_.find(event.user);
  if (user == nullptr) return;  // refused earlier: nothing to undo
  SimulatedRoom* room = rooms_.find(user->room);
  if (room == nullptr) {
    // A user who lost the room to a crash; the room came back, emptied and went.
  } else if (user->phase == UserPhase::waiting) {
    stop_waiting(*user, *room);
    ++report_.joins_cancelled;
  } else if (user->phase == UserPhase::reconnecting) {
    stop_reconnecting(*user, *room);  // its join was accepted: nothing to settle
  } else if (user->phase == UserPhase::in_room && user->generation == room->generation &&
             room->hosted_on >= 0) {
    std::vector<std::uint64_t>& members = room->members;
    const auto member = std::find(members.begin(), members.end(), event.user);
    if (member != members.end()) {
      *member = members.back();
      members.pop_back();
    }
    if (fleet_.leave(room->hosted_on, user->room) == 0) {
      // The scheduler keeps the emptied room's slot for the grace, and frees
      // it at the first report after: polls skip servers with nothing new.
      const auto grace = config_.scheduler.empty_room_grace.count();
      if (grace > 0) {
        queue_.push(now_ms() + grace,
                    SimEvent{SimEventKind::grace_ended, static_cast<std::uint32_t>(room->hosted_on)});
      }
      room->hosted_on = -1;
      update_activity(*room);
      // The server drops an empty room and the scheduler frees its slot; a
      // later join of this room is refused as unknown, as in production.
      if (room->users_waiting == 0 && room->users_reconnecting == 0) rooms_.erase(user->room);
    }
  }
  users_.erase(event.user);
}

void Simulator::on_message(const WorkloadEvent& event) {
  ++report_.messages;
  const SimulatedUser* user = users_.find(event.user);
  if (user != nullptr && user->phase == UserPhase::in_room) {
    // The room may be gone altogether: lost to a crash, reborn elsewhere, emptied.
    const SimulatedRoom* room = rooms_.find(user->room);
    if (room != nullptr && room->hosted_on >= 0 && room->generation == user->generation) {
      report_.deliveries += fleet_.users_in(room->hosted_on, user->room);
      return;
    }
  }
  ++report_.messages_undelivered;
}

void Simulator::update_activity(SimulatedRoom& room) {
  const bool active = room.hosted_on >= 0 || room.users_waiting > 0 || room.users_reconnecting > 0;
  if (active == room.active) return;
  room.active = active;
  active_rooms_ += active ? 1 : -1;
}

}  // namespace sim
