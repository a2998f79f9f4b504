// Where a room's accepted messages are stored before anyone is sent them,
// and where a room placed again (after a crash, or a move) finds them.
// The session server's implementation is Redis (server/history/); the room
// model sees only this interface, so it stays Asio-free and tested with fakes.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace chat {

// One accepted message as stored: the seed's fields and the client's id.
struct LoggedMessage {
  std::string user_id;
  std::string client_id;  // the v2 client's message id; empty for v1 and seed clients
  std::string text;
  std::string ts;  // ISO 8601, as sent in frames
};

enum class AppendResult {
  stored,     // durable: a room placed again will load it
  failed,     // the store is down or answered with an error: kept in memory only
  timed_out,  // no answer within the store's deadline: kept in memory only
};

struct LoadResult {
  bool ok = false;                      // false: the store could not be read
  std::vector<LoggedMessage> messages;  // oldest first
};

class MessageLog {
 public:
  virtual ~MessageLog() = default;

  // Appends `message` to the room's log. `done` is called exactly once, on a
  // thread of the store's choosing, and never from inside append() itself
  // (callers hold locks): always later. For one room, appends complete in the
  // order they were made.
  virtual void append(const std::string& room_id, LoggedMessage message,
                      std::function<void(AppendResult)> done) = 0;

  // Reads the room's most recent `count` messages. `done` as for append.
  virtual void load(const std::string& room_id, std::size_t count,
                    std::function<void(LoadResult)> done) = 0;
};

}  // namespace chat
