// Property: whatever happens (rooms created, users joining and leaving,
// reports, crashes, lost polls, failover probes, time passing, ticks, slow
// starts, servers draining themselves, drains asked for, confirmed and
// cancelled, defragmentation), check_invariants() finds nothing after any
// step, for every policy; no room is ever answered at, or kept live on, a
// stopped server; a room on a server whose drain is in flight is answered at
// that server until the drain is confirmed; a confirmed drain leaves each of
// its rooms placed elsewhere or waiting for a slot.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::seconds;

constexpr int kRoomsPerServer = 3;

// The servers as they really are: the truth the scheduler learns by polling.
struct WorldServer {
  std::string host;
  bool up = false;  // answering
  bool alive = true;
  bool draining = false;         // SIGTERM: drains itself
  bool drain_requested = false;  // asked to drain: refuses joins, closes clients
  bool stopped = false;          // the scheduler asked the fleet to stop it
  std::map<RoomId, int> users;   // the rooms it holds in memory
};

class World final : public FleetProvider {
 public:
  std::optional<ServerId> start_server() override {
    const ServerId id = "s" + std::to_string(++started_);
    servers[id] = WorldServer{"h" + std::to_string(started_) + ":8000"};
    return id;
  }
  void stop_server(const ServerId& id) override {
    servers[id].alive = false;
    servers[id].up = false;
    servers[id].stopped = true;
  }
  // The i-th server matching `wanted`, or nullptr.
  template <typename Predicate>
  std::pair<const ServerId, WorldServer>* pick(int i, Predicate wanted) {
    std::vector<std::pair<const ServerId, WorldServer>*> matching;
    for (auto& entry : servers) {
      if (wanted(entry.second)) matching.push_back(&entry);
    }
    return matching.empty() ? nullptr : matching[i % matching.size()];
  }
  WorldServer* by_host(const std::string& host) {
    for (auto& [id, server] : servers) {
      if (server.host == host) return &server;
    }
    return nullptr;
  }

  std::map<ServerId, WorldServer> servers;

 private:
  int started_ = 0;
};

enum Op {
  create,
  join,
  leave,
  report,
  crash,
  poll_dead,
  advance,
  tick,
  finish_start,
  drain,
  probe,
  begin_drain,
  drained,
  cancel_drain,
};

struct Run {
  Run(const std::string& policy, int spare, int min_servers, int defrag_max_rooms = 0)
      : scheduler(config(policy, spare, min_servers, defrag_max_rooms), world, seeded_room_ids(7),
                  Random(11)) {}

  static SchedulerConfig config(const std::string& policy, int spare, int min_servers,
                                int defrag_max_rooms) {
    SchedulerConfig config;
    config.policy = policy;
    config.room_capacity = kRoomsPerServer;
    config.failed_polls_before_gone = 2;
    config.autoscaler.max_servers = 4;
    config.autoscaler.min_servers = min_servers;
    config.autoscaler.spare_room_slots = spare;
    config.autoscaler.idle_before_stop = seconds(30);
    config.autoscaler.start_timeout = seconds(90);
    config.autoscaler.defrag_max_rooms = defrag_max_rooms;
    config.autoscaler.defrag_interval = seconds(20);
    return config;
  }

  void send_report(const ServerId& id, const WorldServer& server) {
    StatusReport status{server.host, server.draining, {}};
    for (const auto& [room_id, users] : server.users) status.rooms.push_back({room_id, users});
    scheduler.on_status(id, status, clock.now());
  }

  void step(int op, int a, int b);
  void drain_requested(const ServerId& id);
  void confirm_drain(const ServerId& id);
  // What must hold after every step, beyond check_invariants.
  std::optional<std::string> drain_and_stop_rules();
  std::optional<std::string> answer_rules(const RoomId& room_id, const LookupResult& found);

  // Right after a report from a server that is not draining, the table holds
  // on it exactly the rooms it reported with users, plus rooms placed there
  // that nobody has joined yet: no drift.
  std::optional<std::string> table_differs_from(const ServerId& id, const WorldServer& server) {
    if (server.draining || server.drain_requested) return std::nullopt;
    for (const RoomId& room_id : scheduler.rooms_on(id)) {
      const RoomRecord& room = *scheduler.rooms().find(room_id);
      const auto reported = server.users.find(room_id);
      const bool has_users = reported != server.users.end() && reported->second > 0;
      if (!has_users && room.state != RoomState::placed) {
        return "table keeps " + room_id + " on " + id + " which reports no users in it";
      }
    }
    for (const auto& [room_id, users] : server.users) {
      const RoomRecord* room = scheduler.rooms().find(room_id);
      if (users > 0 && (room == nullptr || room->state != RoomState::active)) {
        return "room " + room_id + " reported by " + id + " is not active in the table";
      }
    }
    return std::nullopt;
  }
  std::optional<std::string> mismatch;

  World world;
  ManualClock clock;
  Scheduler scheduler;
  std::vector<RoomId> created;
  // The rooms each server held when its drain began, while it is in flight.
  std::map<ServerId, std::vector<RoomId>> drains_in_flight;
};

