#include "server/backend/scheduler_exporter.h"

#include "metrics/families.h"
#include "metrics/metrics.h"

namespace chat {

SchedulerExporter::SchedulerExporter(prometheus::Registry& registry, const std::string& policy)
    : placements_(metrics::counter_family(registry, "chat_scheduler_placements_total",
                                          "Room placements, by policy and result.")),
      servers_(metrics::gauge_family(registry, "chat_scheduler_servers",
                                     "Session servers known to the scheduler, by state.")),
      scale_events_(
          metrics::counter_family(registry, "chat_scheduler_scale_events_total",
                                  "Session servers started (out) and stopped when idle (in).")),
      rooms_freed_(metrics::counter_family(registry, "chat_scheduler_rooms_freed_total",
                                           "Room slots freed, by reason.")),
      server_failures_(
          metrics::counter_family(registry, "chat_scheduler_server_failures_total",
                                  "Session servers lost: declared gone after failed status polls "
                                  "(stopped_answering), at once when a client could not reach one "
                                  "and a probe failed (probe_failed), or never ready in time "
                                  "(start_timed_out).")),
      drains_(metrics::counter_family(
          registry, "chat_scheduler_drains_total",
          "Drains of session servers: begun (by an operator or the autoscaler), "
          "begun_for_defrag (of those, by the autoscaler), done (the server handed "
          "its rooms over and was stopped), cancelled (it could not drain), "
          "abandoned (it was lost mid-drain).")),
      rooms_moved_by_drain_(
          metrics::counter_family(registry, "chat_scheduler_drained_rooms_total",
                                  "Rooms of drained servers: moved (placed elsewhere), left "
                                  "(no slot anywhere: placed on their next look-up).")),
      rooms_(
          metrics::gauge_family(registry, "chat_scheduler_rooms", "Rooms in the scheduler's table.")
              .Add({})),
      users_(metrics::gauge_family(registry, "chat_scheduler_users",
                                   "Users in rooms, as the session servers report them.")
                 .Add({})),
      free_slots_(metrics::gauge_family(registry, "chat_scheduler_free_room_slots",
                                        "Free room slots on ready session servers.")
                      .Add({})),
      placement_seconds_(
          metrics::histogram_family(registry, "chat_scheduler_placement_seconds",
                                    "Time to place a room, including waiting for a server.")
              .Add({{"policy", policy}}, metrics::latency_buckets())),
      fleet_start_seconds_(
          metrics::histogram_family(registry, "chat_scheduler_fleet_start_seconds",
                                    "Time from asking the fleet for a server to it being ready.")
              .Add({}, metrics::latency_buckets())),
      placed_(placements_.Add({{"policy", policy}, {"result", "placed"}})),
      waiting_(placements_.Add({{"policy", policy}, {"result", "waiting"}})),
      no_capacity_(placements_.Add({{"policy", policy}, {"result", "no_capacity"}})),
      replaced_(placements_.Add({{"policy", policy}, {"result", "replaced"}})),
      scaled_out_(scale_events_.Add({{"direction", "out"}})),
      scaled_in_(scale_events_.Add({{"direction", "in"}})),
      freed_never_joined_(rooms_freed_.Add({{"reason", "never_joined"}})),
      freed_emptied_(rooms_freed_.Add({{"reason", "emptied"}})),
      stopped_answering_(server_failures_.Add({{"reason", "stopped_answering"}})),
      start_timed_out_(server_failures_.Add({{"reason", "start_timed_out"}})),
      probe_failed_(server_failures_.Add({{"reason", "probe_failed"}})),
      drains_begun_(drains_.Add({{"event", "begun"}})),
      drains_for_defrag_(drains_.Add({{"event", "begun_for_defrag"}})),
      drains_done_(drains_.Add({{"event", "done"}})),
      drains_cancelled_(drains_.Add({{"event", "cancelled"}})),
      drains_abandoned_(drains_.Add({{"event", "abandoned"}})),
      rooms_moved_(rooms_moved_by_drain_.Add({{"result", "moved"}})),
      rooms_left_(rooms_moved_by_drain_.Add({{"result", "left"}})) {}

void SchedulerExporter::update(const sched::SchedulerMetrics& m) {
  placed_.sync(m.create.placed);
  waiting_.sync(m.create.waiting);
  no_capacity_.sync(m.create.no_capacity);
  replaced_.sync(m.replace.placed + m.replace.waiting);
  scaled_out_.sync(m.servers_started);
  scaled_in_.sync(m.servers_stopped_idle);
  freed_never_joined_.sync(m.rooms_freed_never_joined);
  freed_emptied_.sync(m.rooms_freed_emptied);
  stopped_answering_.sync(m.servers_declared_gone);
  start_timed_out_.sync(m.servers_start_timed_out);
  probe_failed_.sync(m.servers_marked_gone_by_probe);
  drains_begun_.sync(m.drains_begun);
  drains_for_defrag_.sync(m.drains_for_defrag);
  drains_done_.sync(m.drains_done);
  drains_cancelled_.sync(m.drains_cancelled);
  drains_abandoned_.sync(m.drains_abandoned);
  rooms_moved_.sync(m.rooms_moved_by_drain);
  rooms_left_.sync(m.rooms_left_by_drain);
  servers_.Add({{"state", "starting"}}).Set(m.servers_starting);
  servers_.Add({{"state", "ready"}}).Set(m.servers_ready);
  servers_.Add({{"state", "draining"}}).Set(m.servers_draining);
  servers_.Add({{"state", "gone"}}).Set(m.servers_gone);
  rooms_.Set(m.rooms);
  users_.Set(m.users);
  free_slots_.Set(static_cast<double>(m.free_slots_ready));
}

}  // namespace chat
