// Start-up delays drawn from what a fleet measured (--start-delay-file), in
// place of the uniform --start-delay-ms-min/max. The file is either
//
// - a list: one delay in seconds a line (decimals allowed), each equally
//   likely (an empirical distribution; e.g. start times copied from logs);
// - Prometheus text: the `_bucket{...,le="..."} COUNT` lines of a histogram,
//   such as the backend's chat_scheduler_fleet_start_seconds on /metrics
//   (`curl -s localhost:8080/metrics > starts.prom`). Other lines (# HELP,
//   _sum, _count, other metrics) are skipped; series with other labels are
//   added up by bound. A delay is drawn from a bucket in proportion to its
//   count, uniformly between the bucket's bounds (the first from 0); the
//   +Inf bucket's delays are taken as its lower bound, the largest finite
//   one (the histogram says no more).
//
// Lines starting with # and empty lines are comments in both forms.
#pragma once

#include <cstdint>
#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/random.h"

namespace sim {

// A distribution file the simulator cannot use: bad input (exit 1).
struct StartDelayError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class StartDelayDistribution {
 public:
  // Throws StartDelayError naming the line at fault.
  static StartDelayDistribution parse(std::istream& input, const std::string& name);
  static StartDelayDistribution open(const std::string& path);

  std::int64_t sample_ms(Rng& rng) const;
  std::int64_t min_ms() const;
  std::int64_t max_ms() const;
  // "12 values from 4.1 s to 29.0 s" or "histogram of 340 starts, 6 buckets to 60 s".
  std::string describe() const;

 private:
  struct Bin {
    double low_s = 0;
    double high_s = 0;
    double weight = 0;  // a list's values weigh 1 each
  };
  std::vector<Bin> bins_;
  double total_weight_ = 0;
  bool histogram_ = false;
};

}  // namespace sim
