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
  // Both are called for every event, so they are here, inline.
  void advance_to(std::int64_t now_ms) {
    if (now_ms <= last_ms_) return;
    const std::int64_t held_ms = now_ms - last_ms_;
    server_ms_ += servers_ * held_ms;
    gap_ms_ += (servers_ - lower_bound_) * held_ms;
    // Usually the state is one the peaks and the last sample have seen, and
    // held within that sample's interval (events come many a second, samples
    // a minute apart): nothing else to do.
    if (!noted_ || samples_.empty() || now_ms > last_sample_end_ms_) note_state(now_ms);
    last_ms_ = now_ms;
  }
  void set(int servers_in_use, int active_rooms) {
    const int lower_bound = (active_rooms + rooms_per_server_ - 1) / rooms_per_server_;
    if (servers_in_use == servers_ && lower_bound == lower_bound_) return;
    servers_ = servers_in_use;
    lower_bound_ = lower_bound;
    noted_ = false;
  }

  int lower_bound() const { return lower_bound_; }
  // Writes server-seconds, peak, gap and samples into the report.
  void finish(RunReport& report) const;

 private:
  // The state held until now_ms into the peaks and the samples.
  void note_state(std::int64_t now_ms);
  void note_sample(std::int64_t from_ms, std::int64_t to_ms);

  int rooms_per_server_;
  std::int64_t sample_interval_ms_;
  std::size_t samples_max_;

  std::int64_t last_ms_ = 0;
  int servers_ = 0;
  int lower_bound_ = 0;

  // In integers: the doubles they replace held them exactly (far below
  // 2^53), so the results are the same, and the sums cheaper.
  std::int64_t server_ms_ = 0;
  std::int64_t gap_ms_ = 0;  // the gap integrated over time
  int servers_peak_ = 0;
  int lower_bound_peak_ = 0;
  int gap_worst_ = 0;
  std::vector<Sample> samples_;
  std::int64_t last_sample_end_ms_ = 0;  // samples_.back()'s
  // The state set is in the peaks and in samples_.back() already.
  bool noted_ = false;
};

}  // namespace sim
