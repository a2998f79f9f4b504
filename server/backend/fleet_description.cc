#include "server/backend/fleet_description.h"

namespace chat {
namespace {

boost::json::array describe_servers(const core::ControlCore& core) {
  boost::json::array servers;
  for (const auto& server : core.scheduler().servers()) {
    servers.push_back({{"id", server.id},
                       {"host", server.host},
                       {"adminHost", core.admin_host(server.id, server.host)},
                       {"state", sched::to_string(server.state)},
                       {"drainRequested", server.drain_requested},
                       {"rooms", server.rooms},
                       {"roomCapacity", server.room_capacity},
                       {"users", server.users}});
  }
  return servers;
}

boost::json::array describe_drains(const core::ControlCore& core) {
  boost::json::array drains;
  for (const auto& drain : core.drains()) {
    boost::json::object entry{{"serverId", drain.server_id},
                              {"by", drain.by},
                              {"state", drain.state},
                              {"rooms", drain.rooms},
                              {"unstored", drain.unstored}};
    boost::json::array moved;
    for (const auto& room : drain.moved) moved.emplace_back(room);
    entry["moved"] = std::move(moved);
    if (!drain.error.empty()) entry["error"] = drain.error;
    drains.push_back(std::move(entry));
  }
  return drains;
}

}  // namespace

boost::json::object describe_fleet(const core::ControlCore& core, const std::string& fleet_name,
                                   boost::json::object lease) {
  const auto figures = core.scheduler().metrics();
  return {{"policy", figures.policy},
          {"fleet", fleet_name},
          {"rooms", figures.rooms},
          {"users", figures.users},
          {"servers", describe_servers(core)},
          {"drains", describe_drains(core)},
          {"lease", std::move(lease)}};
}

}  // namespace chat
