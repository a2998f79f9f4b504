// The simulator's own events (the workload's come from the Workload stream).
#pragma once

#include <cstdint>

namespace sim {

enum class SimEventKind : std::uint8_t {
  server_ready,   // a server finished starting: it answers from now on
  server_crash,   // a server dies without warning
  poll_round,     // the backend polls every session server's status
  tick,           // the scheduler's periodic autoscaling work
  lookup_retry,   // a user told "starting", or reconnecting, asks again
  drain_confirm,  // a server asked to drain has closed its clients and stored its history
  core_wake,      // a request's deadline in the control core (WakeAt): `user` is its id
  grace_ended,    // an emptied room's slot grace is over: its server reports again
};

struct SimEvent {
  SimEventKind kind = SimEventKind::tick;
  std::uint32_t server = 0;  // server_ready, server_crash, drain_confirm, grace_ended: the fleet's index
  std::uint64_t user = 0;    // lookup_retry; core_wake: the request id
  std::uint32_t token = 0;   // lookup_retry: stale when the user's token moved on
};

}  // namespace sim
