// Property: two schedulers (two backends) place rooms on the same session
// servers in any interleaving of creations, joins, reports, look-ups and
// expiring reservations. Each server admits or refuses a reservation
// atomically against its limit (as POST /rooms/:roomId/reserve does), and a
// shared directory records each admitted room. Then, after every step:
// neither scheduler's books break (check_invariants), no server holds more
// than its limit, every room in the directory is answered at the same host
// through either scheduler, and once both have fresh reports a creation
// succeeds whenever some server really has a free slot.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <tuple>

#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::seconds;

constexpr int kCapacity = 3;
constexpr int kServers = 3;
constexpr int kAttemptsMax = 3;  // as the backend: another server after each refusal

// A session server as it really is: the judge of its own limit.
struct TruthServer {
  std::string host;
  std::set<RoomId> joined;
  std::map<RoomId, Millis> reserved;  // until when
  int used() const { return static_cast<int>(joined.size() + reserved.size()); }
};

// Fixed servers: neither backend starts or stops any here.
class NoFleet final : public FleetProvider {
 public:
  std::optional<ServerId> start_server() override { return std::nullopt; }
  void stop_server(const ServerId&) override {}
};

enum Op { create, join, report, lookup, advance, report_all_then_create, count_ops };

struct Replicas {
  Replicas() {
    for (int i = 0; i < 2; ++i) {
      SchedulerConfig config;
      config.policy = i == 0 ? "best-fit" : "random";
      config.room_capacity = kCapacity;
      config.join_deadline = seconds(60);
      config.autoscaler.max_servers = kServers;
      auto ids = seeded_room_ids(7 + i);
      const std::string prefix = i == 0 ? "a" : "b";
      schedulers.push_back(std::make_unique<Scheduler>(
          config, fleet, [ids, prefix]() mutable { return prefix + ids(); }, Random(11 + i)));
    }
    for (int s = 0; s < kServers; ++s) {
      const ServerId id = "s" + std::to_string(s);
      servers[id].host = "h" + std::to_string(s) + ":8000";
      for (auto& scheduler : schedulers) scheduler->on_server_started(id, servers[id].host, now);
    }
  }

  void expire(TruthServer& server) {
    std::erase_if(server.reserved, [&](const auto& entry) {
      if (entry.second > now) return false;
      directory.erase(entry.first);  // nobody came: the room is no more
      return true;
    });
  }

  // The backend's creation: place by policy, reserve, on refusal try again.
  bool create_through(Scheduler& scheduler) {
    for (int attempt = 0; attempt < kAttemptsMax; ++attempt) {
      auto created = scheduler.create_room(now);
      auto* placed = std::get_if<Placed>(&created);
      if (placed == nullptr) return false;
      const ServerId server_id = *scheduler.server_of(placed->room_id);
      TruthServer& server = servers.at(server_id);
      expire(server);
      if (server.used() < kCapacity) {
        server.reserved[placed->room_id] = now + seconds(60);
        directory[placed->room_id] = server_id;
        return true;
      }
      scheduler.on_reservation_refused(placed->room_id, server_id, now);
    }
    return false;
  }

  void send_report(Scheduler& scheduler, const ServerId& id) {
    TruthServer& server = servers.at(id);
    expire(server);
    StatusReport status{server.host, false, {}};
    for (const RoomId& room : server.joined) status.rooms.push_back({room, 1});
    status.reserved = static_cast<int>(server.reserved.size());
    scheduler.on_status(id, status, now);
  }

  // The backend's look-up: its table, else the directory (adopting the room).
  std::optional<std::string> answer(Scheduler& scheduler, const RoomId& room_id) {
    auto found = directory.find(room_id);
    if (!scheduler.server_of(room_id) && found != directory.end()) {
      if (!scheduler.adopt_room(room_id, found->second, now)) {
        return servers.at(found->second).host;  // answered from the directory alone
      }
    }
    auto result = scheduler.lookup(room_id, now);
    if (auto* ready = std::get_if<RoomReady>(&result)) return ready->host;
    return std::nullopt;
  }

