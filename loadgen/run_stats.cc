#include "loadgen/run_stats.h"

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
  std::uint64_t operations = http_requests + ws_attempts + messages_sent;
  return operations ? static_cast<double>(errors_total) / static_cast<double>(operations) : 0;
}

void add_common_figures(const RunStats& stats, const Thresholds& thresholds, Report& report) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000; };
  const auto& latency = stats.latency;
  report.figure("bots_started", stats.bots_started);
  report.figure("bots_connected_peak", stats.bots_connected_peak);
  report.figure("http_requests", stats.http_requests);
  report.figure("messages_sent", stats.messages_sent);
  report.figure("deliveries", stats.deliveries);
  report.figure("latency_p50_ms", ms(latency.percentile_us(0.50)));
  report.figure("latency_p90_ms", ms(latency.percentile_us(0.90)));
  report.figure("latency_p99_ms", ms(latency.percentile_us(0.99)));
  report.figure("latency_p999_ms", ms(latency.percentile_us(0.999)));
  report.figure("latency_max_ms", ms(latency.max_us()));
  report.figure("errors", stats.errors_total);
  report.figure("error_rate", stats.error_rate());
  report.errors = stats.errors;
  report.error_samples = stats.error_samples;
  if (thresholds.p99_ms_max) {
    double p99 = ms(latency.percentile_us(0.99));
    report.check("p99 delivery latency <= " + std::to_string(*thresholds.p99_ms_max) + " ms",
                 latency.count() > 0 && p99 <= *thresholds.p99_ms_max,
                 "p99 " + std::to_string(p99) + " ms over " + std::to_string(latency.count()) +
                     " deliveries");
  }
  if (thresholds.error_rate_max) {
    std::uint64_t operations = stats.http_requests + stats.ws_attempts + stats.messages_sent;
    report.check("error rate <= " + std::to_string(*thresholds.error_rate_max),
                 stats.error_rate() <= *thresholds.error_rate_max,
                 std::to_string(stats.errors_total) + " errors in " + std::to_string(operations) +
                     " operations");
  }
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
