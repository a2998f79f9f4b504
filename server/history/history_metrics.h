// The history store's Prometheus series. Their names are an interface:
// docs/PROTOCOL.md, the dashboards and the alerts read them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "server/room/message_log.h"

namespace chat::history {

struct HistoryMetrics {
  explicit HistoryMetrics(prometheus::Registry& registry);

  prometheus::Counter& appended(AppendResult result);

  prometheus::Family<prometheus::Counter>& appends;
  prometheus::Family<prometheus::Counter>& loads;
  prometheus::Counter& appends_stored;
  prometheus::Counter& appends_failed;
  prometheus::Counter& appends_timed_out;
  prometheus::Counter& loads_ok;
  prometheus::Counter& loads_failed;
  prometheus::Gauge& store_up;            // 1 while connected to Redis
  prometheus::Histogram& append_seconds;  // from append() to Redis's answer, stored ones
};

}  // namespace chat::history
