#include "server/redis/redis_connection.h"

#include <signal.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <csignal>
#include <iostream>
#include <iterator>
#include <mutex>
#include <utility>
#include "logging/log.h"

namespace chat::redis {

namespace {

enum Direction { reading = 0, writing = 1 };

std::string reply_text(const redisReply* reply) {
  if (!reply) return "no reply";
  if (reply->type == REDIS_REPLY_ERROR || reply->type == REDIS_REPLY_STATUS ||
      reply->type == REDIS_REPLY_STRING) {
    return std::string(reply->str, reply->len);
  }
  return "reply type " + std::to_string(reply->type);
}

// hiredis writes with write(2), not send(MSG_NOSIGNAL): a write to a Redis
// that just died raises SIGPIPE, whose default action ends the process (the
// whole session server, for its history store). Ignored, unless the process
// already chose what to do with it.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      std::signal(SIGPIPE, SIG_IGN);
    }
  });
}

}  // namespace

// hiredis's socket as Asio sees it. hiredis says what it wants through its
// event hooks (addRead, delWrite, ...); each wish becomes one async_wait, and
// readiness is handed back to redisAsyncHandleRead/Write on the strand.
struct RedisConnection::Watch : std::enable_shared_from_this<Watch> {
  Watch(const Strand& strand, int fd, redisAsyncContext* context,
        std::weak_ptr<RedisConnection> owner)
      : descriptor(strand, fd), context(context), owner(std::move(owner)) {}

  // The hooks are idempotent, as hiredis requires: one wait a direction.
  void want(Direction direction) {
    wanted[direction] = true;
    if (waiting[direction] || !context) return;
    waiting[direction] = true;
    descriptor.async_wait(direction == reading ? boost::asio::posix::descriptor_base::wait_read
                                               : boost::asio::posix::descriptor_base::wait_write,
                          [self = shared_from_this(), direction](boost::system::error_code ec) {
                            self->on_ready(direction, ec);
                          });
  }

  void on_ready(Direction direction, boost::system::error_code ec) {
    waiting[direction] = false;
    // hiredis may have withdrawn the wish, or freed the context, meanwhile.
    if (ec || !context || !wanted[direction] || owner.expired()) return;
    if (direction == reading) {
      redisAsyncHandleRead(context);
    } else {
      redisAsyncHandleWrite(context);
    }
    // The context may be gone now: hiredis frees it on a lost connection.
  }

  // hiredis closes the descriptor right after: Asio must let go of it first.
  void cleanup() {
    context = nullptr;
    wanted[reading] = wanted[writing] = false;
    descriptor.release();
  }

  static Watch& of(void* data) { return *static_cast<Watch*>(data); }
  static void add_read(void* data) { of(data).want(reading); }
  static void del_read(void* data) { of(data).wanted[reading] = false; }
  static void add_write(void* data) { of(data).want(writing); }
  static void del_write(void* data) { of(data).wanted[writing] = false; }
  static void cleanup(void* data) { of(data).cleanup(); }

  boost::asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context;  // null once hiredis let go of it
  std::weak_ptr<RedisConnection> owner;
  bool wanted[2] = {false, false};
  bool waiting[2] = {false, false};
};

RedisConnection::RedisConnection(Strand strand, RedisConnectionOptions options,
                                 StateHandler on_state)
    : strand_(std::move(strand)),
      options_(std::move(options)),
      on_state_(std::move(on_state)),
      resolver_(strand_),
      timer_(strand_),
      backoff_(options_.backoff_min) {
  ignore_sigpipe_once();
}

RedisConnection::~RedisConnection() {
  on_state_ = nullptr;
  close_context();
}

void RedisConnection::start() {
  if (phase_ == Phase::stopped) return;
  phase_ = Phase::resolving;
  auto attempt = ++attempt_;
  // Asio resolves names off the io threads; hiredis would call getaddrinfo
  // inline. hiredis then gets a numeric address, which it does not look up.
  resolver_.async_resolve(
      options_.url.endpoint.host, std::to_string(options_.url.endpoint.port),
      [weak = weak_from_this(), attempt](boost::system::error_code ec,
                                         boost::asio::ip::tcp::resolver::results_type results) {
        auto self = weak.lock();
        if (!self || attempt != self->attempt_ || self->phase_ != Phase::resolving) return;
        if (ec) return self->retry_later("cannot resolve the host: " + ec.message());
        if (results.empty()) return self->retry_later("the host has no address");
        // A name with several addresses (localhost: ::1 and 127.0.0.1):
        // each failed attempt tries the next one.
        auto at = self->failed_attempts_ % results.size();
        self->connect_to(std::next(results.begin(), static_cast<std::ptrdiff_t>(at))->endpoint());
      });
}

