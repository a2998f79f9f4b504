// Mirrors a tally that only grows, kept by a component that knows nothing of
// Prometheus (the scheduler's placements, the load generator's deliveries),
// into a Prometheus counter: each sync adds what the tally grew by since the
// last one. The component stays the one owner of its numbers, and the counter
// keeps Prometheus's meaning (it never goes down) even if a tally is reset.
#pragma once

#include <prometheus/counter.h>

#include <cstdint>

namespace metrics {

class FollowedCounter {
 public:
  explicit FollowedCounter(prometheus::Counter& counter) : counter_(&counter) {}

  void sync(std::uint64_t tally) {
    if (tally > seen_) counter_->Increment(static_cast<double>(tally - seen_));
    seen_ = tally;  // a tally that went down (a reset) is followed from there
  }

 private:
  prometheus::Counter* counter_;
  std::uint64_t seen_ = 0;
};

}  // namespace metrics
