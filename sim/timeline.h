// Integrates piecewise-constant quantities over simulated time: servers in
// use (server-seconds, peak) and their gap to the lower bound (mean, worst),
// and keeps one sample per interval for the plot. A state counts only if it
// lasted: several events at the same millisecond pass through intermediate
// states (a room created, then joined) that no real observer would see.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/run_report.h"

namespace sim {

class Timeline {
 public:
  Timeline(int rooms_per_server, std::int64_t sample_interval_ms, std::size_t samples_max);

  // Time moves to now_ms: the values set since the last call held until then.
  void advance_to(std::int64_t now_ms);
  void set(int servers_in_use, int active_rooms);

  int lower_bound() const { return lower_bound_; }
  // Writes server-seconds, peak, gap and samples into the report.
  void finish(RunReport& report) const;

 private:
  void note_sample(std::int64_t from_ms, std::int64_t to_ms);

  int rooms_per_server_;
  std::int64_t sample_interval_ms_;
  std::size_t samples_max_;

  std::int64_t last_ms_ = 0;
  int servers_ = 0;
  int lower_bound_ = 0;

  double server_ms_ = 0;
  double gap_ms_ = 0;  // the gap integrated over time
  int servers_peak_ = 0;
  int lower_bound_peak_ = 0;
  int gap_worst_ = 0;
  std::vector<Sample> samples_;
};

}  // namespace sim
