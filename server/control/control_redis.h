// The backend's one connection to the Redis that holds the control plane's
// shared state (the room directory, the fleet's members, the lease), when
// the backend runs with --redis. The connection is server/redis's RedisConnection
// (hiredis on Asio, pipelined, reconnecting); this wraps it so any thread
// may send a command, and drops it when Redis stops answering, so callers
// are told "no answer" within a bound instead of waiting for TCP to give up.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/redis/redis_connection.h"
#include "server/redis/redis_url.h"

namespace chat::control {

struct ControlRedisOptions {
  redis::RedisUrl url;
  // Every key starts with it ("chat:"), so several chats can share a Redis.
  std::string key_prefix = "chat:";
  // A command unanswered this long drops the connection (its callers get
  // null) and it reconnects.
  std::chrono::milliseconds reply_timeout{1000};
};

class ControlRedis : public std::enable_shared_from_this<ControlRedis> {
 public:
  using Strand = redis::RedisConnection::Strand;
  // The reply, valid only during the call; null when Redis did not answer.
  using ReplyHandler = redis::RedisConnection::ReplyHandler;

  static std::shared_ptr<ControlRedis> create(boost::asio::any_io_executor executor,
                                              ControlRedisOptions options);
  ~ControlRedis();

  void start();
  void stop();
  // From any thread; `done` runs on strand() (it may be empty).
  void command(std::vector<std::string> args, ReplyHandler done);
  // EVAL of `script` with `keys` (prefixed here) and `args`.
  void eval(const std::string& script, const std::vector<std::string>& keys,
            std::vector<std::string> args, ReplyHandler done);

  Strand strand() const { return strand_; }
  bool up() const { return up_; }
  std::string key(std::string_view name) const { return options_.key_prefix + std::string(name); }
  const ControlRedisOptions& options() const { return options_; }

 private:
  ControlRedis(boost::asio::any_io_executor executor, ControlRedisOptions options);
  void watch();

  Strand strand_;
  const ControlRedisOptions options_;
  std::shared_ptr<redis::RedisConnection> connection_;
  boost::asio::steady_timer watchdog_;
  std::atomic<bool> up_{false};
  bool stopped_ = false;
};

// Reading replies.
std::optional<std::string> reply_string(const redisReply* reply);
std::optional<long long> reply_integer(const redisReply* reply);
bool reply_is_error(const redisReply* reply);
std::string reply_error(const redisReply* reply);  // "no answer" for null

}  // namespace chat::control
