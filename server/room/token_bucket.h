// A token bucket: allows `burst` events at once and `rate` per second after.
// Time is passed in, so tests and the simulator control it.
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
    if (last_ != Clock::time_point{}) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min(burst_, tokens_ + elapsed * rate_per_second_);
    }
    last_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_per_second_;
  double burst_;
  double tokens_;
  Clock::time_point last_{};
};

}  // namespace chat
