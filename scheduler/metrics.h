// What the scheduler counts, as plain numbers the backend exports (to
// Prometheus or anything else) and the simulator reports. Counters only grow;
// gauges are recomputed on each read.
#pragma once

#include <cstdint>
#include <string>

namespace sched {

struct PlacementCounters {
  std::uint64_t placed = 0;       // on a ready server
  std::uint64_t waiting = 0;      // on a starting server
  std::uint64_t no_capacity = 0;  // fleet full and at max
};

struct SchedulerMetrics {
  std::string policy;
  PlacementCounters create;  // create_room results
  // Rooms moved off a gone or draining server on lookup, or off a server
  // that never started.
  PlacementCounters replace;

  std::uint64_t servers_started = 0;       // scale-out events
  std::uint64_t servers_stopped_idle = 0;  // scale-in events
  std::uint64_t servers_start_timed_out = 0;
  std::uint64_t servers_declared_gone = 0;  // after failed polls
  std::uint64_t servers_revived = 0;        // gone, then reported again
  // At once, by mark_gone: a probe the backend made when a client reported
  // the server unreachable failed.
  std::uint64_t servers_marked_gone_by_probe = 0;

  std::uint64_t rooms_freed_never_joined = 0;  // join deadline passed
  std::uint64_t rooms_freed_emptied = 0;       // 0 users, or no longer reported
  std::uint64_t rooms_adopted = 0;             // reported, unknown to the table
  std::uint64_t rooms_orphans_dropped = 0;     // on a gone server, never looked up
  // Drains asked for by begin_drain (operator or autoscaler): begun = done +
  // cancelled + abandoned + in flight (servers_drain_requested).
  std::uint64_t drains_begun = 0;
  std::uint64_t drains_for_defrag = 0;     // of drains_begun, by the autoscaler's defrag policy
  std::uint64_t drains_done = 0;           // on_drained
  std::uint64_t drains_cancelled = 0;      // cancel_drain
  std::uint64_t drains_abandoned = 0;      // the server was declared gone mid-drain
  std::uint64_t rooms_moved_by_drain = 0;  // placed elsewhere by on_drained
  // No slot anywhere (fleet at max) at on_drained: left on the stopped
  // server, to be placed on look-up like a gone server's rooms.
  std::uint64_t rooms_left_by_drain = 0;

  // A report from an unknown or stopped server, or a reported room the
  // table does not follow (another server holds it, or no slot is left).
  std::uint64_t reports_ignored = 0;

  // Gauges.
  int servers_starting = 0;
  int servers_ready = 0;
  int servers_draining = 0;
  int servers_drain_requested = 0;  // of servers_draining: asked, not confirmed yet
  int servers_gone = 0;  // declared dead after failed polls, remembered in case they answer
  int rooms = 0;
  int rooms_placed = 0;
  int rooms_active = 0;
  int users = 0;
  long long free_slots_ready = 0;
};

}  // namespace sched
