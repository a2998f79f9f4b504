// Where session servers come from. The interface does no I/O itself: an
// implementation may spawn a process or call a cloud API, but start_server must
// return at once with the new server's id; the server's readiness (and its
// host) arrives later through Scheduler::on_server_started or its first status
// report. The scheduler calls these from create_room and tick.
#pragma once

#include <optional>

#include "scheduler/types.h"

namespace sched {

class FleetProvider {
 public:
  virtual ~FleetProvider() = default;
  // Asks for one more server. nullopt when this fleet cannot start one (a
  // static list, a cloud quota): the scheduler then answers no_capacity.
  virtual std::optional<ServerId> start_server() = 0;
  // Asks a server to stop. The scheduler only asks for idle servers, for
  // servers whose drain the session server confirmed (Scheduler::on_drained:
  // their clients are closed and their history stored; rooms that found no
  // other slot stay in the table, to be placed on look-up), or for servers
  // that never became ready in time.
  virtual void stop_server(const ServerId& id) = 0;
};

}  // namespace sched
