// The scheduler's figures in Prometheus: the library keeps its own tallies
// (it knows nothing of Prometheus, so the simulator runs it bare); this
// mirrors them into the backend's registry after each change.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "metrics/followed_counter.h"
#include "scheduler/metrics.h"

namespace chat {

class SchedulerExporter {
 public:
  SchedulerExporter(prometheus::Registry& registry, const std::string& policy);

  void update(const sched::SchedulerMetrics& figures);
  // Time to place a room, waiting for a server included.
  void observe_placement(double seconds) { placement_seconds_.Observe(seconds); }
  // Time from asking the fleet for a server to it being ready.
  void observe_fleet_start(double seconds) { fleet_start_seconds_.Observe(seconds); }

 private:
  prometheus::Family<prometheus::Counter>& placements_;
  prometheus::Family<prometheus::Gauge>& servers_;
  prometheus::Family<prometheus::Counter>& scale_events_;
  prometheus::Family<prometheus::Counter>& rooms_freed_;
  prometheus::Family<prometheus::Counter>& server_failures_;
  prometheus::Family<prometheus::Counter>& drains_;
  prometheus::Family<prometheus::Counter>& rooms_moved_by_drain_;
  prometheus::Gauge& rooms_;
  prometheus::Gauge& users_;
  prometheus::Gauge& free_slots_;
  prometheus::Histogram& placement_seconds_;
  prometheus::Histogram& fleet_start_seconds_;
  metrics::FollowedCounter placed_, waiting_, no_capacity_, replaced_;
  metrics::FollowedCounter scaled_out_, scaled_in_;
  metrics::FollowedCounter freed_never_joined_, freed_emptied_;
  metrics::FollowedCounter stopped_answering_, start_timed_out_, probe_failed_;
  metrics::FollowedCounter drains_begun_, drains_for_defrag_, drains_done_, drains_cancelled_,
      drains_abandoned_;
  metrics::FollowedCounter rooms_moved_, rooms_left_;
};

}  // namespace chat
