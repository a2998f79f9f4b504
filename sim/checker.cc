#include "sim/checker.h"

namespace sim {

std::string check_scheduler(const sched::Scheduler& scheduler) {
  std::string broken;
  for (const std::string& violation : scheduler.check_invariants()) {
    broken += (broken.empty() ? "" : "; ") + violation;
  }
  return broken;
}

std::string check_fleet(const SimFleet& fleet) {
  if (fleet.users_lost_to_stops() > 0) {
    return "the scheduler stopped servers holding " + std::to_string(fleet.users_lost_to_stops()) +
           " users";
  }
  int in_use = 0;
  for (std::uint32_t i = 0; i < fleet.size(); ++i) {
    const SimServer& server = fleet.at(i);
    if (server.phase == ServerPhase::starting || server.phase == ServerPhase::running) ++in_use;
    if (static_cast<int>(server.rooms.size()) > fleet.config().rooms_per_server_max) {
      return server.id + " holds " + std::to_string(server.rooms.size()) + " rooms";
    }
    if (server.status().rooms.size() != server.rooms.size()) {
      return server.id + ": status lists " + std::to_string(server.status().rooms.size()) +
             " rooms, the server holds " + std::to_string(server.rooms.size());
    }
    for (const sched::RoomReport& room : server.status().rooms) {
      if (room.users > fleet.config().users_per_room_max || room.users <= 0) {
        return server.id + " room " + room.room_id + " has " + std::to_string(room.users) +
               " users";
      }
    }
  }
  if (in_use != fleet.servers_in_use()) return "servers-in-use counter drifted";
  return {};
}

std::string check_lower_bound(int servers_in_use, int lower_bound) {
  if (servers_in_use >= lower_bound) return {};
  return std::to_string(servers_in_use) + " servers in use, below the lower bound of " +
         std::to_string(lower_bound);
}

std::string check_join_accounting(const RunReport& report, int users_waiting) {
  const std::uint64_t settled = report.joins_accepted + report.joins_refused_total() +
                                report.joins_cancelled + static_cast<std::uint64_t>(users_waiting);
  if (settled == report.joins) return {};
  return std::to_string(report.joins) + " joins, but " + std::to_string(settled) +
         " accepted, refused, cancelled or waiting";
}

}  // namespace sim
