// The control plane's own counters and gauges in Prometheus: what the core
// counts (its Count effects: reservations, directory reads, failover probes,
// lease acquisitions) and the lease this backend holds. The scheduler's
// figures are SchedulerExporter's.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstdint>

#include "control/effects.h"

namespace chat {

class ControlMetrics {
 public:
  explicit ControlMetrics(prometheus::Registry& registry);

  void count(const core::Count& effect);
  void lease_held(bool held) { lease_held_.Set(held ? 1 : 0); }
  void lease_token(std::uint64_t token) { lease_token_.Set(static_cast<double>(token)); }

 private:
  prometheus::Family<prometheus::Counter>& reservation_results_;
  prometheus::Family<prometheus::Counter>& directory_reads_;
  prometheus::Family<prometheus::Counter>& failover_probes_;
  prometheus::Family<prometheus::Counter>& failover_probes_skipped_;
  prometheus::Gauge& lease_held_;
  prometheus::Gauge& lease_token_;
  prometheus::Counter& lease_acquisitions_;
};

}  // namespace chat