// The session server is asked to drain: it refuses new clients from now on.
void Run::drain_requested(const ServerId& id) {
  world.servers[id].drain_requested = true;
  drains_in_flight[id] = scheduler.rooms_on(id);
}

// The session server closed its clients and stored the rooms' history.
void Run::confirm_drain(const ServerId& id) {
  world.servers[id].users.clear();
  const std::vector<RoomId> rooms = scheduler.rooms_on(id);
  const std::uint64_t left_before = scheduler.metrics().rooms_left_by_drain;
  const std::string host = world.servers[id].host;
  scheduler.on_drained(id, clock.now());
  drains_in_flight.erase(id);
  const std::uint64_t left = scheduler.metrics().rooms_left_by_drain - left_before;
  if (scheduler.rooms_on(id).size() != left) {
    mismatch = "drained " + id + " still holds " + std::to_string(scheduler.rooms_on(id).size()) +
               " rooms, " + std::to_string(left) + " counted as left without a slot";
    return;
  }
  for (const RoomId& room_id : rooms) {
    const LookupResult found = scheduler.lookup(room_id, clock.now());
    const auto* ready = std::get_if<RoomReady>(&found);
    const bool elsewhere = (ready && ready->host != host) ||
                           std::holds_alternative<RoomStarting>(found) ||
                           (left > 0 && std::holds_alternative<RoomUnavailable>(found));
    if (!elsewhere) mismatch = "room " + room_id + " of drained " + id + " was not placed again";
  }
}

std::optional<std::string> Run::answer_rules(const RoomId& room_id, const LookupResult& found) {
  const auto* ready = std::get_if<RoomReady>(&found);
  if (ready) {
    const WorldServer* server = world.by_host(ready->host);
    if (server && server->stopped) return "room " + room_id + " answered at stopped " + ready->host;
  }
  for (const auto& [id, rooms] : drains_in_flight) {
    if (std::find(rooms.begin(), rooms.end(), room_id) == rooms.end()) continue;
    if (!ready || ready->host != world.servers[id].host) {
      return "room " + room_id + " moved off " + id + " before its drain was confirmed";
    }
  }
  return std::nullopt;
}

std::optional<std::string> Run::drain_and_stop_rules() {
  // A drain the scheduler no longer has in flight (the server was declared
  // gone) no longer binds its rooms.
  for (auto it = drains_in_flight.begin(); it != drains_in_flight.end();) {
    const std::optional<ServerView> view = scheduler.server(it->first);
    if (view && view->drain_requested) {
      ++it;
    } else {
      world.servers[it->first].drain_requested = false;
      it = drains_in_flight.erase(it);
    }
  }
  for (const auto& [id, server] : world.servers) {
    if (!server.stopped) continue;
    const std::optional<ServerView> view = scheduler.server(id);
    // Kept, gone, only while it holds rooms that found no slot.
    if (view && (view->state != ServerState::gone || view->rooms == 0)) {
      return "stopped " + id + " is still " + std::string(to_string(view->state)) + " with " +
             std::to_string(view->rooms) + " rooms";
    }
  }
  return std::nullopt;
}

void Run::step(int op, int a, int b) {
  const auto answering = [](const WorldServer& s) { return s.alive && s.up; };
  mismatch.reset();
  switch (op) {
    case create: {
      const CreateResult result = scheduler.create_room(clock.now());
      if (auto* placed = std::get_if<Placed>(&result)) created.push_back(placed->room_id);
      if (auto* waiting = std::get_if<Waiting>(&result)) created.push_back(waiting->room_id);
      break;
    }
    case join: {
      if (created.empty()) break;
      const RoomId& room_id = created[a % created.size()];
      const LookupResult found = scheduler.lookup(room_id, clock.now());
      if (!mismatch) mismatch = answer_rules(room_id, found);
      auto* ready = std::get_if<RoomReady>(&found);
      WorldServer* server = ready ? world.by_host(ready->host) : nullptr;
      // The session server enforces its own room limit, as the real one does.
      if (server && answering(*server) && !server->draining && !server->drain_requested &&
          (server->users.count(room_id) || server->users.size() < kRoomsPerServer)) {
        ++server->users[room_id];
      }
      break;
    }
    case leave: {
      auto* entry = world.pick(a, [](const WorldServer& s) { return !s.users.empty(); });
      if (!entry) break;
      auto room = std::next(entry->second.users.begin(), b % entry->second.users.size());
      // Some servers forget an emptied room, some report it with 0 users.
      if (--room->second <= 0 && b % 2 == 0) entry->second.users.erase(room);
      break;
    }
    case report:
      if (auto* entry = world.pick(a, answering)) {
        send_report(entry->first, entry->second);
        mismatch = table_differs_from(entry->first, entry->second);
      }
      break;
    case crash:
      if (auto* entry = world.pick(a, [](const WorldServer& s) { return s.alive; })) {
        entry->second = WorldServer{entry->second.host, false, false};
      }
      break;
    case poll_dead:
      for (auto& [id, server] : world.servers) {
        if (!server.alive) scheduler.on_unreachable(id, clock.now());
      }
      break;
    case advance:
      // Mostly short steps, sometimes past every deadline and idle time.
      clock.advance(seconds(a % 10 == 0 ? a % 200 : a % 15));
      break;
    case tick:
      for (const ServerId& id : scheduler.tick(clock.now()).drain) drain_requested(id);
      break;
    case finish_start:
      if (auto* entry = world.pick(a, [](const WorldServer& s) { return s.alive && !s.up; })) {
        entry->second.up = true;
        scheduler.on_server_started(entry->first, entry->second.host, clock.now());
      }
      break;
    case drain:
      if (auto* entry = world.pick(a, answering)) {
        entry->second.draining = true;
        send_report(entry->first, entry->second);
      }
      break;
    case probe:
      // A client reports the server unreachable and the backend's probe
      // fails: it is down. (A probe failing on a network blip would revive
      // the server later, as failed polls can; a revived server may then
      // exceed max_servers, which check_invariants reports: not modelled.)
      if (auto* entry = world.pick(a, [](const WorldServer& s) { return !s.alive; })) {
        scheduler.mark_gone(entry->first, clock.now());
      }
      break;
    case begin_drain:
      if (auto* entry = world.pick(a, [](const WorldServer& s) { return !s.stopped; })) {
        const ServerId id = entry->first;
        if (scheduler.begin_drain(id, clock.now()) == DrainStart::started) drain_requested(id);
      }
      break;
    case drained:
    case cancel_drain:
      if (auto* entry = world.pick(a, [](const WorldServer& s) { return s.drain_requested; })) {
        const ServerId id = entry->first;
        if (op == drained) {
          confirm_drain(id);
        } else {
          entry->second.drain_requested = false;
          drains_in_flight.erase(id);
          scheduler.cancel_drain(id, clock.now());
        }
      }
      break;
  }
  if (!mismatch) mismatch = drain_and_stop_rules();
}

