// The seam between the backend's HTTP API and room placement: the API asks
// for a new room or for a room's host, and is answered later (placement may
// have to wait for a session server to start). Each answer is one of a few
// cases, as a variant, so the API handles every case by name.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <variant>

#include "control/answers.h"

namespace chat {

// The answers, defined once with the control plane that gives them.
using core::CreateRoomResult;
using core::DrainRefused;
using core::DrainResult;
using core::DrainStarted;
using core::FindRoomResult;
using core::NoServerNow;
using core::PlacementFailed;
using core::RoomAt;
using core::RoomCreated;
using core::RoomUnknown;
using core::TooManyUnjoinedRooms;

class RoomPlacement {
 public:
  virtual ~RoomPlacement() = default;
  // A room for user `creator`, unless it already holds `unjoined_rooms_max`
  // rooms nobody joined (0: no cap).
  virtual void create_room(const std::string& creator, int unjoined_rooms_max,
                           std::function<void(CreateRoomResult)> done) = 0;
  virtual void find_room(const std::string& room_id, std::function<void(FindRoomResult)> done) = 0;
  // A look-up from a client that could not reach `unreachable_host` (a
  // valid "h:p"). When that is the room's host, a placement may check the
  // server first and place the room again if it is gone.
  virtual void find_room_after_failure(const std::string& room_id,
                                       const std::string& unreachable_host,
                                       std::function<void(FindRoomResult)> done) {
    (void)unreachable_host;
    find_room(room_id, std::move(done));
  }
  // Moves every room off server `server_id` and then stops it.
  virtual void drain_server(const std::string& server_id, std::function<void(DrainResult)> done) {
    done(DrainRefused{true, "This backend's placement cannot drain " + server_id});
  }
  // The session servers and their load, as placement sees them (GET /api/fleet).
  virtual void describe(std::function<void(boost::json::value)> done) = 0;
};

}  // namespace chat
