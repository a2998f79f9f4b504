#include "server/history/history_metrics.h"

#include "metrics/families.h"

namespace chat::history {

namespace {

prometheus::Family<prometheus::Counter>& appends_family(prometheus::Registry& registry) {
  return metrics::counter_family(
      registry, "chat_history_appends_total",
      "Messages appended to the history store, by result: stored, failed (Redis down or "
      "an error), timed_out (no answer within --history-timeout).");
}

prometheus::Family<prometheus::Counter>& loads_family(prometheus::Registry& registry) {
  return metrics::counter_family(
      registry, "chat_history_loads_total",
      "Room histories read from the history store, by result: ok, failed.");
}

// 100 µs (Redis on loopback) to 1 s (twice the default timeout).
prometheus::Histogram::BucketBoundaries append_buckets() {
  return {0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1};
}

}  // namespace

HistoryMetrics::HistoryMetrics(prometheus::Registry& registry)
    : appends(appends_family(registry)),
      loads(loads_family(registry)),
      // Every result starts at 0, so rate() sees the first failure.
      appends_stored(appends.Add({{"result", "stored"}})),
      appends_failed(appends.Add({{"result", "failed"}})),
      appends_timed_out(appends.Add({{"result", "timed_out"}})),
      loads_ok(loads.Add({{"result", "ok"}})),
      loads_failed(loads.Add({{"result", "failed"}})),
      store_up(
          metrics::gauge(registry, "chat_history_store_up",
                         "1 while the session server is connected to its history store (Redis).")),
      append_seconds(metrics::histogram_family(registry, "chat_history_append_seconds",
                                               "Time from a message's append to Redis storing it.")
                         .Add({}, append_buckets())) {}

prometheus::Counter& HistoryMetrics::appended(AppendResult result) {
  switch (result) {
    case AppendResult::stored:
      return appends_stored;
    case AppendResult::timed_out:
      return appends_timed_out;
    case AppendResult::failed:
      break;
  }
  return appends_failed;
}

}  // namespace chat::history
