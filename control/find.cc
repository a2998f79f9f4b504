// Look-ups: the table's answer, or a wait while the room's server starts
// (answered when it settles, or 503 at start_wait_max). With replicated
// backends, rooms the table lacks, or holds on a server that is gone, are
// read from the shared directory (another backend may have placed or moved
// them); a room placed again here is written there by compare-and-set, and
// a backend that lost the race follows the winner.
//
// Failover: a client that lost its room's server without a close frame
// names the host it could not reach. When that is the room's host, the
// server is probed at once (one probe a server in flight, none sooner than
// probe_interval_min after the last) and, if nothing listens there, taken
// as gone so that the look-up places the room again, instead of waiting for
// several missed polls.
#include <tuple>

#include "control/control_core.h"
#include "network/host_port.h"

namespace core {

namespace {

std::chrono::seconds whole_seconds_at_least_one(sched::Millis wait) {
  return std::max(std::chrono::duration_cast<std::chrono::seconds>(wait), std::chrono::seconds(1));
}

// Hosts as they compare: "h:p" spelled one way ("[v6]:p" for IPv6).
std::optional<std::string> canonical_host(const std::string& host) {
  auto parsed = network::parse_host_port(host);
  if (!parsed) return std::nullopt;
  return parsed->to_string();
}

}  // namespace

void ControlCore::on(const FindRoom& event) {
  const auto deadline = now_ + options_.start_wait_max;
  if (!stopped_ && event.unreachable_host) {
    if (auto suspect = server_of_room_at(event.room_id, *event.unreachable_host)) {
      return probe(event.request, event.room_id, deadline, *suspect);
    }
  }
  // Not in this table (another backend placed it): the directory first.
  if (options_.replicated && !stopped_) return find_shared(event.request, event.room_id, deadline);
  find_or_wait(event.request, event.room_id, deadline, event.room_key);
}

std::optional<FindRoomResult> ControlCore::settle(const sched::RoomId& room_id,
                                                 sched::RoomKey hint) {
  auto result = scheduler_.lookup(room_id, now_, hint);
  if (auto* ready = std::get_if<sched::RoomReady>(&result)) {
    // Into its place, not through a FindRoomResult: each move of a short
    // string copies it.
    return std::optional<FindRoomResult>(std::in_place, std::in_place_type<RoomAt>,
                                         RoomAt{std::move(ready->host)});
  }
  if (std::holds_alternative<sched::UnknownRoom>(result)) return RoomUnknown{};
  if (auto* unavailable = std::get_if<sched::RoomUnavailable>(&result)) {
    return NoServerNow{"The room's session server is gone and no other has room; try again soon",
                       whole_seconds_at_least_one(unavailable->retry_after)};
  }
  return std::nullopt;  // RoomStarting
}

void ControlCore::find_or_wait(RequestId request, const sched::RoomId& room_id,
                               sched::Millis deadline, sched::RoomKey hint) {
  if (stopped_) {
    return answer(request, FindRoomResult{NoServerNow{"The backend is shutting down; try again",
                                                      std::chrono::seconds(1)}});
  }
  if (auto settled = settle(room_id, hint)) return answer(request, std::move(*settled));
  const sched::RoomRecord* room = scheduler_.rooms().find(room_id);
  waiters_[request] = Waiter{room_id, deadline, room != nullptr ? room->key : sched::kNoRoomKey};
  emit(WakeAt{request, deadline});
}

void ControlCore::wake_waiters() {
  std::vector<std::tuple<RequestId, FindRoomResult, Waiter>> settled;
  for (const auto& [request, waiter] : waiters_) {
    // Its move not written yet: answered with the writer's outcome.
    auto unwritten = unwritten_moves_.find(waiter.room_id);
    if (unwritten != unwritten_moves_.end() && unwritten->second != request) continue;
    if (auto result = settle(waiter.room_id)) settled.emplace_back(request, *result, waiter);
  }
  for (auto& [request, result, waiter] : settled) {
    // Erased before answering: going on may add a waiter.
    if (waiters_.erase(request) == 0) continue;
    if (creates_.contains(request)) {
      continue_create(request, result);
    } else if (waiter.moved_from && std::holds_alternative<RoomAt>(result)) {
      // Up now: its move is written by compare-and-set, and the answer
      // follows whoever moved the room first.
      finds_[request] = PendingFind{waiter.room_id, waiter.deadline, std::move(result)};
      publish_moved(request, waiter.room_id, *waiter.moved_from);
    } else {
      forget_unwritten(waiter.room_id, request);
      answer(request, std::move(result));
    }
  }
}

void ControlCore::find_shared(RequestId request, const sched::RoomId& room_id,
                              sched::Millis deadline) {
  if (auto server_id = scheduler_.server_of(room_id)) {
    auto server = scheduler_.server(*server_id);
    const bool moving =
        server && (server->state == sched::ServerState::gone ||
                   (server->state == sched::ServerState::draining && !server->drain_requested));
    // The common case: the table has it on a live server. No Redis on this path.
    if (!moving) return find_or_wait(request, room_id, deadline);
  }
  finds_[request] = PendingFind{room_id, deadline, std::nullopt};
  emit(ReadDirectory{request, room_id});
}

void ControlCore::on(const DirectoryRead& event) {
  auto node = finds_.extract(event.request);
  if (node.empty()) return;
  const PendingFind find = std::move(node.mapped());
  const bool in_table = scheduler_.server_of(find.room_id).has_value();
  if (auto* down = std::get_if<DirectoryDown>(&event.result)) {
    count(Counter::directory_reads, "down");
    store_unanswered();
    if (in_table) return settle_and_publish(event.request, find.room_id, find.deadline);
    return answer(event.request,
                  FindRoomResult{NoServerNow{"The room directory cannot be read (" + down->why +
                                                 "); try again soon",
                                             std::chrono::seconds(1)}});
  }
  if (std::holds_alternative<DirectoryAbsent>(event.result)) {
    count(Counter::directory_reads, "absent");
    return settle_and_publish(event.request, find.room_id, find.deadline);
  }
  count(Counter::directory_reads, "found");
  const auto& entry = std::get<DirectoryEntry>(event.result);
  learn_host(entry);
  if (scheduler_.server_of(find.room_id) == entry.server_id ||
      scheduler_.adopt_room(find.room_id, entry.server_id, now_)) {
    return settle_and_publish(event.request, find.room_id, find.deadline);
  }
  // A server this backend does not know yet, or full in its view: the
  // directory's word stands.
  answer(event.request, FindRoomResult{RoomAt{entry.host}});
}

void ControlCore::settle_and_publish(RequestId request, const sched::RoomId& room_id,
                                     sched::Millis deadline) {
  if (stopped_) return find_or_wait(request, room_id, deadline);
  const auto before = scheduler_.server_of(room_id);
  auto settled = settle(room_id);
  const auto after = scheduler_.server_of(room_id);
  if (!options_.replicated || !before || !after || *before == *after) {
    if (settled) return answer(request, std::move(*settled));
    return find_or_wait(request, room_id, deadline);
  }
  if (!settled) {
    // Placed again on a server still starting, whose host no entry can name
    // yet: the move waits for it to be up (wake_waiters). Answered without
    // the directory's compare-and-set, two backends could each move it.
    const sched::RoomRecord* room = scheduler_.rooms().find(room_id);
    waiters_[request] =
        Waiter{room_id, deadline, room != nullptr ? room->key : sched::kNoRoomKey, *before};
    unwritten_moves_[room_id] = request;
    return emit(WakeAt{request, deadline});
  }
  finds_[request] = PendingFind{room_id, deadline, std::move(settled)};
  publish_moved(request, room_id, *before);
}

void ControlCore::publish_moved(RequestId request, const sched::RoomId& room_id,
                                const sched::ServerId& from) {
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  // Placed again on a server still starting: it has no host to write yet,
  // and an entry without one would send other backends' clients nowhere.
  if (!options_.replicated || !server || server->host.empty()) {
    if (request != kNoRequest) on(DirectoryMoved{request, std::nullopt});
    return;
  }
  emit(MoveInDirectory{request, room_id, from, {server->id, server->host},
                       scheduler_.config().join_deadline * 2});
}

void ControlCore::on(const DirectoryMoved& event) {
  if (auto moved = drain_moves_.extract(event.request); !moved.empty()) {
    return follow_drain_move(moved.mapped(), event.elsewhere);
  }
  auto node = finds_.extract(event.request);
  if (node.empty()) return;
  PendingFind find = std::move(node.mapped());
  forget_unwritten(find.room_id, event.request);  // its other look-ups go on (wake_waiters)
  if (event.elsewhere) {
    // Another backend moved it first: follow it there.
    learn_host(*event.elsewhere);
    if (scheduler_.adopt_room(find.room_id, event.elsewhere->server_id, now_)) {
      return find_or_wait(event.request, find.room_id, find.deadline);
    }
    // A server this table does not know, or full in its view: the room
    // leaves this table, which would otherwise answer where it lost the
    // race, and the directory answers for it.
    scheduler_.release_room(find.room_id, now_);
    const FindRoomResult there{RoomAt{event.elsewhere->host}};
    answer_waiters_of(find.room_id, there);
    return answer(event.request, there);
  }
  if (find.settled) return answer(event.request, std::move(*find.settled));
  find_or_wait(event.request, find.room_id, find.deadline);
}

void ControlCore::forget_unwritten(const sched::RoomId& room_id, RequestId request) {
  auto unwritten = unwritten_moves_.find(room_id);
  if (unwritten != unwritten_moves_.end() && unwritten->second == request) {
    unwritten_moves_.erase(unwritten);
  }
}

void ControlCore::answer_waiters_of(const sched::RoomId& room_id, const FindRoomResult& result) {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->second.room_id != room_id || creates_.contains(it->first)) {
      ++it;
      continue;
    }
    answer(it->first, result);
    it = waiters_.erase(it);
  }
}

