#include "server/history/redis_message_log.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>
#include <optional>
#include <utility>

#include "server/history/history_metrics.h"
#include "server/redis/redis_connection.h"
#include "logging/log.h"

namespace chat::history {

namespace {

using Clock = std::chrono::steady_clock;

std::string_view text_of(const redisReply* reply) {
  return reply && reply->type == REDIS_REPLY_STRING ? std::string_view(reply->str, reply->len)
                                                    : std::string_view();
}

// One XREVRANGE entry, [id, [field, value, ...]]; nullopt when it is not one.
std::optional<LoggedMessage> message_of(const redisReply* entry) {
  if (!entry || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return std::nullopt;
  const redisReply* fields = entry->element[1];
  if (!fields || fields->type != REDIS_REPLY_ARRAY || fields->elements % 2 != 0) {
    return std::nullopt;
  }
  LoggedMessage message;
  for (std::size_t i = 0; i < fields->elements; i += 2) {
    auto name = text_of(fields->element[i]);
    auto value = std::string(text_of(fields->element[i + 1]));
    if (name == "u") message.user_id = std::move(value);
    if (name == "i") message.client_id = std::move(value);
    if (name == "m") message.text = std::move(value);
    if (name == "t") message.ts = std::move(value);
  }
  return message;
}

LoadResult load_result_of(const redisReply* reply) {
  LoadResult result;
  if (!reply || reply->type != REDIS_REPLY_ARRAY) return result;
  result.ok = true;
  result.messages.reserve(reply->elements);
  // XREVRANGE gives newest first; the room wants oldest first.
  for (std::size_t i = reply->elements; i-- > 0;) {
    // An entry of another shape is not ours (someone wrote to the key): skip it.
    if (auto message = message_of(reply->element[i]))
      result.messages.push_back(std::move(*message));
  }
  return result;
}

}  // namespace

// Everything the log does, on one strand. Requests wait in `pending_` in the
// order they were made and complete strictly in that order: a reply resolves
// its request, the sweep resolves the oldest ones that passed the timeout,
// and only a resolved request at the front is completed. So a timed-out
// request never completes after a later one, whatever Redis does.
class RedisMessageLog::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(boost::asio::any_io_executor executor, RedisMessageLogOptions options,
       prometheus::Registry& registry)
      : strand(boost::asio::make_strand(std::move(executor))),
        options_(std::move(options)),
        max_entries_(std::to_string(options_.max_entries)),
        retention_seconds_(std::to_string(std::max<long long>(1, options_.retention.count()))),
        metrics_(registry),
        sweep_timer_(strand) {
    metrics_.store_up.Set(0);
  }

  void start() {
    connection_ = std::make_shared<redis::RedisConnection>(
        strand,
        redis::RedisConnectionOptions{.url = options_.url,
                               .connect_timeout = options_.connect_timeout},
        [weak = weak_from_this()](bool is_up) {
          if (auto self = weak.lock()) self->on_state(is_up);
        });
    connection_->start();
  }

  // `called`: when append() was called. Deadlines and latencies count from
  // there, so time spent waiting for the strand counts too.
  void append(Clock::time_point called, const std::string& key, const LoggedMessage& message,
              std::function<void(AppendResult)> done) {
    auto id = issue(Request{.started = called, .append_done = std::move(done)});
    if (!can_send()) return resolve(id, AppendResult::failed);
    connection_->command({"XADD", key, "MAXLEN", "~", max_entries_, "*", "u", message.user_id, "i",
                          message.client_id, "m", message.text, "t", message.ts},
                         [weak = weak_from_this(), id](const redisReply* reply) {
                           if (auto self = weak.lock()) self->on_append_reply(id, reply);
                         });
    // Pipelined right behind: the key lives `retention` after its last message.
    connection_->command({"EXPIRE", key, retention_seconds_}, nullptr);
  }

  void load(Clock::time_point called, const std::string& key, std::size_t count,
            std::function<void(LoadResult)> done) {
    auto id = issue(Request{.is_load = true, .started = called, .load_done = std::move(done)});
    if (count == 0) return resolve(id, LoadResult{.ok = true});
    if (!can_send()) return resolve(id, LoadResult{});
    connection_->command({"XREVRANGE", key, "+", "-", "COUNT", std::to_string(count)},
                         [weak = weak_from_this(), id](const redisReply* reply) {
                           if (auto self = weak.lock()) self->resolve(id, load_result_of(reply));
                         });
  }

