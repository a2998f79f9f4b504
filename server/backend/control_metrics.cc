#include "server/backend/control_metrics.h"

#include "metrics/families.h"

namespace chat {
ControlMetrics::ControlMetrics(prometheus::Registry& registry)
    : reservation_results_(
          metrics::counter_family(registry, "chat_backend_reservations_total",
                                  "Reservations asked of session servers for new rooms, by "
                                  "result (reserved, refused, unsupported, failed).")),
      directory_reads_(
          metrics::counter_family(registry, "chat_backend_directory_reads_total",
                                  "Look-ups of rooms this backend's table lacked, in the shared "
                                  "directory, by result (found, absent, down).")),
      failover_probes_(
          metrics::counter_family(registry, "chat_backend_failover_probes_total",
                                  "Session servers checked at once because a client could not "
                                  "reach them, by result.")),
      failover_probes_skipped_(metrics::counter_family(
          registry, "chat_backend_failover_probes_skipped_total",
          "Look-ups naming an unreachable host that started no probe: in_flight (they "
          "waited for the one running), too_soon (the server was probed just before).")),
      lease_held_(
          metrics::gauge(registry, "chat_backend_fleet_lease_held",
                         "1 while this backend holds the fleet lease (runs the autoscaler), "
                         "else 0.")),
      lease_token_(metrics::gauge(registry, "chat_backend_fleet_lease_fencing_token",
                                  "The fencing token of the fleet lease's current holder, as this "
                                  "backend last saw it (0: unknown).")),
      lease_acquisitions_(metrics::counter_family(registry,
                                                  "chat_backend_fleet_lease_acquisitions_total",
                                                  "Times this backend took the fleet lease.")
                              .Add({})) {
  // Both labels exist from the start, so rate() has a series to work on.
  for (const char* result : {"alive", "unreachable"}) failover_probes_.Add({{"result", result}});
  for (const char* reason : {"in_flight", "too_soon"}) {
    failover_probes_skipped_.Add({{"reason", reason}});
  }
}

void ControlMetrics::count(const core::Count& effect) {
  switch (effect.counter) {
    case core::Counter::reservations:
      return reservation_results_.Add({{"result", effect.label}}).Increment();
    case core::Counter::directory_reads:
      return directory_reads_.Add({{"result", effect.label}}).Increment();
    case core::Counter::failover_probes:
      return failover_probes_.Add({{"result", effect.label}}).Increment();
    case core::Counter::failover_probes_skipped:
      return failover_probes_skipped_.Add({{"reason", effect.label}}).Increment();
    case core::Counter::lease_acquisitions:
      return lease_acquisitions_.Increment();
  }
}

}  // namespace chat
