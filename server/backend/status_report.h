// A session server's GET /status answer (docs/PROTOCOL.md), parsed into what
// the scheduler follows. The body comes over the network: anything that is
// not the documented shape is an error value saying what is wrong.
#pragma once

#include <string_view>

#include "network/result.h"
#include "scheduler/scheduler.h"

namespace chat {

// {"host": "h:p", "draining": false, "rooms": [{"roomId": "r", "users": 3}, ...]}
// (other fields are ignored). User counts must be whole numbers from 0 up.
network::Result<sched::StatusReport> parse_status_report(std::string_view body);

}  // namespace chat
