// One fault-exploration run's setup, drawn from its seed: how many
// replicas of the control core, what the fleet can do, the scheduler's
// settings, the executor's timeouts, the clients, and how often each kind
// of fault strikes. Drawn rather than given, so that each seed explores
// another corner; printed with a failure, so the corner can be read
// without running it again.
#pragma once

#include <cstdint>
#include <string>

#include "control/options.h"

namespace sim::explore {

// The kinds of fleet the backend runs (scheduler/fleets): what the world's
// fleet does follows from the capabilities each one declares.
enum class FleetKind : std::uint8_t {
  local,         // started and stopped on demand, processes adoptable by pid
  cloud,         // started and stopped on demand, nothing to adopt
  static_hosts,  // a fixed list, restarted in place when they crash
};

// Faults the world commits on purpose when told to, so that a test shows
// the checker notices each kind (a checker that sees nothing passes too).
struct PlantedFaults {
  bool server_exceeds_limit = false;            // (a): reservations admitted past the limit
  bool store_accepts_stale_token = false;       // (d): fenced writes under an old token
  bool server_reserves_while_draining = false;  // (e)
  bool any() const {
    return server_exceeds_limit || store_accepts_stale_token || server_reserves_while_draining;
  }
};

// How often things go wrong while the run is busy; none once it is quiet.
struct FaultRates {
  double start_failure_share = 0;  // of server starts
  double crashes_per_server_minute = 0;
  // Of the calls to session servers: half lose the request (nothing
  // happens), half the answer (it happened). The store fails in outages.
  double call_loss_share = 0;
  double call_late_share = 0;  // answered after the caller's timeout (it happened)
  double store_outages_per_minute = 0;
  std::int64_t store_outage_ms_max = 0;
  double pauses_per_replica_minute = 0;
  // Up to several leases long: a holder that resumes believing it still
  // holds the lease, until it is told otherwise.
  std::int64_t pause_ms_max = 0;
};

// The executor's timings (server/backend: PlacementOptions, the lease,
// the Redis client) and the network's.
struct ExecutorTimings {
  std::int64_t tick_interval_ms = 1'000;
  std::int64_t lease_ttl_ms = 3'000;  // renewed every third of it
  std::int64_t poll_timeout_ms = 800;
  std::int64_t probe_timeout_ms = 500;
  std::int64_t reserve_timeout_ms = 1'000;
  std::int64_t drain_timeout_ms = 30'000;
  std::int64_t store_timeout_ms = 1'000;
  std::int64_t latency_ms_max = 20;  // one way, uniform from 1
};

// The session servers as processes.
struct ServerTimings {
  std::int64_t start_delay_ms_min = 1'000;
  std::int64_t start_delay_ms_max = 5'000;
  std::int64_t drain_confirm_ms = 500;  // clients closed, history stored
  std::int64_t empty_room_ttl_ms = 10'000;
  std::int64_t restart_delay_ms_max = 5'000;  // static hosts, after a crash
};

struct ClientSettings {
  int clients = 10;           // users coming and going at once
  double create_share = 0.4;  // of arrivals, those that create a room
  std::int64_t think_ms_mean = 5'000;
  std::int64_t stay_ms_mean = 60'000;
  std::int64_t reconnect_delay_ms = 1'000;
  int unjoined_rooms_max = 0;     // the cap a creation asks for; 0: none
  int lookups_per_room_max = 12;  // then the client gives the room up
  double operator_drains_per_minute = 0;
};

struct ExploreConfig {
  std::uint64_t seed = 0;
  int replicas = 1;
  FleetKind fleet = FleetKind::local;
  int static_servers = 0;  // static_hosts: the list's length
  // The core's options; `server_ids` is the world's (a shared counter).
  core::ControlOptions control;
  ExecutorTimings executor;
  ServerTimings servers;
  ClientSettings clients;
  FaultRates faults;
  PlantedFaults planted;
  // Faults strike and clients arrive while busy; then nothing new starts
  // for `quiet_ms`, and replicas must agree on every room with members.
  std::int64_t busy_ms = 10 * 60'000;
  std::int64_t quiet_ms = 0;
  // The look-ups that compare the replicas' answers, at the quiet phase's
  // end, have this long to be answered.
  std::int64_t convergence_window_ms = 0;

  std::int64_t end_ms() const { return busy_ms + quiet_ms + convergence_window_ms; }
  std::int64_t convergence_at_ms() const { return busy_ms + quiet_ms; }
};

// The configuration seed `seed` explores, with `busy_ms` of workload and faults.
ExploreConfig draw_config(std::uint64_t seed, std::int64_t busy_ms);

// One line for a failure report: replicas, fleet, limits, fault rates.
std::string describe(const ExploreConfig& config);

}  // namespace sim::explore
