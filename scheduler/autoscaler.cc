#include "scheduler/autoscaler.h"

#include <algorithm>

namespace sched {

int servers_to_start(const AutoscalerConfig& config, const FleetNumbers& fleet,
                     int room_capacity_per_server) {
  const int capacity = std::max(1, room_capacity_per_server);
  const long long missing_slots = std::max(0LL, config.spare_room_slots - fleet.free_slots);
  const int for_spare = static_cast<int>((missing_slots + capacity - 1) / capacity);
  const int for_min = std::max(0, config.min_servers - fleet.starting_or_ready);
  const int room_left = std::max(0, config.max_servers - fleet.live_servers);
  return std::min(std::max(for_spare, for_min), room_left);
}

bool may_stop_idle_server(const AutoscalerConfig& config, const FleetNumbers& fleet, int capacity) {
  if (fleet.starting_or_ready <= config.min_servers) return false;
  // Stopping must not drop below the spare slots, or the next tick would start
  // a server again: flapping.
  return fleet.free_slots - capacity >= config.spare_room_slots;
}

}  // namespace sched
