// A workload held in memory: hand-built scenarios in tests, and benchmarks
// that must not measure the generator.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "sim/workload.h"

namespace sim {

class VectorWorkload final : public Workload {
 public:
  // Sorts by time, keeping the given order among events at the same time.
  explicit VectorWorkload(std::vector<WorkloadEvent> events) : events_(std::move(events)) {
    std::stable_sort(
        events_.begin(), events_.end(),
        [](const WorkloadEvent& a, const WorkloadEvent& b) { return a.time_ms < b.time_ms; });
  }
  bool next(WorkloadEvent& event) override {
    if (position_ == events_.size()) return false;
    event = events_[position_++];
    return true;
  }

 private:
  std::vector<WorkloadEvent> events_;
  std::size_t position_ = 0;
};

// Drains a workload into memory.
inline std::vector<WorkloadEvent> collect(Workload& workload) {
  std::vector<WorkloadEvent> events;
  WorkloadEvent event;
  while (workload.next(event)) events.push_back(event);
  return events;
}

}  // namespace sim
