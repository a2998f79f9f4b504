// A token bucket: allows `burst` events at once and `rate` per second after.
// Time is passed in, so tests and the simulator control it. Not thread-safe:
// its owner serialises calls (a room's lock, a RateLimiter's mutex).
#pragma once

#include <algorithm>
#include <chrono>

namespace chat {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double rate_per_second, double burst)
      : rate_per_second_(rate_per_second), burst_(burst), tokens_(burst) {}

  // Takes one token if there is one.
  bool try_take(Clock::time_point now) {
    if (rate_per_second_ <= 0) return true;  // unlimited
    refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // How long from `now` until a token is there to take (zero if one is).
  std::chrono::duration<double> time_to_token(Clock::time_point now) {
    if (rate_per_second_ <= 0) return {};
    refill(now);
    return std::chrono::duration<double>(std::max(0.0, (1.0 - tokens_) / rate_per_second_));
  }

  // Whether the bucket is as full as a new one: it then behaves exactly like
  // a new one, so a table of buckets may forget it.
  bool full(Clock::time_point now) {
    if (rate_per_second_ <= 0) return true;
    refill(now);
    return tokens_ >= burst_;
  }

 private:
  void refill(Clock::time_point now) {
    if (last_ != Clock::time_point{} && now > last_) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_per_second_);
    }
    if (now > last_) last_ = now;
  }

  double rate_per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace chat
