#include "sim/explore_checker.h"

#include <algorithm>
#include <string_view>

#include "sim/explore_world.h"

namespace sim::explore {

namespace {

// Scheduler::check_invariants' words for a table counting more servers
// than the autoscaler may run.
constexpr std::string_view kMoreLiveThanMax = "more live servers than max_servers";

const char* name_of(RequestKind kind) {
  switch (kind) {
    case RequestKind::create:
      return "CreateRoom";
    case RequestKind::find:
      return "FindRoom";
    case RequestKind::drain:
      return "DrainServer";
  }
  return "request";
}

bool of_kind(const core::Reply& reply, RequestKind kind) {
  switch (kind) {
    case RequestKind::create:
      return std::holds_alternative<core::CreateRoomResult>(reply);
    case RequestKind::find:
      return std::holds_alternative<core::FindRoomResult>(reply);
    case RequestKind::drain:
      return std::holds_alternative<core::DrainResult>(reply);
  }
  return false;
}

std::string describe(const core::FindRoomResult& result) {
  if (auto* at = std::get_if<core::RoomAt>(&result)) return "RoomAt " + at->host;
  if (std::holds_alternative<core::RoomUnknown>(result)) return "RoomUnknown";
  if (auto* wait = std::get_if<core::NoServerNow>(&result))
    return "NoServerNow (" + wait->reason + ")";
  return "PlacementFailed (" + std::get<core::PlacementFailed>(result).reason + ")";
}

std::string members_on(const std::vector<const SessionServer*>& holders,
                       const sched::RoomId& room_id) {
  std::string listed;
  for (const SessionServer* server : holders) {
    listed += (listed.empty() ? "" : ", ") + std::to_string(server->users_in(room_id)) + " on " +
              server->id() + " (" + server->host() + ")";
  }
  return listed;
}

}  // namespace

void ExploreChecker::fail(FailureKind kind, std::int64_t time_ms, std::string what) {
  if (failed()) return;  // the first failure is the story
  failure_ = Failure{kind, time_ms, std::move(what)};
}

void ExploreChecker::on_request(core::RequestId request, int replica, RequestKind kind) {
  asked_[request] = Asked{replica, kind, false};
}

void ExploreChecker::on_lookup(core::RequestId request, const sched::RoomId& room_id) {
  lookups_[request] = room_id;
}

void ExploreChecker::on_agreement_request(core::RequestId request, const sched::RoomId& room_id) {
  agreement_requests_[request] = room_id;
}

void ExploreChecker::on_answer(int replica, const core::Answer& answer,
                               const ExploreWorld& world) {
  const std::int64_t now_ms = world.now_ms();
  const std::string request = "request " + std::to_string(answer.request);
  auto asked = asked_.find(answer.request);
  if (asked == asked_.end()) {
    return fail(
        FailureKind::correctness, now_ms,
        "replica " + std::to_string(replica) + " answered " + request + ", which nobody asked");
  }
  Asked& entry = asked->second;
  const std::string what = std::string(name_of(entry.kind)) + " " + request;
  if (entry.replica != replica) {
    return fail(FailureKind::correctness, now_ms,
                "replica " + std::to_string(replica) + " answered " + what +
                    ", asked of replica " + std::to_string(entry.replica));
  }
  if (entry.answered) {
    return fail(FailureKind::correctness, now_ms,
                "replica " + std::to_string(replica) + " answered " + what + " twice");
  }
  entry.answered = true;
  if (!of_kind(answer.reply, entry.kind)) {
    return fail(FailureKind::correctness, now_ms,
                "replica " + std::to_string(replica) + " answered " + what +
                    " with another request's kind of reply");
  }
  auto lookup = lookups_.find(answer.request);
  if (lookup == lookups_.end()) return;
  const sched::RoomId room_id = lookup->second;
  lookups_.erase(lookup);
  const auto& result = std::get<core::FindRoomResult>(answer.reply);
  if (agreement_requests_.contains(answer.request)) {
    agreement_answers_[room_id][replica] = result;
  }
  check_lookup(replica, result, room_id, world);
}

// A room no core placed where it is (a join made it without a reservation,
// or joined it again once emptied and freed: a client holding an address
// a moment old), within the poll cycle before the server's next report
// tells the cores: none can know it has members yet.
bool ExploreChecker::unannounced(const std::vector<const SessionServer*>& holders,
                                 const sched::RoomId& room_id, const ExploreWorld& world) {
  const ExecutorTimings& executor = world.config().executor;
  const Millis cycle(
      2 * (executor.tick_interval_ms + executor.poll_timeout_ms + 2 * executor.latency_ms_max));
  return std::all_of(holders.begin(), holders.end(), [&](const SessionServer* server) {
    auto since = server->unannounced_at(room_id);
    return since && world.now() - *since < cycle;
  });
}

// (c), and for the look-ups of (b): the answer names a server holding the room.
void ExploreChecker::check_lookup(int replica, const core::FindRoomResult& result,
                                  const sched::RoomId& room_id, const ExploreWorld& world) {
  const std::string who = "replica " + std::to_string(replica);
  if (auto* at = std::get_if<core::RoomAt>(&result); at != nullptr && at->host.empty()) {
    return fail(FailureKind::correctness, world.now_ms(),
                who + " answered room " + room_id + " with an empty host");
  }
  const auto holders = world.holders_of(room_id);
  if (holders.empty()) return;
  const bool lost = std::holds_alternative<core::RoomUnknown>(result) ||
                    std::holds_alternative<core::PlacementFailed>(result);
  if (lost && !unannounced(holders, room_id, world)) {
    return fail(FailureKind::correctness, world.now_ms(),
                "(c) " + who + " answered " + describe(result) + " for room " + room_id +
                    ", which has members on a live server: " + members_on(holders, room_id));
  }
  if (world.now_ms() < world.config().convergence_at_ms()) return;
  auto* at = std::get_if<core::RoomAt>(&result);
  const bool held = at != nullptr &&
                    std::any_of(holders.begin(), holders.end(), [at](const SessionServer* server) {
                      return server->host() == at->host;
                    });
  if (!held) {
    fail(FailureKind::correctness, world.now_ms(),
         "(b) once quiet, " + who + " answered " + describe(result) + " for room " + room_id +
             ", whose members are " + members_on(holders, room_id));
  }
}

void ExploreChecker::after_event(const ExploreWorld& world, int replica) {
  if (failed()) return;
  check_world(world);
  if (replica < 0 || failed()) return;
  std::string broken;
  const bool replicated = world.config().control.replicated;
  for (const std::string& violation : world.core(replica).scheduler().check_invariants()) {
    // A replica's table takes in the servers the holder lists before its
    // own polls find a dead one gone, so it may count a dead server and its
    // replacement at once: with replicas the fleet's size is (f)'s, checked
    // against the servers really running.
    if (replicated && violation == kMoreLiveThanMax) continue;
    broken += (broken.empty() ? "" : "; ") + violation;
  }
  if (!broken.empty()) {
    fail(FailureKind::correctness, world.now_ms(),
         "replica " + std::to_string(replica) + "'s scheduler: " + broken);
  }
}

void ExploreChecker::check_world(const ExploreWorld& world) {
  const std::int64_t now_ms = world.now_ms();
  for (const auto& server : world.servers()) {
    if (!server->up()) continue;
    const int used = server->slots_used(world.now());
    if (used > server->room_limit()) {
      return fail(FailureKind::correctness, now_ms,
                  "(a) session server " + server->id() + " holds " + std::to_string(used) +
                      " rooms and live reservations, its limit is " +
                      std::to_string(server->room_limit()));
    }
  }
  if (const auto& stale = world.store().stale_writes_admitted(); !stale.empty()) {
    return fail(FailureKind::correctness, now_ms, "(d) the store admitted " + stale.front());
  }
  if (const auto& drained = world.reservations_while_draining(); !drained.empty()) {
    return fail(FailureKind::correctness, now_ms, "(e) session server " + drained.front());
  }
  const int running = world.servers_running();
  const int max_servers = world.config().control.scheduler.autoscaler.max_servers;
  if (running > max_servers) {
    std::string listed;
    for (const auto& server : world.servers()) {
      if (server->running()) listed += (listed.empty() ? "" : ", ") + server->id();
    }
    fail(FailureKind::correctness, now_ms,
         "(f) " + std::to_string(running) + " servers run (" + listed + "), max_servers is " +
             std::to_string(max_servers));
  }
}

void ExploreChecker::at_end(const ExploreWorld& world) {
  for (const auto& [request, asked] : asked_) {
    if (asked.answered) continue;
    return fail(FailureKind::liveness, world.now_ms(),
                std::string(name_of(asked.kind)) + " request " + std::to_string(request) +
                    " to replica " + std::to_string(asked.replica) +
                    " was never answered by the end of the run");
  }
  check_agreement();
  if (failed()) failure_.time_ms = world.now_ms();
}

// (b): each replica named one and the same host (check_lookup saw that it
// holds the room).
void ExploreChecker::check_agreement() {
  for (const auto& [room_id, answers] : agreement_answers_) {
    if (answers.empty()) continue;
    const auto& [first_replica, first_result] = *answers.begin();
    const std::string first = describe(first_result);
    for (const auto& [replica, result] : answers) {
      if (describe(result) == first) continue;
      return fail(FailureKind::correctness, 0,
                  "(b) once quiet, the replicas disagree on room " + room_id + ": replica " +
                      std::to_string(first_replica) + " answered " + first + ", replica " +
                      std::to_string(replica) + " " + describe(result));
    }
  }
}

}  // namespace sim::explore