  // The log's destructor: nothing is sent any more; what is pending fails.
  void shutdown() {
    stopped_ = true;
    sweep_timer_.cancel();
    // Calls every unanswered command's handler with no reply, now.
    if (connection_) connection_->stop();
    for (auto& request : pending_) {
      if (!request.resolved) fail(request);
    }
    schedule_flush();
    on_state(false);
  }

  bool up() const { return up_.load(std::memory_order_relaxed); }

  const boost::asio::strand<boost::asio::any_io_executor> strand;

 private:
  struct Request {
    bool is_load = false;
    Clock::time_point started;
    bool resolved = false;
    AppendResult append_result = AppendResult::failed;
    LoadResult load_result;
    std::function<void(AppendResult)> append_done;
    std::function<void(LoadResult)> load_done;
  };

  bool can_send() const {
    return !stopped_ && connection_ && connection_->unanswered() < options_.unanswered_max;
  }

  std::uint64_t issue(Request request) {
    pending_.push_back(std::move(request));
    arm_sweep();
    return first_id_ + pending_.size() - 1;
  }

  // Null for a request already completed: a late reply, after its timeout.
  Request* find(std::uint64_t id) {
    if (id < first_id_ || id - first_id_ >= pending_.size()) return nullptr;
    return &pending_[id - first_id_];
  }

  void on_append_reply(std::uint64_t id, const redisReply* reply) {
    auto* request = find(id);
    if (!request || request->resolved) return;
    if (!reply || reply->type == REDIS_REPLY_ERROR) return resolve(id, AppendResult::failed, reply);
    auto seconds = std::chrono::duration<double>(Clock::now() - request->started).count();
    with_metrics([seconds](HistoryMetrics& m) { m.append_seconds.Observe(seconds); });
    resolve(id, AppendResult::stored);
  }

  void resolve(std::uint64_t id, AppendResult result, const redisReply* error = nullptr) {
    auto* request = find(id);
    if (!request || request->resolved) return;
    if (error) log_error_reply(*error);
    request->resolved = true;
    request->append_result = result;
    schedule_flush();
  }

  void resolve(std::uint64_t id, LoadResult result) {
    auto* request = find(id);
    if (!request || request->resolved) return;
    request->resolved = true;
    request->load_result = std::move(result);
    schedule_flush();
  }

  void fail(Request& request) {
    request.resolved = true;
    request.append_result = AppendResult::failed;
    request.load_result = LoadResult{};
  }

  // An error reply is Redis refusing (no AUTH, out of memory, a key of
  // another type): the operator's to fix. Said once until it changes.
  void log_error_reply(const redisReply& reply) {
    std::string error(reply.str ? std::string_view(reply.str, reply.len) : std::string_view());
    if (error == last_error_logged_) return;
    last_error_logged_ = error;
    logging::error("history store " + options_.url.to_string() + " refused an append: " + error);
  }

  // Completions run from a handler of their own, never from inside hiredis
  // (a `done` that throws must not unwind through C) nor inside append().
  void schedule_flush() {
    if (flush_posted_) return;
    flush_posted_ = true;
    boost::asio::post(strand, [self = shared_from_this()] { self->flush(); });
  }

  void flush() {
    flush_posted_ = false;
    while (!pending_.empty() && pending_.front().resolved) {
      Request request = std::move(pending_.front());
      pending_.pop_front();
      ++first_id_;
      try {
        complete(request);
      } catch (...) {
        schedule_flush();  // the rest still complete, in order
        throw;
      }
    }
  }

  void complete(Request& request) {
    if (request.is_load) {
      with_metrics([ok = request.load_result.ok](HistoryMetrics& m) {
        (ok ? m.loads_ok : m.loads_failed).Increment();
      });
      if (request.load_done) request.load_done(std::move(request.load_result));
    } else {
      with_metrics(
          [result = request.append_result](HistoryMetrics& m) { m.appended(result).Increment(); });
      if (request.append_done) request.append_done(request.append_result);
    }
  }

