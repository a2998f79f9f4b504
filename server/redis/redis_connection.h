// One connection to Redis: hiredis's asynchronous context driven by Asio (its
// socket watched with stream_descriptor::async_wait, so no io thread ever
// blocks on Redis), every hiredis call on one strand, reconnected with
// backoff when it is lost. Commands go out pipelined, in the order given;
// replies come back in that order. The first one made has the process ignore
// SIGPIPE (unless it handles it already): hiredis writes with write(2).
#pragma once

#include <hiredis/async.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/redis/redis_url.h"

namespace chat::redis {

struct RedisConnectionOptions {
  RedisUrl url;
  // hiredis has no connect timeout of its own: a host that drops SYNs would
  // hold an attempt for minutes.
  std::chrono::milliseconds connect_timeout{1000};
  // After a lost connection or a failed attempt: 100 ms, doubling, at most 2 s.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{2000};
  // What this connection is for, in those lines, and what a loss of it means.
  std::string role = "history store";
  std::string when_down = "chat goes on from memory";
};

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;
  using Clock = std::chrono::steady_clock;
  // Redis's answer, valid only during the call (hiredis frees it after), or
  // null when there is none: not connected, or the connection was lost or
  // closed first. An error reply is a reply (type REDIS_REPLY_ERROR).
  using ReplyHandler = std::function<void(const redisReply* reply)>;
  // Told when the connection comes up or goes down (not on every retry).
  using StateHandler = std::function<void(bool up)>;

  // Owned by a shared_ptr (handlers hold weak ones); destroy it on the strand.
  RedisConnection(Strand strand, RedisConnectionOptions options, StateHandler on_state);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Everything below: on the strand only.

  // Connects, and keeps reconnecting until stop().
  void start();
  // Closes for good: every unanswered command's handler is called with null
  // before this returns; on_state is not called any more.
  void stop();
  // Queues `args` as one command. While not up, `on_reply(nullptr)` is
  // posted at once rather than queued for a connection that may never come.
  void command(const std::vector<std::string_view>& args, ReplyHandler on_reply);
  // Closes a connection that stopped answering (its unanswered commands get
  // null at once) and reconnects after the backoff.
  void drop(const std::string& reason);

  // Connected: commands are sent (Redis may not have answered yet).
  bool connected() const { return phase_ == Phase::up; }
  std::size_t unanswered() const { return sent_at_.size(); }
  // When the oldest command still waiting for its reply was queued.
  std::optional<Clock::time_point> oldest_unanswered() const;
  const RedisUrl& url() const { return options_.url; }

 private:
  struct Watch;
  enum class Phase { idle, resolving, connecting, up, waiting, stopped };

  void on_resolved(const boost::asio::ip::tcp::endpoint& endpoint);
  void connect_to(const boost::asio::ip::tcp::endpoint& endpoint);
  void on_connected();
  void on_lost(const std::string& reason);
  void close_context();
  void retry_later(const std::string& reason);
  void on_ping(std::uint64_t attempt, const redisReply* reply);
  void log_in(const redisReply* reply, std::string_view what);
  void report(bool up, const std::string& reason);

  static void on_connect_c(const redisAsyncContext* context, int status);
  static void on_disconnect_c(const redisAsyncContext* context, int status);
  static void on_reply_c(redisAsyncContext* context, void* reply, void* handler);

  Strand strand_;
  RedisConnectionOptions options_;
  StateHandler on_state_;
  boost::asio::ip::tcp::resolver resolver_;
  // The connect deadline while connecting, the backoff while waiting.
  boost::asio::steady_timer timer_;
  Phase phase_ = Phase::idle;
  // Tells a timer or resolver completion from an earlier attempt apart.
  std::uint64_t attempt_ = 0;
  std::chrono::milliseconds backoff_;
  std::size_t failed_attempts_ = 0;  // since the last connection: picks the address to try
  redisAsyncContext* context_ = nullptr;
  // The current context's socket; kept after hiredis freed it until the next
  // attempt, since hiredis calls its cleanup hook on the way out.
  std::shared_ptr<Watch> watch_;
  std::deque<Clock::time_point> sent_at_;  // one a command hiredis holds a handler for
  std::optional<bool> reported_up_;        // nothing said yet
  std::string last_refusal_logged_;
};

}  // namespace chat::redis
