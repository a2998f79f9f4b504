// The table follows what the servers report. A server's GET /status is the
// truth about its rooms; the table only adds what the server cannot know yet
// (rooms placed but not joined), and only for a bounded time (join_deadline).
#include <algorithm>
#include <string_view>
#include <tuple>

#include "scheduler/check.h"
#include "scheduler/scheduler.h"

namespace sched {

// The room ids of one report, for "is this room reported?" while the report
// is still being followed (make_room_for_reported): sorted views of the
// report's own strings (no copy, no allocation per room), sorted only when
// first asked, as almost no report asks.
class ReportedIds {
 public:
  explicit ReportedIds(const std::vector<RoomReport>& rooms) : rooms_(rooms) {}
  bool contains(std::string_view id) const {
    if (!sorted_) sort();
    return std::binary_search(ids_.begin(), ids_.end(), id);
  }

 private:
  void sort() const {
    ids_.reserve(rooms_.size());
    for (const RoomReport& reported : rooms_) ids_.push_back(reported.room_id);
    std::sort(ids_.begin(), ids_.end());
    sorted_ = true;
  }

  const std::vector<RoomReport>& rooms_;
  mutable std::vector<std::string_view> ids_;  // a cache: filled by the first contains()
  mutable bool sorted_ = false;
};

void Scheduler::on_status(const ServerId& server_id, const StatusReport& report, Millis now) {
  follow_report(find_server(server_id), report, now);
}

void Scheduler::on_status(ServerKey key, const StatusReport& report, Millis now) {
  auto found = servers_.find(key);
  follow_report(found == servers_.end() ? nullptr : &found->second, report, now);
}

void Scheduler::follow_report(ServerRecord* server, const StatusReport& report, Millis now) {
  if (server == nullptr) {
    // A server we never registered, or one we stopped whose last report was
    // still in flight: it has no say over the table.
    ++counters_.reports_ignored;
    return;
  }
  if (server->stopped) {
    // Stopped after a drain, kept only for rooms that found no slot: its
    // last report must not make it take rooms again.
    ++counters_.reports_ignored;
    return;
  }
  server->failed_polls = 0;
  if (!report.host.empty()) server->host = report.host;
  if (server->drain_requested) {
    // Its clients are being closed: rooms reported empty or no longer listed
    // are still wanted, at their next server. The table keeps them as they
    // were until on_drained moves them.
    server->users = 0;
    for (const RoomReport& reported : report.rooms) server->users += std::max(0, reported.users);
    return;
  }
  follow_server_state(*server, report, now);

  const ReportedIds all_reported(report.rooms);
  ReportTally tally{++report_generation_};
  int users = 0;
  int occupied = 0;  // reported rooms with members: they cannot make way
  for (const RoomReport& reported : report.rooms) {
    if (reported.users > 0) ++occupied;
    reconcile_reported(*server, reported, all_reported, tally, now);
    users += std::max(0, reported.users);
  }
  // Usually the report lists every room the table holds here: then there is
  // nothing unreported to sweep. Counting held rooms is exact only if no
  // room is listed twice.
  if (tally.room_listed_twice || tally.held != rooms_.count_on(server->key)) {
    reconcile_unreported(*server, tally.generation, now);
  }
  server->users = users;
  // What the server holds beyond this table's rooms: other backends' rooms
  // and reservations (the table's own unjoined rooms are among the reserved).
  server->held_elsewhere = occupied + report.reserved - rooms_.count_on(server->key);
  reindex(*server, now);
}

void Scheduler::follow_server_state(ServerRecord& server, const StatusReport& report, Millis now) {
  if (server.state == ServerState::gone) {
    // Declared dead after failed polls, yet it answers: it was a network
    // blip. It gets its rooms back if nobody looked them up meanwhile.
    ++counters_.servers_revived;
    drop_orphans_beyond_capacity(server, report);
  }
  // Answering at all means it has started; SIGTERM makes it report draining,
  // and it never takes new rooms again until it says otherwise.
  set_state(server, report.draining ? ServerState::draining : ServerState::ready, now);
}

// A replicated backend adopts rooms onto a gone server without a slot
// (adopt_room: orphans hold none), so it may hold more than its capacity
// when it answers again: the rooms its report does not list go first, the
// newest first (ties: the largest id), until the rest fit.
void Scheduler::drop_orphans_beyond_capacity(ServerRecord& server, const StatusReport& report) {
  const std::vector<RoomKey> keys = rooms_.rooms_on(server.key);  // a copy: erased below
  int excess = static_cast<int>(keys.size()) - server.room_capacity;
  if (excess <= 0) return;
  const ReportedIds reported(report.rooms);
  std::vector<std::tuple<bool, Millis, RoomId, RoomKey>> order;
  for (RoomKey key : keys) {
    const RoomRecord& room = *rooms_.find(key);
    order.emplace_back(reported.contains(room.id), room.since, room.id, key);
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return !std::get<0>(a);  // unreported first
    return std::tie(std::get<1>(b), std::get<2>(b)) < std::tie(std::get<1>(a), std::get<2>(a));
  });
  for (std::size_t i = 0; i < order.size() && excess > 0; ++i, --excess) {
    rooms_.erase(std::get<3>(order[i]));
    ++counters_.rooms_orphans_dropped;
  }
}

