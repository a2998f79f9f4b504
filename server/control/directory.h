// The shared room directory (docs/PROTOCOL.md, "Replicated backends"): room
// id -> the session server holding it (its id and public host), in Redis,
// so that any backend answers any look-up with the same host. Written when
// a backend places a room and when it moves one (failover, drains); a move
// is a compare-and-set on the server it moves from, so two backends moving
// one room at once agree on where it went. Freed rooms' entries are deleted
// only by whoever still sees them where they are.
//
//   <prefix>room:<roomId>:server   "<serverId> <host>"
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "server/control/control_redis.h"

namespace chat::control {

struct RoomEntry {
  std::string server_id;
  std::string host;
  bool operator==(const RoomEntry&) const = default;
};

std::string encode_entry(const RoomEntry& entry);
std::optional<RoomEntry> decode_entry(std::string_view text);

struct NoEntry {};
struct DirectoryDown {
  std::string why;
};
using DirectoryRead = std::variant<RoomEntry, NoEntry, DirectoryDown>;

// A move's outcome: done, or refused because the room is elsewhere already
// (`current`), or Redis did not answer.
struct MoveResult {
  bool moved = false;
  std::optional<RoomEntry> current;  // set when refused
  std::string error;                 // set when Redis did not answer
};

class RoomDirectory {
 public:
  explicit RoomDirectory(std::shared_ptr<ControlRedis> redis) : redis_(std::move(redis)) {}

  // Callbacks run on the Redis strand.
  void find(const std::string& room_id, std::function<void(DirectoryRead)> done);
  // A new room (its id is fresh): written as is. `ttl` (0: none) lets the
  // entry of a room nobody joins go by itself; the lease holder writes it
  // again without one once the room's server reports it with members.
  void place(const std::string& room_id, const RoomEntry& entry, std::chrono::milliseconds ttl,
             std::function<void(bool written)> done);
  // The room leaves `from_server` for `entry`, unless the directory already
  // names another server (then that one wins). No entry at all: written.
  void move(const std::string& room_id, const std::string& from_server, const RoomEntry& entry,
            std::chrono::milliseconds ttl, std::function<void(MoveResult)> done);
  // Deletes the entry if it still names `server_id`.
  void free(const std::string& room_id, const std::string& server_id);

  std::string key_of(const std::string& room_id) const;

 private:
  std::shared_ptr<ControlRedis> redis_;
};

}  // namespace chat::control
