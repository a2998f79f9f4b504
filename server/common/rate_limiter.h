// Token buckets by key (a client address, a user id), in a table whose size
// is bounded: a key whose bucket has refilled is forgotten (a new bucket
// would behave the same), and when the table is full the key seen least
// recently is forgotten first. Thread-safe: one mutex, held for a lookup.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/common/token_bucket.h"

namespace chat {

class RateLimiter {
 public:
  using Clock = TokenBucket::Clock;

  // `per_minute` events a minute for each key, up to that many at once;
  // 0: no limit (take() always admits and the table stays empty).
  RateLimiter(double per_minute, std::size_t keys_max);

  // Takes one of `key`'s tokens: nullopt when admitted, else how long until
  // the key may try again (whole seconds, at least 1, for Retry-After).
  std::optional<std::chrono::seconds> take(std::string_view key, Clock::time_point now);

  bool enabled() const { return per_minute_ > 0; }
  double per_minute() const { return per_minute_; }
  std::size_t size() const;
  // Keys forgotten while their bucket was still spent, because the table was
  // full: each one got a fresh bucket early. Non-zero means keys_max is small
  // for the traffic (or someone is spreading a flood over many addresses).
  std::size_t evicted_early() const;

 private:
  struct Entry {
    std::string key;
    TokenBucket bucket;
  };
  using Lru = std::list<Entry>;  // most recently seen first

  // Drops refilled entries from the least recently seen end, a few a call.
  void forget_refilled(Clock::time_point now);

  const double per_minute_;
  const std::size_t keys_max_;
  mutable std::mutex mutex_;
  Lru lru_;
  // Views into the keys held by lru_'s entries (list nodes never move).
  std::unordered_map<std::string_view, Lru::iterator> index_;
  std::size_t evicted_early_ = 0;
};

}  // namespace chat