// Inline, as claim_room's usual case: once per room of every report.
inline void Scheduler::reconcile_reported(ServerRecord& server, const RoomReport& reported,
                                          const ReportedIds& all_reported, ReportTally& tally,
                                          Millis now) {
  RoomRecord* claimed = claim_room(server, reported, all_reported, now);
  if (claimed == nullptr) return;
  RoomRecord& room = *claimed;
  // Marked with the report's generation: seeing the mark again means the
  // report lists this room twice.
  if (room.reported_in == tally.generation) tally.room_listed_twice = true;
  room.reported_in = tally.generation;
  if (reported.users > 0) {
    if (room.state != RoomState::active) room.since = now;
    room.state = RoomState::active;
    ++tally.held;
    return;
  }
  if (room.state != RoomState::empty) room.since = now;
  room.state = RoomState::empty;
  if (now - room.since >= config_.empty_room_grace) {
    rooms_.erase(room.key);
    ++counters_.rooms_freed_emptied;
    return;
  }
  ++tally.held;
}

// Makes sure the table has the reported room on this server, when it should,
// and returns it (so the caller need not look it up again). nullptr when the
// report is not followed for this room. The usual case, the table has it
// here already, is inline; the rest is claim_room_from().
inline RoomRecord* Scheduler::claim_room(ServerRecord& server, const RoomReport& reported,
                                         const ReportedIds& all_reported, Millis now) {
  RoomRecord* room = rooms_.find(reported.room_id, reported.key);
  if (room != nullptr && room->server == server.key) return room;
  return claim_room_from(server, reported, room, all_reported, now);
}

// `room`: the table's record of the reported room (on another server), or nullptr.
RoomRecord* Scheduler::claim_room_from(ServerRecord& server, const RoomReport& reported,
                                       RoomRecord* room, const ReportedIds& all_reported,
                                       Millis now) {
  // An empty room the table does not hold here is nothing worth a slot.
  if (reported.users <= 0) return nullptr;
  if (room != nullptr) {
    // Another server holds it in the table. Take it only if that one does not
    // really have it: it is gone, or the room was never joined there.
    ServerRecord& holder = servers_.at(room->server);
    const bool holder_has_it =
        holder.state != ServerState::gone && room->state != RoomState::placed;
    // A holder with a drain in flight keeps every room until it confirms: it
    // may still be storing the room's history.
    if (holder_has_it || holder.drain_requested || server.state == ServerState::draining) {
      ++counters_.reports_ignored;
      return nullptr;
    }
  }
  // The last report counted this room (or its reservation) among the slots
  // held elsewhere: taken into the table it no longer is, as in adopt_room.
  // Otherwise a full server's room another backend placed holds its own
  // slot against itself, and is never taken in.
  server.held_elsewhere = std::max(0, server.held_elsewhere - 1);
  if (!make_room_for_reported(server, all_reported)) {
    ++counters_.reports_ignored;
    return nullptr;
  }
  SCHED_CHECK(free_slots(server) > 0, describe(server) + " has no slot for reported room " +
                                          reported.room_id + " after making room");
  if (room != nullptr) {
    ServerRecord& holder = servers_.at(room->server);
    RoomRecord& moved = rooms_.move(*room, server.key, now);
    reindex(holder, now);
    forget_if_stopped_and_empty(holder, now);
    return &moved;
  }
  ++counters_.rooms_adopted;  // e.g. the backend restarted and lost its table
  return &rooms_.place(reported.room_id, server.key, now);
}

