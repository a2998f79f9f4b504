// When each bot sends: every member sends once a period, each with its own
// random phase, from one priority queue (no timer per bot). Asio-free: the
// caller ticks it with the time.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

namespace loadgen {

class SendScheduler {
 public:
  // `rate_per_member`: sends per second, > 0. `seed` fixes the phases.
  explicit SendScheduler(double rate_per_member, std::uint64_t seed = 42);

  std::uint64_t period_us() const { return period_us_; }
  bool empty() const { return queue_.empty(); }

  // The member's first send is due within one period from now_us.
  void add(std::uint32_t member, std::uint64_t now_us);
  // Calls send(member) for each send due by now_us and schedules its next.
  // A late tick sends each member once, not once per missed period: the
  // rate stays even instead of bursting to catch up.
  void run_due(std::uint64_t now_us, const std::function<void(std::uint32_t)>& send);

 private:
  struct Due {
    std::uint64_t at_us;
    std::uint32_t member;
    bool operator>(const Due& other) const { return at_us > other.at_us; }
  };
  std::uint64_t period_us_;
  std::mt19937_64 random_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> queue_;
};

}  // namespace loadgen