void RedisConnection::connect_to(const boost::asio::ip::tcp::endpoint& endpoint) {
  redisAsyncContext* context =
      redisAsyncConnect(endpoint.address().to_string().c_str(), endpoint.port());
  if (!context) return retry_later("out of memory for a hiredis context");
  if (context->err) {
    std::string reason = context->errstr;
    redisAsyncFree(context);
    return retry_later(reason);
  }
  context_ = context;
  context->data = this;
  watch_ = std::make_shared<Watch>(strand_, context->c.fd, context, weak_from_this());
  context->ev.data = watch_.get();
  context->ev.addRead = &Watch::add_read;
  context->ev.delRead = &Watch::del_read;
  context->ev.addWrite = &Watch::add_write;
  context->ev.delWrite = &Watch::del_write;
  context->ev.cleanup = &Watch::cleanup;
  redisAsyncSetDisconnectCallback(context, &RedisConnection::on_disconnect_c);
  // Watches for writability: the first write event completes the connect.
  redisAsyncSetConnectCallback(context, &RedisConnection::on_connect_c);
  phase_ = Phase::connecting;

  auto attempt = attempt_;
  timer_.expires_after(options_.connect_timeout);
  timer_.async_wait([weak = weak_from_this(), attempt](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || attempt != self->attempt_ || self->phase_ != Phase::connecting) return;
    self->close_context();
    self->retry_later("no connection within " +
                      std::to_string(self->options_.connect_timeout.count()) + " ms");
  });
}

void RedisConnection::on_connect_c(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (context != self->context_) return;  // one we closed ourselves
  if (status == REDIS_OK) return self->on_connected();
  // hiredis frees the context when this returns.
  self->context_ = nullptr;
  // hiredis copies the error into the async context only after this call.
  self->retry_later(context->c.err ? context->c.errstr : "connect failed");
}

void RedisConnection::on_disconnect_c(const redisAsyncContext* context, int) {
  auto* self = static_cast<RedisConnection*>(context->data);
  if (context != self->context_) return;  // one we closed ourselves
  self->context_ = nullptr;               // hiredis frees it when this returns
  self->on_lost(context->c.err ? context->c.errstr : "closed");
}

void RedisConnection::on_connected() {
  phase_ = Phase::up;
  auto attempt = ++attempt_;  // the connect deadline no longer applies
  timer_.cancel();
  // Read even with nothing asked: a Redis that goes away is noticed at
  // once, not at the next message.
  watch_->want(reading);
  // Pipelined ahead of everything else: no command can overtake them.
  const auto& url = options_.url;
  if (!url.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!url.username.empty()) auth.push_back(url.username);
    auth.push_back(url.password);
    command(auth, [weak = weak_from_this()](const redisReply* reply) {
      if (auto self = weak.lock()) self->log_in(reply, "the password (AUTH)");
    });
  }
  if (url.database != 0) {
    auto database = std::to_string(url.database);
    command({"SELECT", database}, [weak = weak_from_this()](const redisReply* reply) {
      if (auto self = weak.lock()) self->log_in(reply, "the database (SELECT)");
    });
  }
  // Up is when Redis answers, not when TCP connects: a frozen Redis still
  // completes connections, and one loading its data answers "LOADING".
  command({"PING"}, [weak = weak_from_this(), attempt](const redisReply* reply) {
    if (auto self = weak.lock()) self->on_ping(attempt, reply);
  });
}

void RedisConnection::on_ping(std::uint64_t attempt, const redisReply* reply) {
  if (!reply) return;  // lost meanwhile: that is reported on its own
  if (reply->type != REDIS_REPLY_ERROR) {
    backoff_ = options_.backoff_min;
    failed_attempts_ = 0;
    return report(true, "");
  }
  // Closed and tried again after the backoff; not from inside hiredis's
  // callback, and not if that connection is gone already.
  boost::asio::post(strand_, [weak = weak_from_this(), attempt, error = reply_text(reply)] {
    auto self = weak.lock();
    if (self && attempt == self->attempt_) self->drop("Redis answered PING with " + error);
  });
}

