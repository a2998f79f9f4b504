// Test helpers: a fleet that hands out ids and remembers what it was asked.
#pragma once

#include <string>
#include <vector>

#include "scheduler/fleet_provider.h"
#include "scheduler/scheduler.h"

namespace sched::testing {

class FakeFleet final : public FleetProvider {
 public:
  std::optional<ServerId> start_server() override {
    if (refuse_starts) return std::nullopt;
    started.push_back("s" + std::to_string(++next_id_));
    return started.back();
  }
  void stop_server(const ServerId& id) override { stopped.push_back(id); }

  // Host for a server id this fleet started: "s3" -> "10.0.0.3:8000".
  static std::string host_of(const ServerId& id) { return "10.0.0." + id.substr(1) + ":8000"; }

  bool refuse_starts = false;
  std::vector<ServerId> started;
  std::vector<ServerId> stopped;

 private:
  int next_id_ = 0;
};

inline Millis seconds(long long s) { return Millis{s * 1000}; }

}  // namespace sched::testing
