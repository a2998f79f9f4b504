#include "sim/summary.h"

namespace sim {

const std::vector<Figure>& summary_figures() {
  static const std::vector<Figure> figures = {
      {"servers_peak", "peak servers", 1, [](const RunReport& r) { return 1.0 * r.servers_peak; }},
      {"server_hours", "server-hours", 1,
       [](const RunReport& r) { return r.server_seconds / 3600; }},
      {"gap_mean", "gap to lower bound", 2, [](const RunReport& r) { return r.gap_mean; }},
      {"creates_refused", "creations refused", 1,
       [](const RunReport& r) {
         double total = 0;
         for (std::uint64_t n : r.creates_refused) total += static_cast<double>(n);
         return total;
       }},
      {"joins_refused", "joins refused", 1,
       [](const RunReport& r) { return static_cast<double>(r.joins_refused_total()); }},
      {"wait_p50_s", "room wait p50 s", 2, [](const RunReport& r) { return r.wait_p50_ms / 1e3; }},
      {"wait_p99_s", "room wait p99 s", 2, [](const RunReport& r) { return r.wait_p99_ms / 1e3; }},
      {"users_lost", "users lost to crashes", 1,
       [](const RunReport& r) { return static_cast<double>(r.users_lost_to_crashes); }},
  };
  return figures;
}

namespace {

// The same settings but the policy: the run the comparison pairs with.
bool same_settings(const RunReport& a, const RunReport& b) {
  return a.spare_room_slots == b.spare_room_slots && a.idle_timeout_s == b.idle_timeout_s &&
         a.defrag_max_rooms == b.defrag_max_rooms && a.failover == b.failover;
}

}  // namespace

Summary summarise(const SweepResult& result) {
  Summary summary;
  const std::size_t seeds = result.replication_seeds.size();
  if (result.points == 0 || result.runs.size() != seeds * result.points ||
      first_failure(result) != nullptr) {
    return summary;
  }
  const std::vector<Figure>& figures = summary_figures();
  for (std::size_t p = 0; p < result.points; ++p) {
    PointSummary point;
    point.label = result.runs[p].label();
    point.values.assign(figures.size(), std::vector<double>(seeds));
    for (std::size_t f = 0; f < figures.size(); ++f) {
      for (std::size_t r = 0; r < seeds; ++r) {
        point.values[f][r] = figures[f].of(result.runs[r * result.points + p]);
      }
      point.intervals.push_back(mean_interval(point.values[f]));
    }
    summary.points.push_back(std::move(point));
  }
  const std::string& first_policy = result.runs.front().policy;
  for (std::size_t p = 0; p < result.points; ++p) {
    const RunReport& run = result.runs[p];
    if (run.policy == first_policy) continue;
    for (std::size_t b = 0; b < result.points; ++b) {
      const RunReport& base = result.runs[b];
      if (base.policy != first_policy || !same_settings(run, base)) continue;
      Comparison comparison{run.label(), base.label(), {}};
      for (std::size_t f = 0; f < figures.size(); ++f) {
        comparison.differences.push_back(
            paired_difference(summary.points[p].values[f], summary.points[b].values[f]));
      }
      summary.comparisons.push_back(std::move(comparison));
    }
  }
  return summary;
}

}  // namespace sim
