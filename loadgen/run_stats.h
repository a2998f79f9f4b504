// What a run counts (bots, requests, messages, deliveries, errors by
// category, latency) and the figures and threshold checks every report ends
// with. Asio-free.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/latency_histogram.h"
#include "loadgen/report.h"

namespace loadgen {

struct RunStats {
  static constexpr std::size_t kErrorSamplesMax = 8;

  std::uint64_t bots_started = 0;
  std::uint64_t bots_connected = 0;  // now (snapshot received, not closed)
  std::uint64_t bots_connected_peak = 0;
  std::uint64_t ws_attempts = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t deliveries = 0;
  // v2: acknowledgements and the way back after a lost connection.
  std::uint64_t messages_resent = 0;       // sent again after a reconnect
  std::uint64_t acks_for_duplicates = 0;   // `ack` frames: the server had the message already
  std::uint64_t bots_reconnecting = 0;     // now: lost their connection, not back yet
  std::uint64_t reconnects = 0;            // outages ended back in the room
  std::uint64_t rejoin_attempts_failed = 0;
  std::map<std::string, std::uint64_t> rejoin_failures;  // those attempts, by category
  std::map<std::string, std::uint64_t> disconnects;  // expected ones, by category
  std::uint64_t errors_total = 0;
  std::map<std::string, std::uint64_t> errors;  // by category
  std::vector<std::string> error_samples;       // the first few, with detail
  LatencyHistogram latency;

  // Counts an error of `category`; the first few keep their detail.
  void error(const std::string& category, const std::string& detail);
  void bot_connected();
  // Errors over operations (requests, WebSocket attempts, messages sent).
  double error_rate() const;
  std::uint64_t operations() const { return http_requests + ws_attempts + messages_sent; }
};

struct Thresholds {
  std::optional<double> p99_ms_max;
  std::optional<double> error_rate_max;
};

// The figures every scenario reports, and a check for each threshold given;
// report.raw gets what merging with other processes' reports needs.
void add_common_figures(const RunStats& stats, const Thresholds& thresholds, Report& report);
// Parts of it, shared with the merge of several processes' reports:
// latency_p50_ms .. latency_max_ms of a histogram, and the threshold checks.
void add_latency_figures(const LatencyHistogram& latency, Report& report);
void add_threshold_checks(const LatencyHistogram& latency, std::uint64_t errors,
                          std::uint64_t operations, const Thresholds& thresholds, Report& report);
boost::json::object histogram_to_json(const LatencyHistogram& histogram);
// Adds what histogram_to_json() wrote; false when it is not one.
bool add_histogram_json(const boost::json::value& json, LatencyHistogram& histogram);
// The q-quantile of sorted values in milliseconds (nearest rank); 0 when empty.
double nearest_rank_ms(const std::vector<std::uint64_t>& sorted_us, double q);
// v2: re-sends, acknowledgements of duplicates, and lost connections.
void add_v2_figures(const RunStats& stats, Report& report);

}  // namespace loadgen
