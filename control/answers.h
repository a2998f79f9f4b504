// What a request to the control plane is answered: each case as a variant
// alternative, so the HTTP API handles every one by name.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

namespace core {

// The room exists, on a server that is ready for its members.
struct RoomCreated {
  std::string room_id;
  std::uint64_t key = 0;  // the table's handle on it (sched::RoomKey), for FindRoom::room_key
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
// will not mend: an operator must act. Answered 502, without Retry-After.
struct PlacementFailed {
  std::string reason;  // for the person: what failed, and that it needs an operator
};

using CreateRoomResult =
    std::variant<RoomCreated, NoServerNow, TooManyUnjoinedRooms, PlacementFailed>;
using FindRoomResult = std::variant<RoomAt, RoomUnknown, NoServerNow, PlacementFailed>;

// An operator's drain has begun: the server takes no new rooms, and is asked
// to hand its rooms over.
struct DrainStarted {
  std::string server_id;
  int rooms = 0;  // the rooms it held, each to be placed elsewhere
};
struct DrainRefused {
  bool unknown_server = false;  // else: known, but not ready (starting, draining, gone)
  std::string reason;           // for the operator: what is wrong and what to do
};
using DrainResult = std::variant<DrainStarted, DrainRefused>;

}  // namespace core
