// What the hathora fleet reads from Hathora Cloud's answers, parsed without
// trusting them: a body that is not what the API documents is an error value
// saying what was wrong, never an exception or a crash.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "network/http_client.h"
#include "network/result.h"

namespace sched::hathora {

// A new room id for POST /rooms/v2/{appId}/create?roomId=...: 20 lowercase
// letters and digits from a random source (Hathora's own ids look alike).
std::string new_room_id();

// GET /rooms/v2/{appId}/connectioninfo/{roomId} -> {"status": "starting"} or
// {"status": "active", "exposedPort": {"host": "...", "port": 1234}}.
struct ConnectionInfo {
  bool active = false;
  // "destroyed" or "suspended": no process holds the room, and none will
  // unless someone creates it again.
  bool gone = false;
  std::string host;  // "h:p" when active
};
network::Result<ConnectionInfo> parse_connection_info(std::string_view body);

// POST /rooms/v2/{appId}/create -> {"roomId": "...", "processId": ..., ...}:
// the room id Hathora holds the room under.
network::Result<std::string> parse_created_room_id(std::string_view body);

// What one answer of Hathora's API means to its caller: whether to retry,
// and what to tell the person waiting. Also the `result` label of the
// backend's metrics of Hathora calls.
enum class Outcome {
  ok,            // 2xx
  not_found,     // 404: no such room (or application)
  rate_limited,  // 429: retry after Retry-After
  unauthorized,  // 401, 403: the token or application is wrong; retrying will not help
  refused,       // another 4xx: the request itself (region, room id, payment)
  server_error,  // 5xx: Hathora's trouble, maybe passing
  unreachable,   // no answer at all: DNS, connect, TLS, timeout
};
std::string_view outcome_name(Outcome outcome);  // "ok", "not_found", ...
Outcome classify(const network::HttpResponse& response);

// For logs and errors: "HTTP 401: <Hathora's message>" (its {"message"}, else
// the start of the body), or the transport failure.
std::string describe_answer(const network::HttpResponse& response);

// How long to wait before retry number `attempt` (0-based): what Retry-After
// asks for when it is a number of seconds (capped at a minute), else an
// exponential backoff from 250 ms.
std::chrono::milliseconds retry_delay(std::string_view retry_after, int attempt);

}  // namespace sched::hathora