// A refused AUTH or SELECT leaves the connection up (every command then
// fails with Redis's error): what to fix goes to the log once a connection.
void RedisConnection::log_in(const redisReply* reply, std::string_view what) {
  if (!reply || reply->type != REDIS_REPLY_ERROR) return;
  // Said again only when it changes: a wrong password is refused at every
  // reconnection.
  auto refusal = std::string(what) + reply_text(reply);
  if (refusal == last_refusal_logged_) return;
  last_refusal_logged_ = refusal;
  logging::error(options_.role + " " + options_.url.to_string() + " refused " +
                 std::string(what) + ": " + reply_text(reply) + "; check the --redis URL");
}

void RedisConnection::on_lost(const std::string& reason) { retry_later(reason); }

void RedisConnection::close_context() {
  if (!context_) return;
  // Cleared first, so the callbacks hiredis makes while freeing it (a null
  // reply for each unanswered command, the disconnect) know it is ours.
  redisAsyncContext* context = std::exchange(context_, nullptr);
  redisAsyncFree(context);
}

void RedisConnection::retry_later(const std::string& reason) {
  if (phase_ == Phase::stopped) return;
  phase_ = Phase::waiting;
  ++failed_attempts_;
  auto attempt = ++attempt_;
  report(false, reason);
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, options_.backoff_max);
  timer_.async_wait([weak = weak_from_this(), attempt](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || attempt != self->attempt_ || self->phase_ != Phase::waiting) return;
    self->start();
  });
}

void RedisConnection::stop() {
  phase_ = Phase::stopped;
  on_state_ = nullptr;
  ++attempt_;
  resolver_.cancel();
  timer_.cancel();
  close_context();
}

void RedisConnection::drop(const std::string& reason) {
  if (phase_ != Phase::up) return;
  close_context();
  retry_later(reason);
}

void RedisConnection::command(const std::vector<std::string_view>& args, ReplyHandler on_reply) {
  if (phase_ != Phase::up || !context_) {
    if (on_reply)
      boost::asio::post(strand_, [on_reply = std::move(on_reply)] { on_reply(nullptr); });
    return;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (auto arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // Every command gets a callback, even one whose reply nobody reads, so
  // sent_at_ matches hiredis's queue of callbacks one for one.
  auto handler = std::make_unique<ReplyHandler>(std::move(on_reply));
  if (redisAsyncCommandArgv(context_, &RedisConnection::on_reply_c, handler.get(),
                            static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    // hiredis is closing the context: nothing was queued.
    if (*handler)
      boost::asio::post(strand_, [on_reply = std::move(*handler)] { on_reply(nullptr); });
    return;
  }
  handler.release();  // hiredis calls on_reply_c exactly once with it
  sent_at_.push_back(Clock::now());
}

void RedisConnection::on_reply_c(redisAsyncContext* context, void* reply, void* handler) {
  std::unique_ptr<ReplyHandler> on_reply(static_cast<ReplyHandler*>(handler));
  auto* self = static_cast<RedisConnection*>(context->data);
  // hiredis answers callbacks in the order they were queued, null replies
  // included when it frees the context.
  if (!self->sent_at_.empty()) self->sent_at_.pop_front();
  if (*on_reply) (*on_reply)(static_cast<const redisReply*>(reply));
}

std::optional<RedisConnection::Clock::time_point> RedisConnection::oldest_unanswered() const {
  if (sent_at_.empty()) return std::nullopt;
  return sent_at_.front();
}

void RedisConnection::report(bool up, const std::string& reason) {
  if (reported_up_ == up) return;
  bool first = !reported_up_.has_value();
  reported_up_ = up;
  std::string line = options_.role + " " + options_.url.to_string();
  if (up) {
    line += first ? " up" : " up again";
  } else {
    line += " down (" + reason + "); " + options_.when_down;
  }
  if (up) {
    logging::info(line);
  } else {
    logging::warning(line);
  }
  if (on_state_) on_state_(up);
}

}  // namespace chat::redis
