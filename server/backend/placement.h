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

namespace chat {

// The room exists, on a server that is ready for its members.
struct RoomCreated {
  std::string room_id;
};
struct RoomAt {
  std::string host;  // "h:p"
};
// Nobody ever placed this room, or it was freed (the seed answers with nulls).
struct RoomUnknown {};
// No session server can take the room now: every one is full and no more can
// be started, or its server is still starting. The client tries again later.
struct NoServerNow {
  std::string reason;  // for the person: what happened and what to do
  std::chrono::seconds retry_after{1};
};

// The creator already holds its maximum of rooms nobody has joined yet: each
// holds a session server's slot, so one client could otherwise fill the fleet.
struct TooManyUnjoinedRooms {
  int held = 0;
  std::chrono::seconds retry_after{1};  // until the oldest of them is freed
};

// The service placement relies on refused this backend in a way that waiting
// will not mend (Hathora refused its credentials, its application or region):
// an operator must act. Answered 502, without Retry-After.
struct PlacementFailed {
  std::string reason;  // for the person: what failed, and that it needs an operator
};

using CreateRoomResult =
    std::variant<RoomCreated, NoServerNow, TooManyUnjoinedRooms, PlacementFailed>;
using FindRoomResult = std::variant<RoomAt, RoomUnknown, NoServerNow, PlacementFailed>;

// An operator's drain (POST /api/fleet/servers/:serverId/drain) has begun:
// the server takes no new rooms, and is asked to hand its rooms over.
struct DrainStarted {
  std::string server_id;
  int rooms = 0;  // the rooms it held, each to be placed elsewhere
};
struct DrainRefused {
  bool unknown_server = false;  // else: known, but not ready (starting, draining, gone)
  std::string reason;           // for the operator: what is wrong and what to do
};
using DrainResult = std::variant<DrainStarted, DrainRefused>;

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
