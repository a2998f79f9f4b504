// How the control plane is set up: the scheduler's settings, what the fleet
// can do (typed capabilities, never a fleet's display name), and the
// timings of its own decisions.
#pragma once

#include <functional>
#include <string>

#include "scheduler/fleet_capabilities.h"
#include "scheduler/scheduler.h"

namespace core {

using FleetCapabilities = sched::FleetCapabilities;

struct ControlOptions {
  sched::SchedulerConfig scheduler;
  FleetCapabilities fleet;
  // Names the servers this core starts: never a name the fleet used before
  // (ManagedFleet::next_server_id). Unset: "server-<n>", for simulations.
  std::function<sched::ServerId()> server_ids;
  // A shared control store: the directory of rooms, the fleet's members and
  // the lease. Without it this core is the only one and holds the fleet.
  bool replicated = false;
  // How long a request may wait for a starting server before 503.
  sched::Millis start_wait_max{20'000};
  // The least time between two failover probes of one server.
  sched::Millis probe_interval_min{500};
  // Servers tried for one new room when each refuses its reservation.
  int placement_attempts = 3;
};

}  // namespace core
