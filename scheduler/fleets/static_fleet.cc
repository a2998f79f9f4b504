#include "scheduler/fleets/static_fleet.h"

namespace sched {

std::vector<RunningServer> StaticFleet::running_servers() const {
  std::vector<RunningServer> servers;
  for (const auto& host : hosts_) servers.push_back({host, host});
  return servers;
}

AutoscalerConfig StaticFleet::autoscaler_config(AutoscalerConfig config) const {
  config.min_servers = static_cast<int>(hosts_.size());
  config.max_servers = static_cast<int>(hosts_.size());
  return config;
}

}  // namespace sched