// A server this table has as starting (listed without a host: whoever
// started it lost the lease before it could list the host) is up, at the
// host a directory entry names: entries are written only for servers that
// answered. Taken as ready, it is polled; the holder then lists its host.
void ControlCore::learn_host(const DirectoryEntry& entry) {
  if (entry.host.empty()) return;
  auto server = scheduler_.server(entry.server_id);
  if (!server || server->state != sched::ServerState::starting) return;
  members_[entry.server_id] = Member{entry.server_id, entry.host, "", 0};
  scheduler_.on_server_started(entry.server_id, entry.host, now_);
}

std::optional<sched::ServerView> ControlCore::server_of_room_at(const sched::RoomId& room_id,
                                                                const std::string& host) {
  auto unreachable = canonical_host(host);
  if (!unreachable) return std::nullopt;
  // As the look-up would answer, but without its side effect: a room on a
  // gone or self-draining server is placed again by the look-up (and then
  // its host is not the unreachable one). Placed again here, the move would
  // skip the directory's compare-and-set, and two backends could each move
  // the room to another server.
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  if (!server || server->state == sched::ServerState::gone ||
      server->state == sched::ServerState::starting ||
      (server->state == sched::ServerState::draining && !server->drain_requested)) {
    return std::nullopt;
  }
  if (canonical_host(server->host) != unreachable) return std::nullopt;
  return server;
}