  void step(int op, int a, int b) {
    Scheduler& scheduler = *schedulers[a % 2];
    const ServerId server_id = "s" + std::to_string(b % kServers);
    switch (op) {
      case create:
        create_through(scheduler);
        break;
      case join: {
        TruthServer& server = servers.at(server_id);
        expire(server);
        if (server.reserved.empty()) break;
        auto room = std::next(server.reserved.begin(), b % server.reserved.size());
        server.joined.insert(room->first);
        server.reserved.erase(room);
        break;
      }
      case report:
        send_report(scheduler, server_id);
        break;
      case lookup: {
        if (directory.empty()) break;
        const RoomId room_id = std::next(directory.begin(), b % directory.size())->first;
        auto host = answer(scheduler, room_id);
        RC_ASSERT(host.has_value());
        RC_ASSERT(*host == servers.at(directory.at(room_id)).host);
        break;
      }
      case advance:
        now += seconds(1 + b % 40);
        break;
      case report_all_then_create: {
        for (auto& each : schedulers) {
          for (const auto& [id, server] : servers) send_report(*each, id);
        }
        bool truth_has_slot = false;
        for (auto& [id, server] : servers) truth_has_slot |= server.used() < kCapacity;
        const bool created = create_through(scheduler);
        if (truth_has_slot) RC_ASSERT(created);
        break;
      }
    }
  }

  void check() {
    for (auto& scheduler : schedulers) {
      const auto broken = scheduler->check_invariants();
      RC_ASSERT(broken.empty());
    }
    for (const auto& [id, server] : servers) RC_ASSERT(server.used() <= kCapacity);
    // Every room in the directory answers at its server through both.
    for (const auto& [room_id, server_id] : directory) {
      for (auto& scheduler : schedulers) {
        auto host = answer(*scheduler, room_id);
        RC_ASSERT(host.has_value());
        RC_ASSERT(*host == servers.at(server_id).host);
      }
    }
  }

  NoFleet fleet;
  std::vector<std::unique_ptr<Scheduler>> schedulers;
  std::map<ServerId, TruthServer> servers;
  std::map<RoomId, ServerId> directory;
  Millis now{0};
};

// A replica without the lease saw every server full: the holder starts one,
// unless its own view still has a free slot (ready or starting).
TEST(ReplicaScheduler, AShortageStartsAServerOnlyWhenNoneIsFree) {
  testing::FakeFleet fleet;
  SchedulerConfig config;
  config.room_capacity = 2;
  config.autoscaler.max_servers = 3;
  Scheduler scheduler(config, fleet, seeded_room_ids(1), Random(1));
  scheduler.on_server_started("s0", "h0:1", Millis{0});
  EXPECT_FALSE(scheduler.on_shortage(Millis{0})) << "a free slot in this view";
  // Its report: two rooms reserved by another backend.
  StatusReport report{"h0:1", false, {}};
  report.reserved = 2;
  scheduler.on_status("s0", report, Millis{1});
  EXPECT_TRUE(scheduler.on_shortage(Millis{2}));
  EXPECT_EQ(fleet.started.size(), 1u);
  EXPECT_FALSE(scheduler.on_shortage(Millis{3})) << "the starting server has free slots";
  EXPECT_TRUE(scheduler.check_invariants().empty());
}

RC_GTEST_PROP(ReplicaProperties, NeverOverALimitAndEveryLookupAgrees, ()) {
  const auto steps = *rc::gen::container<std::vector<std::tuple<int, int, int>>>(
      rc::gen::tuple(rc::gen::inRange(0, static_cast<int>(count_ops)), rc::gen::inRange(0, 1000),
                     rc::gen::inRange(0, 1000)));
  Replicas replicas;
  for (const auto& [op, a, b] : steps) {
    replicas.step(op, a, b);
    replicas.check();
  }
}

}  // namespace
}  // namespace sched
