// The checker: what must hold at every step, whatever the policy. Each
// function returns an empty string when all is well, else what is broken.
#pragma once

#include <string>

#include "scheduler/scheduler.h"
#include "sim/run_report.h"
#include "sim/sim_fleet.h"

namespace sim {

// The scheduler's own invariants (its indexes agree with its table).
std::string check_scheduler(const sched::Scheduler& scheduler);

// The servers as they really are: limits held, no users lost to a stop.
std::string check_fleet(const SimFleet& fleet);

// Servers in use can never be fewer than ceil(active rooms / rooms per
// server): every active room sits on a server in use, at most that many a
// server. (Crashes break the premise, so the caller checks only without.)
std::string check_lower_bound(int servers_in_use, int lower_bound);

// Nothing vanishes: every join was accepted, refused with a reason,
// cancelled by its user, or is still waiting.
std::string check_join_accounting(const RunReport& report, int users_waiting);

}  // namespace sim