void ControlCore::probe(RequestId request, const sched::RoomId& room_id, sched::Millis deadline,
                        const sched::ServerView& suspect) {
  ProbeState& state = probes_[suspect.id];
  if (state.in_flight) {
    count(Counter::failover_probes_skipped, "in_flight");
    state.askers.emplace_back(request, PendingFind{room_id, deadline, std::nullopt});
    return;
  }
  if (state.last_started && now_ - *state.last_started < options_.probe_interval_min) {
    // Probed a moment ago: the view as it stands.
    count(Counter::failover_probes_skipped, "too_soon");
    return after_probe(request, room_id, deadline);
  }
  state.in_flight = true;
  state.last_started = now_;
  state.askers.emplace_back(request, PendingFind{room_id, deadline, std::nullopt});
  emit(Probe{suspect.id, admin_host(suspect)});
}

void ControlCore::on(const Probed& event) {
  auto found = probes_.find(event.server_id);
  if (found == probes_.end() || !found->second.in_flight) return;
  auto askers = std::move(found->second.askers);
  found->second.askers.clear();
  found->second.in_flight = false;
  follow_probe(event.server_id, event.result);
  // The askers see the table after it took the result in.
  for (auto& [request, find] : askers) after_probe(request, find.room_id, find.deadline);
  // Nothing is kept of servers whose interval has passed.
  std::erase_if(probes_, [this](const auto& entry) {
    return !entry.second.in_flight &&
           now_ - entry.second.last_started.value_or(now_) >= options_.probe_interval_min;
  });
}

void ControlCore::after_probe(RequestId request, const sched::RoomId& room_id,
                              sched::Millis deadline) {
  if (options_.replicated) {
    // Gone from this table (the probe found its server restarted without
    // it): another backend may have moved it, the directory says where.
    if (!scheduler_.server_of(room_id)) return find_shared(request, room_id, deadline);
    // Placed again, the shared directory says where, for every backend.
    return settle_and_publish(request, room_id, deadline);
  }
  find_or_wait(request, room_id, deadline);
}

void ControlCore::follow_probe(const sched::ServerId& id, const StatusResult& result) {
  if (auto* report = std::get_if<sched::StatusReport>(&result)) {
    count(Counter::failover_probes, "alive");
    if (given_up_.contains(id)) return;  // stopped: a late report revives nothing
    return scheduler_.on_status(id, *report, now_);
  }
  if (std::holds_alternative<NoStatusEndpoint>(result)) {
    return count(Counter::failover_probes, "alive");
  }
  count(Counter::failover_probes, "unreachable");
  const auto& not_heard = std::get<NotHeard>(result);
  // Only a refused or reset connection is proof: a server that is merely
  // slow still holds its rooms and clients, and placing them again would
  // split the room in two. A host restarted in place is not replaced:
  // taken as gone it would be dropped for good.
  if (!not_heard.process_gone || options_.fleet.restarts_in_place) {
    log(LogLevel::warning, "session server " + id + " did not answer a probe in time (" +
                               not_heard.why + "); counted as a failed poll");
    scheduler_.on_unreachable(id, now_);
    return stop_given_up(id);
  }
  log(LogLevel::warning, "session server " + id +
                             " is not there for a probe after a client could not reach it (" +
                             not_heard.why + "); taking it as gone, its rooms will be placed again");
  scheduler_.mark_gone(id, now_);
  stop_given_up(id);
}

}  // namespace core
