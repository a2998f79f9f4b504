// Property: whatever happens (rooms created, users joining and leaving,
// reports, crashes, lost polls, time passing, ticks, slow starts, drains),
// check_invariants() finds nothing after any step, for every policy.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

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
  bool draining = false;
  std::map<RoomId, int> users;  // the rooms it holds in memory
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

enum Op { create, join, leave, report, crash, poll_dead, advance, tick, finish_start, drain };

struct Run {
  Run(const std::string& policy, int spare, int min_servers)
      : scheduler(config(policy, spare, min_servers), world, seeded_room_ids(7), Random(11)) {}

  static SchedulerConfig config(const std::string& policy, int spare, int min_servers) {
    SchedulerConfig config;
    config.policy = policy;
    config.room_capacity = kRoomsPerServer;
    config.failed_polls_before_gone = 2;
    config.autoscaler.max_servers = 4;
    config.autoscaler.min_servers = min_servers;
    config.autoscaler.spare_room_slots = spare;
    config.autoscaler.idle_before_stop = seconds(30);
    config.autoscaler.start_timeout = seconds(90);
    return config;
  }

  void send_report(const ServerId& id, const WorldServer& server) {
    StatusReport status{server.host, server.draining, {}};
    for (const auto& [room_id, users] : server.users) status.rooms.push_back({room_id, users});
    scheduler.on_status(id, status, clock.now());
  }

  void step(int op, int a, int b);

  // Right after a report from a server that is not draining, the table holds
  // on it exactly the rooms it reported with users, plus rooms placed there
  // that nobody has joined yet: no drift.
  std::optional<std::string> table_differs_from(const ServerId& id, const WorldServer& server) {
    if (server.draining) return std::nullopt;
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
};

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
      auto* ready = std::get_if<RoomReady>(&found);
      WorldServer* server = ready ? world.by_host(ready->host) : nullptr;
      // The session server enforces its own room limit, as the real one does.
      if (server && answering(*server) && !server->draining &&
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
      scheduler.tick(clock.now());
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
  }
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
                                                 {1, drain}});
  return rc::gen::container<std::vector<std::tuple<int, int, int>>>(
      rc::gen::tuple(op, rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000)));
}

std::string describe_step(int op, int a, int b) {
  static const char* names[] = {"create",    "join",    "leave", "report",       "crash",
                                "poll_dead", "advance", "tick",  "finish_start", "drain"};
  return std::string(names[op]) + "(" + std::to_string(a) + "," + std::to_string(b) + ")";
}

RC_GTEST_PROP(SchedulerProperties, InvariantsHoldAfterEveryStepForEveryPolicy, ()) {
  const auto steps = *gen_steps();
  const int spare = *rc::gen::inRange(0, 5);
  const int min_servers = *rc::gen::inRange(0, 2);
  for (const std::string& policy : policy_names()) {
    Run run(policy, spare, min_servers);
    std::string history;
    for (const auto& [op, a, b] : steps) {
      run.step(op, a, b);
      history += describe_step(op, a, b) + " ";
      std::vector<std::string> violations = run.scheduler.check_invariants();
      if (run.mismatch) violations.push_back(*run.mismatch);
      if (!violations.empty()) {
        RC_FAIL("policy " + policy + ", after " + history + ": " + violations.front());
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
      if (!server.alive || !server.up || server.draining) continue;
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
