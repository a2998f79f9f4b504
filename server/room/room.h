// One chat room held in memory: its members, its recent history, its rules.
//
// Thread-safe: every call takes the room's lock, and frames are handed to the
// members (Member::deliver) while it is held, so all members see one order.
// Each broadcast is serialised once and shared. No Asio here: the room is
// tested and benchmarked with fake members.
//
// With a MessageLog, an accepted message is sent to no one until the log has
// stored it (docs/PROTOCOL.md, History): it waits in `pending_`, and messages
// are delivered in the order they were accepted, whatever order the log
// answers in. Message ids (v2) are remembered for the last
// RoomLimits::remembered_ids_max messages, so a message sent again after a
// reconnect is acknowledged, not delivered twice.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/room/client_frame.h"
#include "server/room/limits.h"
#include "server/room/member.h"
#include "server/room/message_log.h"
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
// `duplicate`: a v2 id this user already sent here; acknowledged again, not
// delivered. `moving`: the room is leaving this server (a drain): not
// accepted and not answered, so a v2 client sends it again where it goes.
enum class PostResult {
  accepted,
  empty,
  too_long,
  binary,
  invalid_frame,
  rate_limited,
  refused_too_often,
  not_in_room,
  duplicate,
  moving,
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

class Room : public std::enable_shared_from_this<Room> {
 public:
  // Without a log, accepted messages are delivered at once (nothing stored).
  // With one, the room must be owned by a shared_ptr (the log's answers find
  // it through a weak_ptr, so a room dropped meanwhile is no harm).
  Room(std::string id, RoomLimits limits, std::shared_ptr<MessageLog> log = nullptr);

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
  // A v2 message: the same rules, and its id remembered (duplicates).
  PostResult post(Member& member, const ClientMessage& message, RoomTime now);
  // A binary frame, or a v2 frame that is not a message object: always
  // refused, by the same rules and at the same cost as a refused text frame.
  PostResult post_binary(Member& member, RoomTime now);
  PostResult post_invalid(Member& member, RoomTime now);

  // The history a log held for this room, loaded before anyone joined: the
  // snapshot shows its newest messages and its ids count as already sent.
  // The room counts as empty from `now` until someone joins.
  void restore(const std::vector<LoggedMessage>& messages, RoomTime now);
  // A drain: from now on messages are not accepted (PostResult::moving).
  void stop_accepting();
  // Accepted messages the log has not answered for yet.
  std::size_t appends_in_flight() const;
  // Accepted messages the log could not store (delivered from memory).
  std::uint64_t unstored_total() const;

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
  enum class FrameKind { text, binary, invalid };
  // An accepted message waiting for the log, in acceptance order.
  struct Pending {
    std::uint64_t sequence;
    std::string message_json;
    std::string user_id;
    std::string client_id;
    bool answered = false;
  };

  PostResult receive(Member& member, std::string_view text, std::string_view client_id,
                     FrameKind kind, RoomTime now);
  PostResult judge(Seat& seat, std::string_view text, FrameKind kind,
                   std::chrono::steady_clock::time_point now) const;
  void accept_locked(const Member& sender, std::string_view text, std::string_view client_id,
                     RoomTime now);
  void on_logged(std::uint64_t sequence, AppendResult result);
  void deliver_locked(const std::string& message_json, const std::string& client_id);
  bool remember_id_locked(const std::string& user_id, const std::string& client_id);
  PostResult refuse_locked(Seat& seat, PostResult result, std::string_view client_id,
                           std::chrono::steady_clock::time_point now);
  std::vector<std::string> user_ids_locked() const;
  void broadcast_locked(const std::string& event_frame, const Member* skip_event_for);
  Refusal refusal_for(PostResult result) const;
  Seat* find_locked(const Member& member);

  const std::string id_;
  const RoomLimits limits_;
  const std::shared_ptr<MessageLog> log_;
  mutable std::mutex mutex_;
  std::vector<Seat> seats_;          // in join order, as connectedUsers lists them
  std::deque<std::string> history_;  // serialised messages, oldest first
  std::uint64_t messages_total_ = 0;
  std::optional<std::chrono::steady_clock::time_point> empty_since_;
  std::deque<Pending> pending_;  // accepted, not yet answered by the log
  std::uint64_t next_sequence_ = 0;
  std::uint64_t unstored_total_ = 0;
  bool accepting_ = true;
  // "user\x1fid" of the last remembered_ids_max v2 messages, oldest first.
  std::unordered_set<std::string> remembered_ids_;
  std::deque<const std::string*> remembered_order_;
};

// Number of Unicode code points in UTF-8 text (the text is valid UTF-8:
// the WebSocket layer checks that before it reaches the room).
std::size_t utf8_code_points(std::string_view text);

}  // namespace chat
