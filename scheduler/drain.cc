// Failover probes and drains asked for by an operator or the autoscaler
// (docs/PROTOCOL.md, "History and failover"). A drain has two halves because
// the session server must store its rooms' history before they are placed
// elsewhere: begin_drain stops new rooms, on_drained moves the rooms.
#include <vector>

#include "scheduler/check.h"
#include "scheduler/scheduler.h"

namespace sched {

void Scheduler::mark_gone(const ServerId& server_id, Millis now) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr || server->state == ServerState::gone) return;
  // A starting server has no clients to report it, and start_timeout stops
  // it through the fleet; marked gone, nothing would.
  if (server->state == ServerState::starting) return;
  ++counters_.servers_marked_gone_by_probe;
  declare_gone(*server, now);
}

DrainStart Scheduler::begin_drain(const ServerId& server_id, Millis now) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr) return DrainStart::unknown_server;
  if (server->state != ServerState::ready) return DrainStart::not_ready;
  SCHED_CHECK(!server->drain_requested && !server->stopped,
              describe(*server) + " is ready with a drain in flight or stopped");
  server->drain_requested = true;
  drain_requested_.insert(server->key);
  set_state(*server, ServerState::draining, now);  // out of the candidate and idle indexes
  ++counters_.drains_begun;
  return DrainStart::started;
}

void Scheduler::on_drained(const ServerId& server_id, Millis now) {
  ServerRecord* found = find_server(server_id);
  if (found == nullptr || !found->drain_requested) return;
  ServerRecord& server = *found;
  SCHED_CHECK(server.state == ServerState::draining,
              "confirming the drain of " + describe(server) + ", which is not draining");
  ++counters_.drains_done;
  end_drain(server);
  // Gone before its rooms move: it no longer counts against max_servers, so
  // a fleet at its limit may start the one replacement its rooms may need
  // (other servers may have filled up while it drained).
  server.users = 0;
  set_state(server, ServerState::gone, now);
  // Its clients were closed and are looking their rooms up now: place every
  // room at once rather than on look-up, so the server can be stopped.
  const std::vector<RoomId> rooms = rooms_on(server.key);  // sorted: the same order every run
  for (const RoomId& room_id : rooms) {
    if (std::holds_alternative<RoomUnavailable>(place_again(*rooms_.find(room_id), now))) {
      ++counters_.rooms_left_by_drain;
    } else {
      ++counters_.rooms_moved_by_drain;
    }
  }
  fleet_.stop_server(server.id);
  if (rooms_.count_on(server.key) == 0) {
    forget(server, now);
    return;
  }
  // Rooms without a slot anywhere stay with it, as a gone server's orphans.
  server.stopped = true;
}

void Scheduler::cancel_drain(const ServerId& server_id, Millis now) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr || !server->drain_requested) return;
  ++counters_.drains_cancelled;
  end_drain(*server);
  set_state(*server, ServerState::ready, now);
}

void Scheduler::end_drain(ServerRecord& server) {
  server.drain_requested = false;
  drain_requested_.erase(server.key);
}

void Scheduler::forget_if_stopped_and_empty(ServerRecord& server, Millis now) {
  if (server.stopped && rooms_.count_on(server.key) == 0) forget(server, now);
}

}  // namespace sched
