#include "loadgen/run_stats.h"

#include <algorithm>
#include <cmath>

namespace loadgen {

void RunStats::error(const std::string& category, const std::string& detail) {
  ++errors_total;
  ++errors[category];
  if (error_samples.size() < kErrorSamplesMax) error_samples.push_back(category + ": " + detail);
}

void RunStats::bot_connected() {
  if (++bots_connected > bots_connected_peak) bots_connected_peak = bots_connected;
}

double RunStats::error_rate() const {
  auto total = operations();
  return total ? static_cast<double>(errors_total) / static_cast<double>(total) : 0;
}

namespace {

double ms(std::uint64_t us) { return static_cast<double>(us) / 1000; }

}  // namespace

void add_latency_figures(const LatencyHistogram& latency, Report& report) {
  report.figure("latency_p50_ms", ms(latency.percentile_us(0.50)));
  report.figure("latency_p90_ms", ms(latency.percentile_us(0.90)));
  report.figure("latency_p99_ms", ms(latency.percentile_us(0.99)));
  report.figure("latency_p999_ms", ms(latency.percentile_us(0.999)));
  report.figure("latency_max_ms", ms(latency.max_us()));
}

void add_threshold_checks(const LatencyHistogram& latency, std::uint64_t errors,
                          std::uint64_t operations, const Thresholds& thresholds, Report& report) {
  if (thresholds.p99_ms_max) {
    double p99 = ms(latency.percentile_us(0.99));
    report.check("p99 delivery latency <= " + std::to_string(*thresholds.p99_ms_max) + " ms",
                 latency.count() > 0 && p99 <= *thresholds.p99_ms_max,
                 "p99 " + std::to_string(p99) + " ms over " + std::to_string(latency.count()) +
                     " deliveries");
  }
  if (thresholds.error_rate_max) {
    double rate = operations ? static_cast<double>(errors) / static_cast<double>(operations) : 0;
    report.check("error rate <= " + std::to_string(*thresholds.error_rate_max),
                 rate <= *thresholds.error_rate_max,
                 std::to_string(errors) + " errors in " + std::to_string(operations) +
                     " operations");
  }
}

void add_common_figures(const RunStats& stats, const Thresholds& thresholds, Report& report) {
  report.figure("bots_started", stats.bots_started);
  report.figure("bots_connected_peak", stats.bots_connected_peak);
  report.figure("http_requests", stats.http_requests);
  report.figure("messages_sent", stats.messages_sent);
  report.figure("deliveries", stats.deliveries);
  add_latency_figures(stats.latency, report);
  report.figure("errors", stats.errors_total);
  report.figure("error_rate", stats.error_rate());
  report.errors = stats.errors;
  report.error_samples = stats.error_samples;
  report.raw["latency"] = histogram_to_json(stats.latency);
  report.raw["operations"] = stats.operations();
  add_threshold_checks(stats.latency, stats.errors_total, stats.operations(), thresholds, report);
}

boost::json::object histogram_to_json(const LatencyHistogram& histogram) {
  boost::json::array buckets;  // [index, count] pairs: the same binary reads them back
  for (const auto& bucket : histogram.nonzero_buckets()) {
    buckets.push_back(boost::json::array{bucket.index, bucket.count});
  }
  return {{"buckets", std::move(buckets)},
          {"sum_us", histogram.sum_us()},
          {"max_us", histogram.max_us()}};
}

bool add_histogram_json(const boost::json::value& json, LatencyHistogram& histogram) {
  auto* object = json.if_object();
  if (!object) return false;
  auto* buckets = object->if_contains("buckets");
  auto* sum = object->if_contains("sum_us");
  auto* max = object->if_contains("max_us");
  if (!buckets || !buckets->is_array() || !sum || !max) return false;
  std::vector<LatencyHistogram::Bucket> read;
  for (const auto& item : buckets->get_array()) {
    auto* pair = item.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_number() || !(*pair)[1].is_number()) {
      return false;
    }
    read.push_back({(*pair)[0].to_number<int>(), (*pair)[1].to_number<std::uint64_t>()});
  }
  if (!sum->is_number() || !max->is_number()) return false;
  histogram.add_buckets(read, sum->to_number<std::uint64_t>(), max->to_number<std::uint64_t>());
  return true;
}

double nearest_rank_ms(const std::vector<std::uint64_t>& sorted_us, double q) {
  if (sorted_us.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted_us.size())));
  return static_cast<double>(sorted_us[std::clamp<std::size_t>(rank, 1, sorted_us.size()) - 1]) /
         1000;
}

namespace {

// "ws_read: 3, ws_close_1012: 5": a small map, on one line of the table.
std::string by_kind(const std::map<std::string, std::uint64_t>& counts) {
  std::string text;
  for (const auto& [kind, count] : counts) {
    text += (text.empty() ? "" : ", ") + kind + ": " + std::to_string(count);
  }
  return text;
}

}  // namespace

void add_v2_figures(const RunStats& stats, Report& report) {
  std::uint64_t disconnects = 0;
  for (const auto& [kind, count] : stats.disconnects) disconnects += count;
  report.figure("messages_resent", stats.messages_resent);
  report.figure("acks_for_duplicates", stats.acks_for_duplicates);
  report.figure("disconnects_expected", disconnects);
  if (disconnects) report.figure("disconnects_by_kind", by_kind(stats.disconnects));
  report.figure("reconnects", stats.reconnects);
  report.figure("rejoin_attempts_failed", stats.rejoin_attempts_failed);
  if (stats.rejoin_attempts_failed) {
    report.figure("rejoin_failures_by_kind", by_kind(stats.rejoin_failures));
  }
}

}  // namespace loadgen
