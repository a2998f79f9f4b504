#include "sim/timeline.h"

#include <algorithm>

namespace sim {

Timeline::Timeline(int rooms_per_server, std::int64_t sample_interval_ms, std::size_t samples_max)
    : rooms_per_server_(std::max(1, rooms_per_server)),
      sample_interval_ms_(std::max<std::int64_t>(1, sample_interval_ms)),
      samples_max_(samples_max) {}

void Timeline::note_state(std::int64_t now_ms) {
  servers_peak_ = std::max(servers_peak_, servers_);
  lower_bound_peak_ = std::max(lower_bound_peak_, lower_bound_);
  gap_worst_ = std::max(gap_worst_, servers_ - lower_bound_);
  note_sample(last_ms_, now_ms);
  noted_ = true;
}

// Every interval the held state overlaps gets its maximum, so a short peak
// still shows on the plot.
void Timeline::note_sample(std::int64_t from_ms, std::int64_t to_ms) {
  const std::size_t first = from_ms / sample_interval_ms_;
  const std::size_t last = (to_ms - 1) / sample_interval_ms_;
  if (first >= samples_max_) return;
  for (std::size_t i = first; i <= last && i < samples_max_; ++i) {
    while (samples_.size() <= i) {
      const auto start_ms = static_cast<std::int64_t>(samples_.size()) * sample_interval_ms_;
      samples_.push_back(Sample{start_ms, 0, 0});
    }
    samples_[i].servers = std::max(samples_[i].servers, servers_);
    samples_[i].lower_bound = std::max(samples_[i].lower_bound, lower_bound_);
  }
  if (!samples_.empty()) last_sample_end_ms_ = samples_.back().time_ms + sample_interval_ms_;
}

void Timeline::finish(RunReport& report) const {
  report.server_seconds = static_cast<double>(server_ms_) / 1e3;
  report.servers_peak = servers_peak_;
  report.lower_bound_peak = lower_bound_peak_;
  report.gap_mean = last_ms_ > 0 ? static_cast<double>(gap_ms_) / static_cast<double>(last_ms_) : 0;
  report.gap_worst = gap_worst_;
  report.samples = samples_;
}

}  // namespace sim
