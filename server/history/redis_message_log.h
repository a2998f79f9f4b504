// chat::MessageLog on Redis: each room's messages in the stream
// chat:room:<roomId>:log, appended with XADD (trimmed to about max_entries,
// expiring `retention` after the last message) and read back with XREVRANGE.
// One pipelined connection, so a room's requests complete in the order made;
// Redis down or slow never holds a caller up: requests fail or time out and
// chat goes on from memory.
//
// Threads: append() and load() may be called from any thread, with locks
// held; `done` runs later on the log's strand (never inside the call), once.
// Lifetime: start it by constructing it (it connects, and reconnects, by
// itself); stop it by destroying it, while its io_context still runs. Every
// request not yet answered then completes with failed (loads: ok = false),
// on the strand, after the destructor has returned: a `done` must not refer
// to anything destroyed with the log. If the io_context never runs again,
// those `done`s are destroyed without being called. The registry is not
// touched once the destructor has returned (chat_history_store_up is 0).
// Process-wide: SIGPIPE is ignored from the first construction on, unless
// the process had its own handler (hiredis writes with write(2), and a
// write to a Redis that just died would otherwise end the process).
#pragma once

#include <prometheus/registry.h>

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "server/redis/redis_url.h"
#include "server/room/message_log.h"

namespace chat::history {

struct RedisMessageLogOptions {
  redis::RedisUrl url;
  // An append or load not answered within this is timed_out (loads: failed).
  std::chrono::milliseconds timeout{500};
  // A room's log expires this long after its last message.
  std::chrono::seconds retention{std::chrono::hours(24)};
  // Entries kept a room, about (MAXLEN ~: Redis trims whole nodes, cheaply).
  std::size_t max_entries = 1000;
  // Commands Redis has not answered, timed-out ones included, beyond which
  // new requests fail at once: what a stuck Redis may make us hold.
  std::size_t unanswered_max = 50000;
  // A connection with a command unanswered this long is closed and made
  // again: a Redis that froze, or a peer gone without a reset. Checked
  // while requests are being made (an idle silent connection harms none).
  std::chrono::milliseconds silence_max{10000};
  std::chrono::milliseconds connect_timeout{1000};
};

class RedisMessageLog final : public MessageLog {
 public:
  RedisMessageLog(boost::asio::any_io_executor executor, RedisMessageLogOptions options,
                  prometheus::Registry& registry);
  ~RedisMessageLog() override;
  RedisMessageLog(const RedisMessageLog&) = delete;
  RedisMessageLog& operator=(const RedisMessageLog&) = delete;

  void append(const std::string& room_id, LoggedMessage message,
              std::function<void(AppendResult)> done) override;
  void load(const std::string& room_id, std::size_t count,
            std::function<void(LoadResult)> done) override;

  // Connected, and Redis answered PING on that connection (as
  // chat_history_store_up); any thread.
  bool up() const;

  // "chat:room:<roomId>:log".
  static std::string key_of(const std::string& room_id);

 private:
  class Core;
  std::shared_ptr<Core> core_;
};

}  // namespace chat::history
