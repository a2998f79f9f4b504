#include "scheduler/autoscaler.h"

#include <algorithm>

namespace sched {

int servers_to_start(const AutoscalerConfig& config, const FleetNumbers& fleet,
                     int room_capacity_per_server) {
  const int capacity = std::max(1, room_capacity_per_server);
  const long long free_slots = fleet.free_slots - fleet.rooms_to_move;
  const long long missing_slots = std::max(0LL, config.spare_room_slots - free_slots);
  const int for_spare = static_cast<int>((missing_slots + capacity - 1) / capacity);
  const int for_min = std::max(0, config.min_servers - fleet.starting_or_ready);
  const int room_left = std::max(0, config.max_servers - fleet.live_servers);
  return std::min(std::max(for_spare, for_min), room_left);
}

bool may_stop_idle_server(const AutoscalerConfig& config, const FleetNumbers& fleet, int capacity) {
  if (fleet.starting_or_ready <= config.min_servers) return false;
  // Stopping must not drop below the spare slots, or the next tick would start
  // a server again: flapping.
  return fleet.free_slots - fleet.rooms_to_move - capacity >= config.spare_room_slots;
}

bool defrag_due(const AutoscalerConfig& config, const FleetNumbers& fleet,
                std::optional<Millis> since_last_defrag) {
  if (config.defrag_max_rooms <= 0 || fleet.drains_in_flight > 0) return false;
  return !since_last_defrag || *since_last_defrag >= config.defrag_interval;
}

bool may_drain_to_defragment(const AutoscalerConfig& config, const FleetNumbers& fleet, int rooms,
                             int capacity) {
  if (rooms < 1 || rooms > config.defrag_max_rooms) return false;
  if (fleet.starting_or_ready <= config.min_servers) return false;
  // The server's own free slots are among the ready ones; they go with it.
  const long long free_elsewhere =
      fleet.free_slots_ready - fleet.rooms_to_move - (capacity - rooms);
  if (free_elsewhere < rooms) return false;
  // Its slots leave the fleet and its rooms take others': as for an idle
  // server, the spare slots must hold afterwards or the next tick would
  // start a server again (flapping).
  return fleet.free_slots - fleet.rooms_to_move - capacity >= config.spare_room_slots;
}

}  // namespace sched