  // One timer, set for the deadline of the oldest request still open (or,
  // with none, for the oldest unanswered command's silence limit), and set
  // earlier when something earlier comes along.
  void arm_sweep() {
    if (stopped_) return;
    auto when = next_sweep();
    if (!when || *when >= sweep_at_) return;
    sweep_at_ = *when;
    sweep_timer_.expires_at(*when);  // cancels the wait for a later time
    sweep_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec == boost::asio::error::operation_aborted || self->stopped_) return;
      self->sweep_at_ = Clock::time_point::max();
      self->sweep();
    });
  }

  std::optional<Clock::time_point> next_sweep() const {
    for (const auto& request : pending_) {
      if (!request.resolved) return request.started + options_.timeout;
    }
    auto oldest = connection_ ? connection_->oldest_unanswered() : std::nullopt;
    if (oldest) return *oldest + options_.silence_max;
    return std::nullopt;
  }

  // Idempotent: a sweep that finds nothing due only sets the timer again.
  void sweep() {
    auto now = Clock::now();
    for (auto& request : pending_) {
      if (request.resolved) continue;
      if (now - request.started < options_.timeout) break;  // the later ones are younger
      request.resolved = true;
      request.append_result = AppendResult::timed_out;
      request.load_result = LoadResult{};
    }
    schedule_flush();
    auto oldest = connection_->oldest_unanswered();
    if (oldest && now - *oldest >= options_.silence_max) {
      connection_->drop("no answer for " + std::to_string(options_.silence_max.count()) + " ms");
    }
    arm_sweep();
  }

  void on_state(bool is_up) {
    up_.store(is_up, std::memory_order_relaxed);
    with_metrics([is_up](HistoryMetrics& m) { m.store_up.Set(is_up ? 1 : 0); });
  }

 public:
  // The log's destructor, on its caller's thread: the registry may go as
  // soon as it returns, while the strand still completes what is pending.
  // So from here on no metric is touched (the store counts as down).
  void detach_metrics() {
    std::lock_guard lock(metrics_mutex_);
    metrics_.store_up.Set(0);
    metrics_detached_ = true;
  }

 private:
  template <typename Update>
  void with_metrics(Update update) {
    std::lock_guard lock(metrics_mutex_);
    if (!metrics_detached_) update(metrics_);
  }

  RedisMessageLogOptions options_;
  const std::string max_entries_;
  const std::string retention_seconds_;
  HistoryMetrics metrics_;
  std::mutex metrics_mutex_;  // uncontended but for the destructor's detach_metrics()
  bool metrics_detached_ = false;
  boost::asio::steady_timer sweep_timer_;
  std::shared_ptr<redis::RedisConnection> connection_;
  std::deque<Request> pending_;
  std::uint64_t first_id_ = 0;  // the id of pending_.front()
  bool flush_posted_ = false;
  Clock::time_point sweep_at_ = Clock::time_point::max();  // when the timer fires; max: unset
  bool stopped_ = false;
  std::atomic<bool> up_{false};
  std::string last_error_logged_;
};

RedisMessageLog::RedisMessageLog(boost::asio::any_io_executor executor,
                                 RedisMessageLogOptions options, prometheus::Registry& registry)
    : core_(std::make_shared<Core>(std::move(executor), std::move(options), registry)) {
  boost::asio::post(core_->strand, [core = core_] { core->start(); });
}

RedisMessageLog::~RedisMessageLog() {
  core_->detach_metrics();
  boost::asio::post(core_->strand, [core = core_] { core->shutdown(); });
}

std::string RedisMessageLog::key_of(const std::string& room_id) {
  return "chat:room:" + room_id + ":log";
}

void RedisMessageLog::append(const std::string& room_id, LoggedMessage message,
                             std::function<void(AppendResult)> done) {
  boost::asio::post(
      core_->strand,
      [core = core_, called = Clock::now(), key = key_of(room_id), message = std::move(message),
       done = std::move(done)]() mutable { core->append(called, key, message, std::move(done)); });
}

void RedisMessageLog::load(const std::string& room_id, std::size_t count,
                           std::function<void(LoadResult)> done) {
  boost::asio::post(core_->strand, [core = core_, called = Clock::now(), key = key_of(room_id),
                                    count, done = std::move(done)]() mutable {
    core->load(called, key, count, std::move(done));
  });
}

bool RedisMessageLog::up() const { return core_->up(); }

}  // namespace chat::history
