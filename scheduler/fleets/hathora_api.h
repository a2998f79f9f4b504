// What the hathora fleet reads from Hathora Cloud's answers, parsed without
// trusting them: a body that is not what the API documents is an error value
// saying what was wrong, never an exception or a crash.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "network/result.h"

namespace sched::hathora {

// A new room id for POST /rooms/v2/{appId}/create?roomId=...: 20 lowercase
// letters and digits from a random source (Hathora's own ids look alike).
std::string new_room_id();

// GET /rooms/v2/{appId}/connectioninfo/{roomId} -> {"status": "starting"} or
// {"status": "active", "exposedPort": {"host": "...", "port": 1234}}.
struct ConnectionInfo {
  bool active = false;
  std::string host;  // "h:p" when active
};
network::Result<ConnectionInfo> parse_connection_info(std::string_view body);

// How long to wait before retry number `attempt` (0-based): what Retry-After
// asks for when it is a number of seconds (capped at a minute), else an
// exponential backoff from 250 ms.
std::chrono::milliseconds retry_delay(std::string_view retry_after, int attempt);

}  // namespace sched::hathora
