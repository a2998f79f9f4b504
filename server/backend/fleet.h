// A fleet the backend runs: the scheduler's FleetProvider, plus a way to
// tell the backend when a server it asked for is ready (with its host) or
// failed to come up. start_server/stop_server return at once; the callbacks
// come later, from the io_context's threads.
#pragma once

#include "scheduler/fleet_provider.h"

#include <functional>
#include <string>

namespace chat {

class ManagedFleet : public sched::FleetProvider {
 public:
  using Ready = std::function<void(const sched::ServerId&, const std::string& host)>;
  using Failed = std::function<void(const sched::ServerId&, const std::string& why)>;

  virtual void set_callbacks(Ready ready, Failed failed) = 0;
  virtual std::string name() const = 0;
  // Stops every server this fleet started (backend shutdown).
  virtual void stop_all() {}
};

}  // namespace chat
