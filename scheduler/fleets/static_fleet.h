// The seed's static fleet: a fixed list of session servers from
// SESSION_SERVER_HOST ("localhost:8000" or "h1:p1,h2:p2"). It never starts or
// stops anything; each server's id is its host.
#pragma once

#include <string>
#include <vector>

#include "scheduler/fleets/managed_fleet.h"

namespace sched {

class StaticFleet final : public ManagedFleet {
 public:
  // `hosts` as parse_host_list gives them: valid and distinct. `admin_hosts`:
  // each one's operators' listener, in the same order, or none at all.
  explicit StaticFleet(std::vector<std::string> hosts, std::vector<std::string> admin_hosts = {})
      : hosts_(std::move(hosts)), admin_hosts_(std::move(admin_hosts)) {}

  const std::vector<std::string>& hosts() const { return hosts_; }

  ServerId next_server_id() override { return {}; }
  bool start_server(const ServerId&) override { return false; }
  void stop_server(const ServerId&) override {}
  void set_callbacks(Ready, Failed) override {}  // nothing ever starts
  FleetCapabilities capabilities() const override {
    FleetCapabilities capabilities;
    capabilities.restarts_in_place = true;  // its hosts are fixed: restarted where they are
    return capabilities;
  }
  std::string name() const override { return "static"; }
  std::vector<RunningServer> running_servers() const override;

  // Min and max servers both equal to the list's length, so that the
  // autoscaler never tries to stop (or start) a static server.
  AutoscalerConfig autoscaler_config(AutoscalerConfig asked) const override;

 private:
  std::vector<std::string> hosts_;
  std::vector<std::string> admin_hosts_;
};

}  // namespace sched
