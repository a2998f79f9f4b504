// What the scheduler knows of one session server.
#pragma once

#include <set>
#include <string>
#include <utility>

#include "scheduler/types.h"

namespace sched {

// The public, read-only picture of a server.
struct ServerView {
  ServerId id;
  std::string host;  // "h:p"; empty while starting
  int room_capacity = 10;
  int rooms = 0;  // rooms the table holds on it (placed or reported)
  int users = 0;  // as last reported
  ServerState state = ServerState::starting;
};

// Ready servers without rooms, by (empty_since, key): the order they stop in.
using IdleIndex = std::set<std::pair<Millis, ServerKey>>;

// The scheduler's own record: the view plus bookkeeping.
struct ServerRecord {
  ServerKey key = 0;
  ServerId id;
  std::string host;
  int room_capacity = 10;
  int users = 0;
  ServerState state = ServerState::starting;
  Millis state_since{0};
  Millis ready_since{0};  // join deadlines count from here, not from placement
  int failed_polls = 0;
  bool idle = false;  // in the idle index, since empty_since
  Millis empty_since{0};
  IdleIndex::iterator idle_entry;  // valid while idle: leaving the index needs no search
};

// "server s3 (ready)": how checks and check_invariants name a server.
inline std::string describe(const ServerRecord& server) {
  return "server " + server.id + " (" + std::string(to_string(server.state)) + ")";
}

}  // namespace sched
