#include "scheduler/fleets/static_fleet.h"

namespace sched {

std::vector<RunningServer> StaticFleet::running_servers() const {
  std::vector<RunningServer> servers;
  for (std::size_t i = 0; i < hosts_.size(); ++i) {
    servers.push_back({hosts_[i], hosts_[i], i < admin_hosts_.size() ? admin_hosts_[i] : ""});
  }
  return servers;
}

AutoscalerConfig StaticFleet::autoscaler_config(AutoscalerConfig config) const {
  config.min_servers = static_cast<int>(hosts_.size());
  config.max_servers = static_cast<int>(hosts_.size());
  return config;
}

}  // namespace sched
