#include "server/common/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace chat {

RateLimiter::RateLimiter(double per_minute, std::size_t keys_max)
    : per_minute_(std::max(0.0, per_minute)), keys_max_(std::max<std::size_t>(1, keys_max)) {}

std::optional<std::chrono::seconds> RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (!enabled()) return std::nullopt;
  std::lock_guard lock(mutex_);
  forget_refilled(now);
  auto found = index_.find(key);
  if (found != index_.end()) {
    lru_.splice(lru_.begin(), lru_, found->second);
  } else {
    if (lru_.size() >= keys_max_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
      ++evicted_early_;  // forget_refilled left it: its bucket was still spent
    }
    lru_.push_front({std::string(key), TokenBucket(per_minute_ / 60.0, per_minute_)});
    index_.emplace(lru_.front().key, lru_.begin());
  }
  TokenBucket& bucket = lru_.front().bucket;
  if (bucket.try_take(now)) return std::nullopt;
  double wait = std::ceil(bucket.time_to_token(now).count());
  return std::chrono::seconds(std::max<long>(1, static_cast<long>(wait)));
}

void RateLimiter::forget_refilled(Clock::time_point now) {
  // Two a call keeps up with one new key a call, so the table only holds
  // keys whose buckets are spent (or were, among the most recent).
  for (int i = 0; i < 2 && !lru_.empty() && lru_.back().bucket.full(now); ++i) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

std::size_t RateLimiter::evicted_early() const {
  std::lock_guard lock(mutex_);
  return evicted_early_;
}

}  // namespace chat
