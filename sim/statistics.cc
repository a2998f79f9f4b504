#include "sim/statistics.h"

#include <cmath>
#include <stdexcept>

namespace sim {

double student_t_975(std::size_t degrees) {
  if (degrees == 0) throw std::invalid_argument("student_t_975: 0 degrees of freedom");
  // t_{0.975, df} for df = 1..30 (standard tables, 4 decimals).
  static constexpr double kTable[] = {
      12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
      2.2010,  2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
      2.0796,  2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423};
  if (degrees <= 30) return kTable[degrees - 1];
  // Beyond 30, t is nearly linear in 1/df: through (30, 2.0423), (60, 2.0003),
  // (120, 1.9799) and the normal (infinity, 1.959964), piecewise.
  struct Point {
    double inverse_df;
    double t;
  };
  static constexpr Point kTail[] = {
      {1.0 / 30, 2.0423}, {1.0 / 60, 2.0003}, {1.0 / 120, 1.9799}, {0.0, 1.959964}};
  const double x = 1.0 / static_cast<double>(degrees);
  for (std::size_t i = 0; i + 1 < std::size(kTail); ++i) {
    if (x >= kTail[i + 1].inverse_df) {
      const double share =
          (x - kTail[i + 1].inverse_df) / (kTail[i].inverse_df - kTail[i + 1].inverse_df);
      return kTail[i + 1].t + share * (kTail[i].t - kTail[i + 1].t);
    }
  }
  return kTail[std::size(kTail) - 1].t;
}

Interval mean_interval(const std::vector<double>& values) {
  Interval interval;
  interval.n = values.size();
  if (values.empty()) return interval;
  double sum = 0;
  for (double value : values) sum += value;
  interval.mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return interval;
  double squares = 0;
  for (double value : values) squares += (value - interval.mean) * (value - interval.mean);
  interval.stddev = std::sqrt(squares / static_cast<double>(values.size() - 1));
  interval.half_width = student_t_975(values.size() - 1) * interval.stddev /
                        std::sqrt(static_cast<double>(values.size()));
  return interval;
}

Interval paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("paired_difference: the two samples differ in size");
  }
  std::vector<double> differences(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) differences[i] = a[i] - b[i];
  return mean_interval(differences);
}

}  // namespace sim
