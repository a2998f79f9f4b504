#include "scheduler/static_fleet.h"

#include <algorithm>

#include "scheduler/autoscaler.h"

namespace sched {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

StaticFleet::StaticFleet(std::string_view comma_separated_hosts) {
  while (!comma_separated_hosts.empty()) {
    const auto comma = comma_separated_hosts.find(',');
    const std::string_view host = trim(comma_separated_hosts.substr(0, comma));
    if (!host.empty() && std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) {
      hosts_.emplace_back(host);
    }
    if (comma == std::string_view::npos) break;
    comma_separated_hosts.remove_prefix(comma + 1);
  }
}

AutoscalerConfig StaticFleet::autoscaler_config() const {
  AutoscalerConfig config;
  config.min_servers = static_cast<int>(hosts_.size());
  config.max_servers = static_cast<int>(hosts_.size());
  return config;
}

}  // namespace sched
