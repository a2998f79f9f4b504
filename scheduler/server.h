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
  // With state `draining`: the drain was asked for (Scheduler::begin_drain,
  // by an operator or the autoscaler) and the session server has not
  // confirmed it yet, so look-ups of its rooms still answer its host.
  // Without it, `draining` is a server that drains itself (SIGTERM), whose
  // rooms move on look-up.
  bool drain_requested = false;
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
  bool drain_requested = false;  // as in ServerView; only while draining
  // Asked the fleet to stop it (a confirmed drain) while some of its rooms
  // found no slot elsewhere: it stays, gone, only to hold those rooms until
  // they are looked up or dropped, then it is forgotten. Its reports are
  // ignored: a stopped server must never take rooms again.
  bool stopped = false;
  // Slots taken on it by rooms this table does not hold: other backends'
  // reservations and rooms (replicated backends), as its last report showed
  // them, or the whole rest after it refused a reservation. At most
  // room_capacity minus the table's rooms there.
  int held_elsewhere = 0;
  bool idle = false;  // in the idle index, since empty_since
  Millis empty_since{0};
  IdleIndex::iterator idle_entry;  // valid while idle: leaving the index needs no search
};

// "server s3 (ready)": how checks and check_invariants name a server.
inline std::string describe(const ServerRecord& server) {
  return "server " + server.id + " (" + std::string(to_string(server.state)) + ")";
}

}  // namespace sched
