// One chat room held in memory: its members, its recent history, its rules.
//
// Thread-safe: every call takes the room's lock, and frames are handed to the
// members (Member::deliver) while it is held, so all members see one order.
// Each broadcast is serialised once and shared. No Asio here: the room is
// tested and benchmarked with fake members.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/room/limits.h"
#include "server/room/member.h"
#include "server/common/token_bucket.h"

namespace chat {

// Whether a member got in, and if not, why. One type for the room and the
// registry: `server_full` comes only from RoomRegistry::join (a new room that
// this server has no slot for).
enum class JoinResult { joined, room_full, duplicate_user, server_full };

// What became of one frame from a member. `not_in_room`: the sender had
// already left (its read raced its leave); nothing was sent to anyone.
// `refused_too_often`: refused, and the sender has used up its allowance of
// refusals (RoomLimits::refused_messages_per_minute): the session closes it.
enum class PostResult {
  accepted,
  empty,
  too_long,
  binary,
  rate_limited,
  refused_too_often,
  not_in_room,
};

// The error code and text a refused message is answered with.
struct Refusal {
  std::string_view code;
  std::string message;
};

struct RoomTime {
  std::chrono::system_clock::time_point wall;    // for message timestamps
  std::chrono::steady_clock::time_point steady;  // for rate limits and idle time
};

class Room {
 public:
  Room(std::string id, RoomLimits limits);

  const std::string& id() const { return id_; }

  // Adds the member, sends it the snapshot (event mode) and tells the others.
  JoinResult join(Member& member, RoomTime now);
  // Removes the member (no-op if absent) and tells the others.
  void leave(Member& member, RoomTime now);
  // Applies the room's rules to one text frame; accepted messages go to
  // every member. The rate limit comes before any other rule, so every frame
  // costs the sender a token, refused or not. A refusal costs the room one
  // small frame to the sender in event mode and nothing in compatibility
  // mode (docs/PROTOCOL.md): never a snapshot.
  PostResult post(Member& member, std::string_view text, RoomTime now);
  // A binary frame: always refused (chat messages are text), by the same
  // rules and at the same cost as a refused text frame.
  PostResult post_binary(Member& member, RoomTime now);

  std::size_t user_count() const;
  // When the last member left; nullopt while anyone is in the room.
  std::optional<std::chrono::steady_clock::time_point> empty_since() const;
  std::uint64_t messages_total() const;

 private:
  struct Seat {
    Member* member;
    TokenBucket messages;  // every frame takes a token
    TokenBucket refusals;  // every refused frame takes one more
  };

  PostResult receive(Member& member, std::string_view text, bool binary, RoomTime now);
  PostResult judge(Seat& seat, std::string_view text, bool binary,
                   std::chrono::steady_clock::time_point now) const;
  PostResult refuse_locked(Seat& seat, PostResult result,
                           std::chrono::steady_clock::time_point now);
  std::vector<std::string> user_ids_locked() const;
  void broadcast_locked(const std::string& event_frame, const Member* skip_event_for);
  Refusal refusal_for(PostResult result) const;
  Seat* find_locked(const Member& member);

  const std::string id_;
  const RoomLimits limits_;
  mutable std::mutex mutex_;
  std::vector<Seat> seats_;          // in join order, as connectedUsers lists them
  std::deque<std::string> history_;  // serialised messages, oldest first
  std::uint64_t messages_total_ = 0;
  std::optional<std::chrono::steady_clock::time_point> empty_since_;
};

// Number of Unicode code points in UTF-8 text (the text is valid UTF-8:
// the WebSocket layer checks that before it reaches the room).
std::size_t utf8_code_points(std::string_view text);

}  // namespace chat
