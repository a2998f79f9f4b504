// The seed's static fleet: a fixed list of session servers from
// SESSION_SERVER_HOST ("localhost:8000" or "h1:p1,h2:p2"). It never starts or
// stops anything; each server's id is its host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scheduler/fleet_provider.h"

namespace sched {

struct AutoscalerConfig;

class StaticFleet final : public FleetProvider {
 public:
  // Blank entries and surrounding spaces are ignored; duplicates kept once.
  explicit StaticFleet(std::string_view comma_separated_hosts);

  const std::vector<std::string>& hosts() const { return hosts_; }

  std::optional<ServerId> start_server() override { return std::nullopt; }
  void stop_server(const ServerId&) override {}

  // Min and max servers both equal to the list's length, so that the
  // autoscaler never tries to stop (or start) a static server.
  AutoscalerConfig autoscaler_config() const;

 private:
  std::vector<std::string> hosts_;
};

}  // namespace sched
