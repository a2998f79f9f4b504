// New rooms: the scheduler picks a server by policy from this backend's
// view, then the server itself is asked to reserve the room (it judges its
// own limit, atomically, so backends placing at once never overfill it).
// A refusal marks the server full in the view until its next report and the
// room goes to another server, up to placement_attempts; then, as always,
// 503 with Retry-After. Only a reserved room is written to the shared
// directory and handed out.
#include <boost/asio/dispatch.hpp>
#include <iostream>

#include "server/backend/scheduler_placement.h"

namespace chat {

using Clock = std::chrono::steady_clock;

namespace {

std::chrono::seconds whole_seconds_at_least_one(sched::Millis wait) {
  return std::max(std::chrono::duration_cast<std::chrono::seconds>(wait), std::chrono::seconds(1));
}

}  // namespace

// On the strand.
void SchedulerPlacement::place_new_room(const std::string& creator, int attempts_left,
                                        CreateDone finish) {
  if (stopped_) {
    return finish(NoServerNow{"The backend is shutting down; try again", std::chrono::seconds(1)});
  }
  auto result = scheduler_.create_room(now());
  changed("a placement");
  if (auto* full = std::get_if<sched::NoCapacity>(&result)) {
    report_shortage();
    return finish(
        NoServerNow{"Every session server is full and no more can be started; try again soon",
                    whole_seconds_at_least_one(full->retry_after)});
  }
  if (auto* placed = std::get_if<sched::Placed>(&result)) {
    unjoined_by_creator_[creator].push_back(placed->room_id);
    return reserve_room(placed->room_id, creator, attempts_left, std::move(finish));
  }
  // Waiting: reserve once the new server is up, so the client can join at once.
  auto room_id = std::get<sched::Waiting>(result).room_id;
  unjoined_by_creator_[creator].push_back(room_id);
  find_or_wait(room_id, Clock::now() + options_.start_wait_max,
               [this, room_id, creator, attempts_left,
                finish = std::move(finish)](FindRoomResult found) mutable {
                 if (std::holds_alternative<RoomAt>(found)) {
                   return reserve_room(room_id, creator, attempts_left, std::move(finish));
                 }
                 if (auto* no_server = std::get_if<NoServerNow>(&found)) {
                   return finish(std::move(*no_server));
                 }
                 // Freed while its server started (it failed, nothing else had room).
                 finish(NoServerNow{"The new room's session server did not start; try again",
                                    std::chrono::seconds(2)});
               });
}

// On the strand.
void SchedulerPlacement::reserve_room(const sched::RoomId& room_id, const std::string& creator,
                                      int attempts_left, CreateDone finish) {
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  if (!server || server->host.empty()) {
    return finish(
        NoServerNow{"The new room's session server went away; try again", std::chrono::seconds(1)});
  }
  const auto ttl =
      std::chrono::duration_cast<std::chrono::seconds>(scheduler_.config().join_deadline);
  reservations_.reserve(
      operators_host(*server), room_id, ttl,
      [this, room_id, creator, attempts_left, id = server->id,
       finish = std::move(finish)](ReserveOutcome outcome) mutable {
        if (stopped_) {
          return finish(
              NoServerNow{"The backend is shutting down; try again", std::chrono::seconds(1)});
        }
        if (std::holds_alternative<Reserved>(outcome) ||
            std::holds_alternative<NoReservations>(outcome)) {
          reservation_results_
              .Add({{"result",
                     std::holds_alternative<Reserved>(outcome) ? "reserved" : "unsupported"}})
              .Increment();
          // Written before it is handed out: any backend then finds it.
          return publish_placed(room_id, [room_id, finish = std::move(finish)]() mutable {
            finish(RoomCreated{room_id});
          });
        }
        if (auto* refused = std::get_if<ReservationRefused>(&outcome)) {
          reservation_results_.Add({{"result", "refused"}}).Increment();
          scheduler_.on_reservation_refused(room_id, id, now());
          std::cerr << "backend: session server " << id << " refused room " << room_id << " ("
                    << refused->reason << "); trying another\n";
        } else {
          reservation_results_.Add({{"result", "failed"}}).Increment();
          std::cerr << "backend: could not reserve room " << room_id << " on " << id << ": "
                    << std::get<ReservationFailed>(outcome).why << "\n";
          scheduler_.release_room(room_id, now());
          scheduler_.on_unreachable(id, now());
        }
        changed("a refused reservation");
        if (attempts_left > 1) return place_new_room(creator, attempts_left - 1, std::move(finish));
        report_shortage();
        finish(NoServerNow{"The session servers tried are full; try again soon",
                           std::chrono::seconds(1)});
      });
}

}  // namespace chat
