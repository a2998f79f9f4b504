#include "server/control/lease.h"

#include <boost/asio/dispatch.hpp>
#include <iostream>
#include "logging/log.h"

namespace chat::control {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// KEYS[1] lease, KEYS[2] fence; ARGV[1] holder, ARGV[2] ttl ms. The new
// token, or nil when someone holds it.
constexpr const char* kAcquireScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. token, 'PX', ARGV[2])
return token
)lua";

// KEYS[1] lease; ARGV[1] "<holder> <token>", ARGV[2] ttl ms.
constexpr const char* kRenewScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua";

constexpr const char* kReleaseScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace

std::shared_ptr<FleetLease> FleetLease::create(std::shared_ptr<ControlRedis> redis,
                                               LeaseOptions options, Gained gained, Lost lost) {
  return std::shared_ptr<FleetLease>(
      new FleetLease(std::move(redis), std::move(options), std::move(gained), std::move(lost)));
}

FleetLease::FleetLease(std::shared_ptr<ControlRedis> redis, LeaseOptions options, Gained gained,
                       Lost lost)
    : redis_(std::move(redis)),
      options_(std::move(options)),
      gained_(std::move(gained)),
      lost_(std::move(lost)),
      timer_(redis_->strand()) {}

void FleetLease::start() {
  net::dispatch(redis_->strand(), [self = shared_from_this()] { self->round(); });
}

LeaseState FleetLease::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool FleetLease::held() const {
  std::lock_guard lock(mutex_);
  // A margin of one renewal: by the time another replica may take it, this
  // one has stopped acting for at least that long.
  return state_.held && Clock::now() - renewed_at_ < options_.ttl - options_.renew_interval;
}

void FleetLease::schedule() {
  timer_.expires_after(options_.renew_interval);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->stopped_) self->round();
  });
}

void FleetLease::round() {
  bool held;
  {
    std::lock_guard lock(mutex_);
    held = state_.held;
  }
  if (held) {
    renew();
  } else {
    try_acquire();
  }
  schedule();
}

void FleetLease::try_acquire() {
  redis_->eval(kAcquireScript, {"fleet:lease", "fleet:fence"},
               {options_.holder, std::to_string(options_.ttl.count())},
               [self = shared_from_this(), asked = Clock::now()](const redisReply* reply) {
                 if (self->stopped_) return;
                 auto token = reply_integer(reply);
                 if (!token) return self->read_holder();
                 {
                   std::lock_guard lock(self->mutex_);
                   self->state_.held = true;
                   self->state_.token = static_cast<std::uint64_t>(*token);
                   self->state_.holder = self->options_.holder;
                   ++self->state_.acquisitions;
                   // Counted from the request: the lease may have started that early.
                   self->renewed_at_ = asked;
                 }
                 logging::info("took the fleet lease (fencing token " + std::to_string(*token) +
                               "): this replica runs the autoscaler");
                 if (self->gained_) self->gained_(static_cast<std::uint64_t>(*token));
               });
}

void FleetLease::renew() {
  std::string value;
  {
    std::lock_guard lock(mutex_);
    value = options_.holder + " " + std::to_string(state_.token);
  }
  redis_->eval(kRenewScript, {"fleet:lease"}, {value, std::to_string(options_.ttl.count())},
               [self = shared_from_this(), asked = Clock::now()](const redisReply* reply) {
                 if (self->stopped_) return;
                 auto renewed = reply_integer(reply);
                 if (renewed && *renewed == 1) {
                   std::lock_guard lock(self->mutex_);
                   if (self->state_.held) self->renewed_at_ = asked;
                   return;
                 }
                 if (renewed) return self->lose("another replica holds it now");
                 // No answer: it is ours until it may have expired.
                 bool expired;
                 {
                   std::lock_guard lock(self->mutex_);
                   expired = Clock::now() - self->renewed_at_ >=
                             self->options_.ttl - self->options_.renew_interval;
                 }
                 if (expired) self->lose("could not renew it: " + reply_error(reply));
               });
}

void FleetLease::lose(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (!state_.held) return;
    state_.held = false;
    ++state_.losses;
  }
  logging::warning("lost the fleet lease (" + std::string(why) +
                   "); this replica stops starting and stopping servers");
  if (lost_) lost_();
}

void FleetLease::read_holder() {
  redis_->command({"GET", redis_->key("fleet:lease")},
                  [self = shared_from_this()](const redisReply* reply) {
                    auto value = reply_string(reply);
                    std::lock_guard lock(self->mutex_);
                    if (self->state_.held) return;
                    self->state_.holder.clear();
                    self->state_.token = 0;
                    if (!value) return;
                    auto space = value->rfind(' ');
                    self->state_.holder = value->substr(0, space);
                    if (space != std::string::npos) {
                      self->state_.token = std::strtoull(value->c_str() + space + 1, nullptr, 10);
                    }
                  });
}

void FleetLease::release(std::function<void()> done) {
  net::dispatch(redis_->strand(), [self = shared_from_this(), done = std::move(done)] {
    self->stopped_ = true;
    self->timer_.cancel();
    std::string value;
    bool held;
    {
      std::lock_guard lock(self->mutex_);
      held = self->state_.held;
      value = self->options_.holder + " " + std::to_string(self->state_.token);
      self->state_.held = false;
    }
    if (!held) {
      if (done) done();
      return;
    }
    self->redis_->eval(kReleaseScript, {"fleet:lease"}, {value}, [done](const redisReply*) {
      if (done) done();
    });
  });
}

}  // namespace chat::control