// A server enforces its own room limit, so rooms it reports always fit; if
// the table also holds unjoined rooms there, those can never be joined on it
// and give way, and so do emptied rooms it no longer lists (kept only for
// empty_room_grace, they are not there).
bool Scheduler::make_room_for_reported(ServerRecord& server, const ReportedIds& all_reported) {
  if (free_slots(server) > 0) return true;
  // The oldest such room gives way (ties: the smallest id), whatever the
  // order of the table's lists.
  const RoomRecord* evicted = nullptr;
  for (RoomKey key : rooms_.rooms_on(server.key)) {
    const RoomRecord& room = *rooms_.find(key);
    if (room.state == RoomState::active || all_reported.contains(room.id)) continue;
    if (evicted == nullptr || room.since < evicted->since ||
        (room.since == evicted->since && room.id < evicted->id)) {
      evicted = &room;
    }
  }
  if (evicted == nullptr) return false;
  rooms_.erase(evicted->key);
  ++counters_.rooms_freed_never_joined;
  return true;
}

// The rooms this report listed carry its generation (reconcile_reported
// marked them): the others are the unreported ones, found without a search.
void Scheduler::reconcile_unreported(ServerRecord& server, std::uint64_t generation, Millis now) {
  std::vector<RoomKey>& to_free = rooms_to_free_;
  to_free.clear();
  for (RoomKey key : rooms_.rooms_on(server.key)) {
    RoomRecord& room = *rooms_.find(key);
    if (room.reported_in == generation) continue;
    if (room.state == RoomState::active) {
      // Seen with users, now not listed at all: the server restarted (or
      // dropped the room) under its users, who are reconnecting. It is an
      // emptied room from now on, and keeps its slot for the same grace.
      room.state = RoomState::empty;
      room.since = now;
    }
    if (room.state == RoomState::empty) {
      if (now - room.since >= config_.empty_room_grace) {
        to_free.push_back(key);
        ++counters_.rooms_freed_emptied;
      }
    } else if (now - std::max(room.since, server.ready_since) >= config_.join_deadline) {
      // The deadline counts from readiness too: a slow start is not the
      // client's fault.
      to_free.push_back(key);
      ++counters_.rooms_freed_never_joined;
    }
  }
  for (RoomKey key : to_free) rooms_.erase(key);
}

void Scheduler::on_unreachable(const ServerId& server_id, Millis now) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr || server->state == ServerState::gone) return;
  // A starting server is not expected to answer; start_timeout covers it.
  if (server->state == ServerState::starting) return;
  if (++server->failed_polls < config_.failed_polls_before_gone) return;
  ++counters_.servers_declared_gone;
  declare_gone(*server, now);
}

// Lazy re-placement: a gone server's rooms stay in the table, pointing at it,
// holding no slot anywhere, until someone looks them up (place_again) or
// join_deadline passes (tick drops them). Eager re-placement would claim
// slots, and start servers, for every room of the dead server at once, most
// of whose users may never come back; lazily, only rooms somebody asks for
// cost a slot, the re-placement work spreads over the clients' reconnects,
// and a server that was only briefly unreachable gets its rooms back.
void Scheduler::declare_gone(ServerRecord& server, Millis now) {
  if (server.drain_requested) {
    // Nobody is writing its history any more: its rooms move on look-up.
    ++counters_.drains_abandoned;
    end_drain(server);
  }
  server.users = 0;
  set_state(server, ServerState::gone, now);
}

void Scheduler::on_server_started(const ServerId& server_id, const std::string& host, Millis now,
                                  int room_capacity) {
  ServerRecord* server = find_server(server_id);
  if (server == nullptr) server = &register_server(server_id, ServerState::starting, now);
  server->host = host;
  // Never shrink below the rooms it already holds: no server above capacity.
  if (room_capacity > 0) {
    server->room_capacity = std::max(room_capacity, rooms_.count_on(server->key));
  }
  if (server->state == ServerState::starting || server->state == ServerState::gone) {
    set_state(*server, ServerState::ready, now);
  }
  reindex(*server, now);
}

void Scheduler::on_server_starting(const ServerId& server_id, Millis now) {
  if (find_server(server_id) == nullptr) register_server(server_id, ServerState::starting, now);
}

}  // namespace sched
