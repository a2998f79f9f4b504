// New rooms: the scheduler picks a server by policy from this core's view,
// then the server itself is asked to reserve the room (it judges its own
// limit, atomically, so backends placing at once never overfill it). A
// refusal marks the server full in the view until its next report and the
// room goes to another server, up to placement_attempts; then 503 with
// Retry-After. Only a reserved room is written to the shared directory, and
// only a written one is handed out (any backend then finds it; 503 when the
// store does not answer). A room placed on a starting server is reserved
// once the server is ready, so the client can join at once.
#include <algorithm>

#include "control/control_core.h"

namespace core {

namespace {

std::chrono::seconds whole_seconds_at_least_one(sched::Millis wait) {
  return std::max(std::chrono::duration_cast<std::chrono::seconds>(wait), std::chrono::seconds(1));
}

}  // namespace

void ControlCore::on(const CreateRoom& event) {
  if (stopped_) {
    return answer(event.request, CreateRoomResult{NoServerNow{
                                     "The backend is shutting down; try again",
                                     std::chrono::seconds(1)}});
  }
  if (event.unjoined_rooms_max > 0) {
    auto unjoined = unjoined_rooms(event.creator);
    if (unjoined.count >= event.unjoined_rooms_max) {
      return answer(event.request,
                    CreateRoomResult{TooManyUnjoinedRooms{unjoined.count,
                                                          unjoined.oldest_freed_in}});
    }
  }
  PendingCreate pending{event.creator, event.unjoined_rooms_max > 0, options_.placement_attempts};
  PendingCreate* create = nullptr;
  if (spare_create_.empty()) {
    create = &(creates_[event.request] = std::move(pending));
  } else {
    // The record of the last creation answered, reused: no allocation.
    spare_create_.key() = event.request;
    spare_create_.mapped() = std::move(pending);
    auto added = creates_.insert(std::move(spare_create_));
    if (!added.inserted) {  // an id already pending: replaced, as creates_[] would
      added.position->second = std::move(added.node.mapped());
      spare_create_ = std::move(added.node);
    }
    create = &added.position->second;
  }
  place_new_room(event.request, *create);
}

void ControlCore::place_new_room(RequestId request, PendingCreate& create) {
  auto result = scheduler_.create_room(now_);
  if (auto* full = std::get_if<sched::NoCapacity>(&result)) {
    report_shortage();
    return finish_create(
        request,
        NoServerNow{"Every session server is full and no more can be started; try again soon",
                    whole_seconds_at_least_one(full->retry_after)});
  }
  if (auto* placed = std::get_if<sched::Placed>(&result)) {
    create.room_id = std::move(placed->room_id);
    create.room_key = placed->key;
    create.host = std::move(placed->host);
    if (create.capped) unjoined_by_creator_[create.creator].push_back(create.room_id);
    return reserve(request, create);
  }
  // On a starting server: reserved once it is up (continue_create).
  create.room_id = std::move(std::get<sched::Waiting>(result).room_id);
  create.room_key = std::get<sched::Waiting>(result).key;
  if (create.capped) unjoined_by_creator_[create.creator].push_back(create.room_id);
  waiters_[request] = Waiter{create.room_id, now_ + options_.start_wait_max, create.room_key};
  emit(WakeAt{request, now_ + options_.start_wait_max});
}

// The room a creation waited for has settled.
void ControlCore::continue_create(RequestId request, const FindRoomResult& found) {
  if (auto* at = std::get_if<RoomAt>(&found)) {
    PendingCreate& create = creates_.at(request);
    create.host = at->host;
    return reserve(request, create);
  }
  if (auto* no_server = std::get_if<NoServerNow>(&found)) return finish_create(request, *no_server);
  // Freed while its server started (it failed, and nothing else had room).
  finish_create(request, NoServerNow{"The new room's session server did not start; try again",
                                     std::chrono::seconds(2)});
}

// The room's server as the placement named it (by key: no look-up by id).
void ControlCore::reserve(RequestId request, PendingCreate& create) {
  const auto& rooms = scheduler_.rooms();
  const sched::RoomRecord* room = rooms.find(create.room_key);
  if (room == nullptr || room->id != create.room_id) room = rooms.find(create.room_id);
  const sched::ServerId* server_id = room ? scheduler_.server_id(room->server) : nullptr;
  if (server_id == nullptr || create.host.empty()) {
    return finish_create(request, NoServerNow{"The new room's session server went away; try again",
                                              std::chrono::seconds(1)});
  }
  create.server_id = *server_id;
  // Built next to its place in out_, and moved in once.
  out_->emplace_back(
      std::in_place_type<Reserve>,
      Reserve{request, create.room_id, create.server_id,
              admin_host_of(create.server_id, create.host),
              std::chrono::duration_cast<std::chrono::seconds>(scheduler_.config().join_deadline)});
}

void ControlCore::on(const ReservationAnswered& event) {
  auto found = creates_.find(event.request);
  if (found == creates_.end()) return;  // answered already (the backend stopped)
  PendingCreate& create = found->second;
  const auto& outcome = event.outcome;
  if (std::holds_alternative<Reserved>(outcome) ||
      std::holds_alternative<NoReservations>(outcome)) {
    count(Counter::reservations,
          std::holds_alternative<Reserved>(outcome) ? "reserved" : "unsupported");
    // Only replicated backends need the server's view (a copy of its id and
    // host): a single backend answers at once.
    auto server = options_.replicated ? scheduler_.server(create.server_id) : std::nullopt;
    if (!server) {
      return finish_create(event.request, CreateRoomResult(std::in_place_type<RoomCreated>,
                                                           RoomCreated{create.room_id, create.room_key}));
    }
    // Written before it is handed out: any backend then finds it. Until
    // someone joins: the entry of a room nobody joins goes by itself.
    return emit(PlaceInDirectory{event.request, create.room_id, {server->id, server->host},
                                 scheduler_.config().join_deadline * 2});
  }
  if (auto* refused = std::get_if<ReservationRefused>(&outcome)) {
    count(Counter::reservations, "refused");
    scheduler_.on_reservation_refused(create.room_id, create.server_id, now_);
    log(LogLevel::warning, "session server " + create.server_id + " refused room " +
                               create.room_id + " (" + refused->reason + "); trying another");
  } else {
    count(Counter::reservations, "failed");
    log(LogLevel::warning, "could not reserve room " + create.room_id + " on " +
                               create.server_id + ": " +
                               std::get<ReservationFailed>(outcome).why);
    scheduler_.release_room(create.room_id, now_);
    scheduler_.on_unreachable(create.server_id, now_);
    stop_given_up(create.server_id);
  }
  if (--create.attempts_left > 0) return place_new_room(event.request, create);
  report_shortage();
  finish_create(event.request, NoServerNow{"The session servers tried are full; try again soon",
                                           std::chrono::seconds(1)});
}

void ControlCore::on(const DirectoryPlaced& event) {
  auto found = creates_.find(event.request);
  if (found == creates_.end()) return;
  if (!event.written) {
    // Handed out, only this replica could find it: a client sent to another
    // backend would be told the room does not exist, and give it up.
    store_unanswered();
    log(LogLevel::warning, "room " + found->second.room_id +
                               " could not be written to the shared directory (Redis did not "
                               "answer); the creation is refused");
    scheduler_.release_room(found->second.room_id, now_);
    return finish_create(event.request,
                         NoServerNow{"The room directory cannot be written now; try again soon",
                                     std::chrono::seconds(1)});
  }
  finish_create(event.request, RoomCreated{found->second.room_id, found->second.room_key});
}

void ControlCore::finish_create(RequestId request, CreateRoomResult result) {
  if (auto done = creates_.extract(request); !done.empty()) spare_create_ = std::move(done);
  waiters_.erase(request);
  answer(request, std::move(result));
}

ControlCore::Unjoined ControlCore::unjoined_rooms(const std::string& creator) {
  auto found = unjoined_by_creator_.find(creator);
  if (found == unjoined_by_creator_.end()) return {};
  Unjoined unjoined;
  sched::Millis oldest = sched::Millis::max();
  std::erase_if(found->second, [&](const sched::RoomId& room_id) {
    const sched::RoomRecord* room = scheduler_.rooms().find(room_id);
    if (room == nullptr || room->state != sched::RoomState::placed) return true;
    ++unjoined.count;
    oldest = std::min(oldest, room->since);
    return false;
  });
  if (found->second.empty()) unjoined_by_creator_.erase(found);
  if (unjoined.count > 0) {
    // Freed at its join deadline (or later, counted from a slow server's start).
    unjoined.oldest_freed_in =
        whole_seconds_at_least_one(oldest + scheduler_.config().join_deadline - now_);
  }
  return unjoined;
}

// Forgets joined and freed rooms of every creator (each tick), so the map
// holds no more than the table's placed rooms.
void ControlCore::forget_joined_rooms() {
  for (auto it = unjoined_by_creator_.begin(); it != unjoined_by_creator_.end();) {
    auto next = std::next(it);
    unjoined_rooms(it->first);  // erases the entry when none is left
    it = next;
  }
}

}  // namespace core