// Weighted so that rooms get joined and reported often enough for the
// interesting paths (active rooms emptying, crashes with users) to happen.
rc::Gen<std::vector<std::tuple<int, int, int>>> gen_steps() {
  const auto op = rc::gen::weightedElement<int>({// {weight, op}
                                                 {3, create},
                                                 {6, join},
                                                 {2, leave},
                                                 {5, report},
                                                 {1, crash},
                                                 {1, poll_dead},
                                                 {2, advance},
                                                 {2, tick},
                                                 {3, finish_start},
                                                 {1, drain},
                                                 {1, probe},
                                                 {1, begin_drain},
                                                 {1, drained},
                                                 {1, cancel_drain}});
  return rc::gen::container<std::vector<std::tuple<int, int, int>>>(
      rc::gen::tuple(op, rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000)));
}

std::string describe_step(int op, int a, int b) {
  static const char* names[] = {"create",    "join",        "leave",   "report",       "crash",
                                "poll_dead", "advance",     "tick",    "finish_start", "drain",
                                "probe",     "begin_drain", "drained", "cancel_drain"};
  return std::string(names[op]) + "(" + std::to_string(a) + "," + std::to_string(b) + ")";
}

RC_GTEST_PROP(SchedulerProperties, InvariantsHoldAfterEveryStepForEveryPolicy, ()) {
  const auto steps = *gen_steps();
  const int spare = *rc::gen::inRange(0, 5);
  const int min_servers = *rc::gen::inRange(0, 2);
  const int defrag_max_rooms = *rc::gen::inRange(0, kRoomsPerServer);
  for (const std::string& policy : policy_names()) {
    Run run(policy, spare, min_servers, defrag_max_rooms);
    std::string history;
    for (const auto& [op, a, b] : steps) {
      run.step(op, a, b);
      history += describe_step(op, a, b) + " ";
      std::vector<std::string> violations = run.scheduler.check_invariants();
      if (run.mismatch) violations.push_back(*run.mismatch);
      if (!violations.empty()) {
        RC_FAIL("policy " + policy + " defrag " + std::to_string(defrag_max_rooms) + ", after " +
                history + ": " + violations.front());
      }
    }
  }
}

// Every room a user is in, on a server that answers and is not draining, is
// known to the scheduler at that server once the server has reported.
RC_GTEST_PROP(SchedulerProperties, ReportedRoomsAreFoundAtTheirServer, ()) {
  const auto steps = *gen_steps();
  for (const std::string& policy : policy_names()) {
    Run run(policy, 0, 0);
    for (const auto& [op, a, b] : steps) run.step(op, a, b);
    for (auto& [id, server] : run.world.servers) {
      if (!server.alive || !server.up || server.draining || server.drain_requested) continue;
      run.send_report(id, server);
      for (const auto& [room_id, users] : server.users) {
        if (users <= 0) continue;
        const LookupResult found = run.scheduler.lookup(room_id, run.clock.now());
        const auto* ready = std::get_if<RoomReady>(&found);
        RC_ASSERT(ready != nullptr);
        RC_ASSERT(ready->host == server.host);
      }
    }
  }
}

}  // namespace
}  // namespace sched
