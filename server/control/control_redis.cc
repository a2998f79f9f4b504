#include "server/control/control_redis.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <iostream>

namespace chat::control {

namespace net = boost::asio;

std::shared_ptr<ControlRedis> ControlRedis::create(net::any_io_executor executor,
                                                   ControlRedisOptions options) {
  return std::shared_ptr<ControlRedis>(new ControlRedis(std::move(executor), std::move(options)));
}

ControlRedis::ControlRedis(net::any_io_executor executor, ControlRedisOptions options)
    : strand_(net::make_strand(std::move(executor))),
      options_(std::move(options)),
      watchdog_(strand_) {}

ControlRedis::~ControlRedis() = default;

void ControlRedis::start() {
  net::dispatch(strand_, [self = shared_from_this()] {
    redis::RedisConnectionOptions connection;
    connection.url = self->options_.url;
    connection.role = "shared state (directory, fleet, lease)";
    connection.when_down =
        "the fleet lease lapses and rooms placed by other backends cannot be looked up here "
        "until it is back";
    std::weak_ptr<ControlRedis> weak = self;
    self->connection_ =
        std::make_shared<redis::RedisConnection>(self->strand_, connection, [weak](bool up) {
          if (auto alive = weak.lock()) alive->up_ = up;
        });
    self->connection_->start();
    self->watch();
  });
}

void ControlRedis::stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->watchdog_.cancel();
    if (self->connection_) self->connection_->stop();
    self->up_ = false;
  });
}

// Every 250 ms: a command older than the timeout means Redis stopped
// answering (a hung host never closes the socket).
void ControlRedis::watch() {
  watchdog_.expires_after(std::chrono::milliseconds(250));
  watchdog_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    auto oldest = self->connection_->oldest_unanswered();
    if (oldest && std::chrono::steady_clock::now() - *oldest > self->options_.reply_timeout) {
      self->connection_->drop("no answer in " +
                              std::to_string(self->options_.reply_timeout.count()) + " ms");
    }
    self->watch();
  });
}

void ControlRedis::command(std::vector<std::string> args, ReplyHandler done) {
  net::dispatch(strand_, [self = shared_from_this(), args = std::move(args),
                          done = std::move(done)]() mutable {
    if (self->stopped_ || !self->connection_) {
      if (done) done(nullptr);
      return;
    }
    std::vector<std::string_view> views(args.begin(), args.end());
    // The strings live until the reply: hiredis copies them into its buffer at once.
    self->connection_->command(views, std::move(done));
  });
}

void ControlRedis::eval(const std::string& script, const std::vector<std::string>& keys,
                        std::vector<std::string> args, ReplyHandler done) {
  std::vector<std::string> command{"EVAL", script, std::to_string(keys.size())};
  for (const auto& name : keys) command.push_back(key(name));
  for (auto& arg : args) command.push_back(std::move(arg));
  this->command(std::move(command), std::move(done));
}

std::optional<std::string> reply_string(const redisReply* reply) {
  if (reply == nullptr) return std::nullopt;
  if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) {
    return std::string(reply->str, reply->len);
  }
  return std::nullopt;
}

std::optional<long long> reply_integer(const redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) return std::nullopt;
  return reply->integer;
}

bool reply_is_error(const redisReply* reply) {
  return reply == nullptr || reply->type == REDIS_REPLY_ERROR;
}

std::string reply_error(const redisReply* reply) {
  if (reply == nullptr) return "no answer from Redis";
  if (reply->type == REDIS_REPLY_ERROR) return std::string(reply->str, reply->len);
  return "unexpected reply type " + std::to_string(reply->type);
}

}  // namespace chat::control
