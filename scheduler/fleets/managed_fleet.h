// A fleet the backend runs: it starts and stops the servers the control
// plane asks for (control/effects.h: StartServer, StopServer), names them,
// lists the servers it has from the start (a static list) and tells the
// backend when a server it asked for is ready (with its host) or failed to
// come up. start_server/stop_server return at once; the callbacks come
// later, from the io_context's threads.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "scheduler/autoscaler.h"
#include "scheduler/fleet_capabilities.h"
#include "scheduler/types.h"

namespace sched {

struct RunningServer {
  ServerId id;
  std::string host;  // "h:p", where clients connect
  // "h:p" of its operators' listener (/status, /metrics); empty when unknown,
  // and then operators ask `host` with the admin token, if there is one.
  std::string admin_host;
  long long pid = 0;  // the process, when the fleet runs it on this machine (local)
};

class ManagedFleet {
 public:
  virtual ~ManagedFleet() = default;
  // A name for the next server: never one this fleet used before, nor one
  // of the servers it adopted. No I/O.
  virtual ServerId next_server_id() = 0;
  // Starts server `id` (a name from next_server_id). False when it cannot
  // now (the reason is logged): the server counts as failed to start.
  virtual bool start_server(const ServerId& id) = 0;
  virtual void stop_server(const ServerId& id) = 0;
  using Ready = std::function<void(const RunningServer&)>;
  using Failed = std::function<void(const ServerId&, const std::string& why)>;

  // Called once, before the first start_server.
  virtual void set_callbacks(Ready ready, Failed failed) = 0;
  // What this kind of fleet can do: what the control plane decides by.
  virtual FleetCapabilities capabilities() const = 0;
  // "static", "local", "hathora": for logs and GET /api/fleet, never behaviour.
  virtual std::string name() const = 0;
  // Servers that exist before anything is started (a static list's hosts).
  virtual std::vector<RunningServer> running_servers() const { return {}; }
  // The autoscaler's settings this fleet can honour, given those asked for
  // (a static list pins the fleet's size).
  virtual AutoscalerConfig autoscaler_config(AutoscalerConfig asked) const { return asked; }
  // Stops every server this fleet started (backend shutdown, when asked).
  virtual void stop_all() {}
  // Lets go of every server without stopping it (a backend that exits while
  // its servers keep running, to be adopted by the next one).
  virtual void leave_running() {}
  // Takes in a server this backend did not start (its previous run's, or
  // another replica's before this one took the fleet lease), so it can be
  // stopped later. False when this fleet cannot (static, hathora) or the
  // server is not running.
  virtual bool adopt(const RunningServer& server) {
    (void)server;
    return false;
  }
};

}  // namespace sched
