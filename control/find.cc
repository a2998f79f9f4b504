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
  if (auto* ready = std::get_if<sched::RoomReady>(&result)) return RoomAt{ready->host};
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
  std::vector<std::pair<RequestId, FindRoomResult>> settled;
  for (const auto& [request, waiter] : waiters_) {
    if (auto result = settle(waiter.room_id)) settled.emplace_back(request, std::move(*result));
  }
  for (auto& [request, result] : settled) {
    // Erased before answering: going on may add a waiter.
    if (waiters_.erase(request) == 0) continue;
    if (creates_.contains(request)) {
      continue_create(request, result);
    } else {
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
  finds_[request] = PendingFind{room_id, deadline, std::move(settled)};
  publish_moved(request, room_id, *before);
}

void ControlCore::publish_moved(RequestId request, const sched::RoomId& room_id,
                                const sched::ServerId& from) {
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  if (!options_.replicated || !server) {
    if (request != kNoRequest) on(DirectoryMoved{request, std::nullopt});
    return;
  }
  emit(MoveInDirectory{request, room_id, from, {server->id, server->host},
                       scheduler_.config().join_deadline * 2});
}

void ControlCore::on(const DirectoryMoved& event) {
  auto node = finds_.extract(event.request);
  if (node.empty()) return;
  PendingFind find = std::move(node.mapped());
  if (event.elsewhere) {
    // Another backend moved it first: follow it there.
    if (scheduler_.adopt_room(find.room_id, event.elsewhere->server_id, now_)) {
      return find_or_wait(event.request, find.room_id, find.deadline);
    }
    return answer(event.request, FindRoomResult{RoomAt{event.elsewhere->host}});
  }
  if (find.settled) return answer(event.request, std::move(*find.settled));
  find_or_wait(event.request, find.room_id, find.deadline);
}

std::optional<sched::ServerView> ControlCore::server_of_room_at(const sched::RoomId& room_id,
                                                                const std::string& host) {
  auto unreachable = canonical_host(host);
  if (!unreachable) return std::nullopt;
  // As the look-up would answer: a room on a gone or draining server is
  // placed again here, and then its host is not the unreachable one.
  auto answer = scheduler_.lookup(room_id, now_);
  auto* ready = std::get_if<sched::RoomReady>(&answer);
  if (ready == nullptr || canonical_host(ready->host) != unreachable) return std::nullopt;
  for (auto& server : scheduler_.servers()) {
    if (server.state != sched::ServerState::gone && server.host == ready->host) return server;
  }
  return std::nullopt;
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
  // Placed again, the shared directory says where, for every backend.
  if (options_.replicated) return settle_and_publish(request, room_id, deadline);
  find_or_wait(request, room_id, deadline);
}

void ControlCore::follow_probe(const sched::ServerId& id, const StatusResult& result) {
  if (auto* report = std::get_if<sched::StatusReport>(&result)) {
    count(Counter::failover_probes, "alive");
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
    return scheduler_.on_unreachable(id, now_);
  }
  log(LogLevel::warning, "session server " + id +
                             " is not there for a probe after a client could not reach it (" +
                             not_heard.why + "); taking it as gone, its rooms will be placed again");
  scheduler_.mark_gone(id, now_);
}

}  // namespace core
