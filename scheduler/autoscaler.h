// How many servers to run: the rules, as pure functions of the fleet's
// numbers, so they can be read and tested apart from the bookkeeping.
#pragma once

#include <optional>

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
  // Defragmentation: tick asks for a ready server holding 1 to
  // defrag_max_rooms rooms to be drained (FleetActions::drain) when its rooms
  // fit into the free slots of the other ready servers while spare_room_slots
  // and min_servers still hold, so that the fleet needs one server fewer.
  // 0: off. Packing policies (best-fit) leave few such servers; spreading
  // ones (least-loaded, random) leave many, each room moved costs its users
  // a reconnect, so keep it small.
  int defrag_max_rooms = 0;
  // At most one defragmenting drain begins per interval, and none while any
  // drain is in flight, so the moved rooms settle before the next choice.
  Millis defrag_interval{std::chrono::minutes(1)};
};

struct FleetNumbers {
  int live_servers = 0;            // starting, ready and draining
  int starting_or_ready = 0;       // the ones min_servers counts
  long long free_slots = 0;        // on ready and starting servers
  long long free_slots_ready = 0;  // on ready servers alone
  // Rooms on servers whose drain was asked for and not yet confirmed: each
  // will need a slot elsewhere, so they are counted against the free slots.
  int rooms_to_move = 0;
  int drains_in_flight = 0;
};

// Servers to start now so that min_servers and the spare slots are met,
// never going past max_servers.
int servers_to_start(const AutoscalerConfig& config, const FleetNumbers& fleet,
                     int room_capacity_per_server);

// Whether one idle ready server (of `capacity` slots) may be stopped now.
bool may_stop_idle_server(const AutoscalerConfig& config, const FleetNumbers& fleet, int capacity);

// Whether the defrag policy may begin a drain now: it is on, no drain is in
// flight, and defrag_interval has passed since the last one it began
// (`since_last_defrag` nullopt: it never began one).
bool defrag_due(const AutoscalerConfig& config, const FleetNumbers& fleet,
                std::optional<Millis> since_last_defrag);

// Whether draining one ready server holding `rooms` rooms of `capacity`
// slots saves a server: it holds at least one room and at most
// defrag_max_rooms, min_servers still holds without it, its rooms fit into
// the free slots of the other ready servers (no server started for them),
// and the spare slots still hold once they are there.
bool may_drain_to_defragment(const AutoscalerConfig& config, const FleetNumbers& fleet, int rooms,
                             int capacity);

}  // namespace sched
