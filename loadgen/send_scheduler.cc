#include "loadgen/send_scheduler.h"

#include <algorithm>

namespace loadgen {

SendScheduler::SendScheduler(double rate_per_member, std::uint64_t seed)
    : period_us_(std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e6 / rate_per_member))),
      random_(seed) {}

void SendScheduler::add(std::uint32_t member, std::uint64_t now_us) {
  queue_.push({now_us + random_() % period_us_, member});
}

void SendScheduler::run_due(std::uint64_t now_us, const std::function<void(std::uint32_t)>& send) {
  // Sends scheduled during this call are due after now_us: the loop ends.
  while (!queue_.empty() && queue_.top().at_us <= now_us) {
    auto due = queue_.top();
    queue_.pop();
    send(due.member);
    auto next = due.at_us + period_us_;
    queue_.push({next > now_us ? next : now_us + period_us_ / 2, due.member});
  }
}

}  // namespace loadgen
