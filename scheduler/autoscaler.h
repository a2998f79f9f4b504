// How many servers to run: the rules, as pure functions of the fleet's
// numbers, so they can be read and tested apart from the bookkeeping.
#pragma once

#include "scheduler/types.h"

namespace sched {

struct AutoscalerConfig {
  int min_servers = 0;  // kept running (starting or ready) even when idle
  int max_servers = 100;
  // Free room slots to keep on ready and starting servers. 0: start a server
  // only when a room finds no free slot anywhere (on demand, in create_room).
  // N > 0: tick starts servers ahead so that at least N slots stay free.
  int spare_room_slots = 0;
  // A ready server with no rooms for this long is drained and stopped, as long
  // as that leaves min_servers and spare_room_slots.
  Millis idle_before_stop{std::chrono::minutes(5)};
  // A server still starting after this long is given up: its waiting rooms
  // are placed again at once (their clients are polling), the fleet is asked
  // to stop it, and it is forgotten.
  Millis start_timeout{std::chrono::minutes(3)};
};

struct FleetNumbers {
  int live_servers = 0;       // starting, ready and draining
  int starting_or_ready = 0;  // the ones min_servers counts
  long long free_slots = 0;   // on ready and starting servers
};

// Servers to start now so that min_servers and the spare slots are met,
// never going past max_servers.
int servers_to_start(const AutoscalerConfig& config, const FleetNumbers& fleet,
                     int room_capacity_per_server);

// Whether one idle ready server (of `capacity` slots) may be stopped now.
bool may_stop_idle_server(const AutoscalerConfig& config, const FleetNumbers& fleet, int capacity);

}  // namespace sched
