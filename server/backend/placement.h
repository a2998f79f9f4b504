// The seam between the backend's HTTP API and room placement: the API asks
// for a new room or for a room's host, and is answered later (placement may
// have to wait for a session server to start).
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace chat {

struct CreatedRoom {
  std::optional<std::string> room_id;  // set on success
  // On failure: no session server has a free slot and none can be started.
  std::chrono::seconds retry_after{0};
  std::string error;
};

struct RoomHost {
  std::optional<std::string> host;  // "h:p"; nullopt for an unknown room
  std::string error;                // set when the room is known but has no server now
  std::chrono::seconds retry_after{0};
};

class RoomPlacement {
 public:
  virtual ~RoomPlacement() = default;
  virtual void create_room(std::function<void(CreatedRoom)> done) = 0;
  virtual void find_room(const std::string& room_id, std::function<void(RoomHost)> done) = 0;
  // The session servers and their load, as placement sees them (GET /api/fleet).
  virtual void describe(std::function<void(boost::json::value)> done) = 0;
};

}  // namespace chat
