// Confidence intervals over replications: each figure's mean with a 95%
// interval (Student's t, since a handful of seeds is the usual sample), and
// the paired difference between two policies run on the same seeds (common
// random numbers: the same workload and fleet draws for both), whose
// interval is far narrower than the two intervals side by side, because the
// seed-to-seed variation cancels.
#pragma once

#include <cstddef>
#include <vector>

namespace sim {

// The two-sided 95% quantile of Student's t with `degrees` degrees of freedom
// (t such that P(|T| <= t) = 0.95): exact table values to 30, then
// interpolated in 1/degrees towards the normal's 1.959964. degrees >= 1.
double student_t_975(std::size_t degrees);

struct Interval {
  std::size_t n = 0;
  double mean = 0;
  double stddev = 0;      // sample standard deviation (n - 1); 0 when n < 2
  double half_width = 0;  // t * stddev / sqrt(n); 0 when n < 2 (no interval)
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
  // Only with at least two values: one seed says nothing about the spread.
  bool has_interval() const { return n >= 2; }
  // The interval lies wholly on one side of 0 (a difference that is real at
  // the 95% level). False without an interval.
  bool excludes_zero() const { return has_interval() && (low() > 0 || high() < 0); }
};

Interval mean_interval(const std::vector<double>& values);

// The interval of a[i] - b[i]: a and b measured on the same seeds, in the
// same order (same size).
Interval paired_difference(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace sim
